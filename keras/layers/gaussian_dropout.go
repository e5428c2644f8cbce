package layers

import (
	"fmt"
	"math"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// GaussianDropoutLayer multiplies its input by Gaussian noise of mean 1 and standard deviation
// √(rate/(1−rate)) during training, as Keras's GaussianDropout; in Evaluate and Predict it
// returns its input.
//
// # Input shape
//
// Any. # Output shape: the input's.
type GaussianDropoutLayer struct {
	keras.LayerBase
	rate float64
}

var _ keras.Layer = (*GaussianDropoutLayer)(nil)

// GaussianDropout returns a layer of multiplicative N(1, rate/(1−rate)) noise in training
// (0 ≤ rate ≤ 1, as Keras requires). The noise is drawn from the fit loop's random source
// (keras.SetRandomSeed); Keras's seed argument is not taken. Options: Name, Trainable, DType.
func GaussianDropout(rate float64, opts ...Option) *GaussianDropoutLayer {
	l := &GaussianDropoutLayer{rate: rate}
	return l.made(newOptions(opts))
}

// gaussianDropoutKeys is GaussianDropout's Keras config; a saved seed is read and ignored,
// since the noise comes from the fit loop's random source.
var gaussianDropoutKeys = configKeys[GaussianDropoutLayer]{
	floatKey("rate", func(l *GaussianDropoutLayer) *float64 { return &l.rate }, 0).req(),
	writeKey("seed", func(*GaussianDropoutLayer) any { return nil }),
}

func init() {
	registerLayer("GaussianDropout", gaussianDropoutKeys, func(l *GaussianDropoutLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks the rate, as Keras's constructor does, given to
// GaussianDropout or read from a saved config.
func (l *GaussianDropoutLayer) made(o *options) *GaussianDropoutLayer {
	initBase(&l.LayerBase, "GaussianDropout", o)
	if !(l.rate >= 0 && l.rate <= 1) {
		l.SetErr(fmt.Errorf("%w: rate must be in [0, 1], got %v", keras.ErrInvalidArgument, l.rate))
	}
	return l
}

// Call applies the layer to x.
func (l *GaussianDropoutLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "GaussianDropout".
func (l *GaussianDropoutLayer) ClassName() string { return "GaussianDropout" }

// SupportsMasking reports that a mask passes through unchanged.
func (l *GaussianDropoutLayer) SupportsMasking() bool { return true }

// Build checks the input: the layer has no weights.
func (l *GaussianDropoutLayer) Build(in []keras.Shape) error { return checkOneInput(in, 1) }

// OutputShapes returns the input shape.
func (l *GaussianDropoutLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 1); err != nil {
		return nil, err
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward multiplies by the noise in the training realisation and passes x through otherwise.
// A rate of 1 would make the deviation infinite; Keras gives NaN there, this layer an error.
func (l *GaussianDropoutLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	if !ctx.Training() || l.rate == 0 {
		return in[:1], nil
	}
	o := ops.New(ctx)
	return o.Result(o.Mul(in[0], o.Normal(in[0], 1, math.Sqrt(l.rate/(1-l.rate)), l.Name())))
}

// Config returns Keras 3's GaussianDropout config.
func (l *GaussianDropoutLayer) Config() map[string]any { return gaussianDropoutKeys.config(l) }
