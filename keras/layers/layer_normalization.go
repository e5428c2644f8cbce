package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// LayerNormalizationLayer normalises each sample along its last axis to mean 0 and variance
// 1, then scales by gamma and shifts by beta, as Keras's LayerNormalization: unlike
// BatchNormalization, the statistics are each row's own, in training and inference alike.
//
// # Input shape
//
// Any of rank ≥ 2, its last dimension known. # Output shape: the input's.
type LayerNormalizationLayer struct {
	keras.LayerBase
	axis int
	eps  float64
	normAffine
}

var _ keras.Layer = (*LayerNormalizationLayer)(nil)

// LayerNormalization returns a layer normalisation along the last axis (Keras's axis=-1, the
// only one supported) with Keras's arguments: epsilon (Keras's default 1e-3) added to the
// variance, center to learn a shift beta, scale to learn a factor gamma (both true by
// default). Options: Name, Trainable, DType.
func LayerNormalization(epsilon float64, center, scale bool, opts ...Option) *LayerNormalizationLayer {
	l := &LayerNormalizationLayer{axis: -1, eps: epsilon, normAffine: newNormAffine(center, scale)}
	return l.made(newOptions(opts))
}

// layerNormKeys is LayerNormalization's Keras config; the deprecated rms_scaling must be
// false.
var layerNormKeys = func() configKeys[LayerNormalizationLayer] {
	a := affineKeys(func(l *LayerNormalizationLayer) *normAffine { return &l.normAffine })
	return append(configKeys[LayerNormalizationLayer]{
		{name: "axis", // Keras writes an int or a list of them
			write: func(l *LayerNormalizationLayer) any { return l.axis },
			read: func(r *configReader, key string, l *LayerNormalizationLayer) {
				if axis := r.ints(key, 0); len(axis) == 1 {
					l.axis = axis[0]
				} else {
					r.fail("axis %v: only the last axis is supported", r.cfg[key])
				}
			},
			unset: func(l *LayerNormalizationLayer) { l.axis = -1 }},
		floatKey("epsilon", func(l *LayerNormalizationLayer) *float64 { return &l.eps }, 1e-3),
		a.center, a.scale,
		{name: "rms_scaling",
			write: func(*LayerNormalizationLayer) any { return false },
			read: func(r *configReader, key string, _ *LayerNormalizationLayer) {
				if b, _ := r.cfg[key].(bool); b {
					r.fail("%s=true is not supported (Keras deprecates it for RMSNormalization)", key)
				}
			}},
		a.betaInit, a.gammaInit,
	}, a.nulls...)
}()

func init() {
	registerLayer("LayerNormalization", layerNormKeys, func(l *LayerNormalizationLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks epsilon, given to LayerNormalization or read from a saved
// config; the axis is checked against the input in Build.
func (l *LayerNormalizationLayer) made(o *options) *LayerNormalizationLayer {
	initBase(&l.LayerBase, "LayerNormalization", o)
	if !(l.eps > 0) {
		l.SetErr(fmt.Errorf("%w: epsilon must be > 0, got %v", keras.ErrInvalidArgument, l.eps))
	}
	return l
}

// Call applies the layer to x.
func (l *LayerNormalizationLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "LayerNormalization".
func (l *LayerNormalizationLayer) ClassName() string { return "LayerNormalization" }

// SupportsMasking reports that a mask passes through unchanged.
func (l *LayerNormalizationLayer) SupportsMasking() bool { return true }

// Build creates gamma, then beta, as Keras does, each of the last axis's size.
func (l *LayerNormalizationLayer) Build(in []keras.Shape) error {
	if err := checkLastAxis(in, l.axis); err != nil {
		return err
	}
	return l.build(&l.LayerBase, in[0].Last())
}

// OutputShapes returns the input shape, once its last axis is checked against the weights'.
func (l *LayerNormalizationLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkLastAxis(in, l.axis); err != nil {
		return nil, err
	}
	if err := l.fits(in[0]); err != nil {
		return nil, err
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward computes (x − mean)/√(variance + ε)·gamma + beta along the last axis.
func (l *LayerNormalizationLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	x := in[0]
	n := x.Shape()[x.Dims()-1]
	xc := o.Sub(x, o.BroadcastLast(o.MeanLast(x), n))
	std := o.Sqrt(o.Shift(o.MeanLast(o.Mul(xc, xc)), l.eps))
	y := o.Div(xc, o.BroadcastLast(std, n))
	return o.Result(l.apply(o, y))
}

// Config returns Keras 3's LayerNormalization config.
func (l *LayerNormalizationLayer) Config() map[string]any { return layerNormKeys.config(l) }
