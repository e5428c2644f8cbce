package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// GaussianNoiseLayer adds zero-centred Gaussian noise of standard deviation stddev to its
// input during training, as Keras's GaussianNoise, a regulariser; in Evaluate and Predict it
// returns its input.
//
// # Input shape
//
// Any. # Output shape: the input's.
type GaussianNoiseLayer struct {
	keras.LayerBase
	stddev float64
}

var _ keras.Layer = (*GaussianNoiseLayer)(nil)

// GaussianNoise returns a layer adding N(0, stddev²) noise in training (0 ≤ stddev ≤ 1, as
// Keras requires). The noise is drawn from the fit loop's random source
// (keras.SetRandomSeed); Keras's seed argument is not taken. Options: Name, Trainable, DType.
func GaussianNoise(stddev float64, opts ...Option) *GaussianNoiseLayer {
	l := &GaussianNoiseLayer{stddev: stddev}
	return l.made(newOptions(opts))
}

// gaussianNoiseKeys is GaussianNoise's Keras config; a saved seed is read and ignored, since
// the noise comes from the fit loop's random source.
var gaussianNoiseKeys = configKeys[GaussianNoiseLayer]{
	floatKey("stddev", func(l *GaussianNoiseLayer) *float64 { return &l.stddev }, 0).req(),
	writeKey("seed", func(*GaussianNoiseLayer) any { return nil }),
}

func init() {
	registerLayer("GaussianNoise", gaussianNoiseKeys, func(l *GaussianNoiseLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks stddev, as Keras's constructor does, given to GaussianNoise
// or read from a saved config.
func (l *GaussianNoiseLayer) made(o *options) *GaussianNoiseLayer {
	initBase(&l.LayerBase, "GaussianNoise", o)
	if !(l.stddev >= 0 && l.stddev <= 1) {
		l.SetErr(fmt.Errorf("%w: stddev must be in [0, 1], got %v", keras.ErrInvalidArgument, l.stddev))
	}
	return l
}

// Call applies the layer to x.
func (l *GaussianNoiseLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "GaussianNoise".
func (l *GaussianNoiseLayer) ClassName() string { return "GaussianNoise" }

// SupportsMasking reports that a mask passes through unchanged.
func (l *GaussianNoiseLayer) SupportsMasking() bool { return true }

// Build checks the input: the layer has no weights.
func (l *GaussianNoiseLayer) Build(in []keras.Shape) error { return checkOneInput(in, 1) }

// OutputShapes returns the input shape.
func (l *GaussianNoiseLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 1); err != nil {
		return nil, err
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward adds the noise in the training realisation and passes x through otherwise.
func (l *GaussianNoiseLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	if !ctx.Training() || l.stddev == 0 {
		return in[:1], nil
	}
	o := ops.New(ctx)
	return o.Result(o.Add(in[0], o.Normal(in[0], 0, l.stddev, l.Name())))
}

// Config returns Keras 3's GaussianNoise config.
func (l *GaussianNoiseLayer) Config() map[string]any { return gaussianNoiseKeys.config(l) }
