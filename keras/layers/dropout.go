package layers

import (
	"fmt"
	"math/rand/v2"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// DropoutLayer sets a random fraction rate of its inputs to zero during training and scales
// the others by 1/(1-rate) (inverted dropout), as Keras's Dropout does; at inference
// (Evaluate, Predict) it is the identity.
//
// Gorgonia's own Dropout op has a wrong gradient (it divides by the rate instead of 1-rate),
// so the mask is drawn in Go each step and fed to the graph as an input (ops.Builder.Dropout).
type DropoutLayer struct {
	keras.LayerBase
	rate       float64
	noiseShape []int // nil: one draw per entry; -1 for None (see NoiseShape)
}

var _ keras.Layer = (*DropoutLayer)(nil)

// Dropout returns a dropout layer that drops the fraction rate (0 ≤ rate ≤ 1) of its inputs.
func Dropout(rate float64, opts ...DropoutOption) *DropoutLayer {
	o := newOptions(opts)
	if o.set["Rate"] {
		rate = o.rate
	}
	l := &DropoutLayer{rate: rate, noiseShape: o.noiseShape}
	return l.made(o)
}

// dropoutKeys is Dropout's Keras config; seed is not implemented.
var dropoutKeys = configKeys[DropoutLayer]{
	floatKey("rate", func(l *DropoutLayer) *float64 { return &l.rate }, 0).req(),
	nullKey[DropoutLayer]("seed"),
	noiseShapeKey(),
}

func init() {
	registerLayer("Dropout", dropoutKeys, func(l *DropoutLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its rate, given to Dropout or read from a saved config.
func (l *DropoutLayer) made(o *options) *DropoutLayer {
	initBase(&l.LayerBase, "Dropout", o)
	if l.rate < 0 || l.rate > 1 {
		l.SetErr(fmt.Errorf("%w: rate must be in [0, 1], got %v", keras.ErrInvalidArgument, l.rate))
	}
	return l
}

// Call applies the layer to x.
func (l *DropoutLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "Dropout".
func (l *DropoutLayer) ClassName() string { return "Dropout" }

// Rate returns the fraction of inputs dropped.
func (l *DropoutLayer) Rate() float64 { return l.rate }

// SupportsMasking reports that a mask passes through unchanged.
func (l *DropoutLayer) SupportsMasking() bool { return true }

// Build checks the input (and the noise shape against it): Dropout has no weights.
func (l *DropoutLayer) Build(in []keras.Shape) error {
	_, err := l.OutputShapes(in)
	return err
}

// OutputShapes returns the input shape.
func (l *DropoutLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 1); err != nil {
		return nil, err
	}
	if err := l.checkNoiseShape(in[0]); err != nil {
		return nil, err
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward multiplies x by a fresh mask in training and passes it through otherwise.
func (l *DropoutLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	if l.noiseShape == nil || !ctx.Training() || l.rate == 0 {
		return o.Result(o.Dropout(in[0], l.rate, l.Name()))
	}
	x, keep, noise := in[0], 1-l.rate, l.noiseShape
	mask := ctx.Feed(l.Name()+"/mask", x.Dtype(), x.Shape(), func(t *tensor.Dense, rng *rand.Rand) {
		fillNoiseMask(t, noise, keep, rng)
	})
	return o.Result(o.Mul(x, mask))
}

// Config returns Keras 3's Dropout config.
func (l *DropoutLayer) Config() map[string]any { return dropoutKeys.config(l) }

// PaddingRole reports that each time step is computed on its own and the mask passes through,
// so batches of masked token ids may be bucketed (see keras.PaddingRole).
func (l *DropoutLayer) PaddingRole() keras.PaddingRole { return keras.PaddingStepwise }

// DropoutOption is an option Dropout takes: Rate and the common options.
type DropoutOption interface {
	applier
	dropout()
}

// dropoutOnly carries the options only Dropout takes.
type dropoutOnly struct{ setter }

func (dropoutOnly) dropout() {}

// Rate sets a Dropout's rate (the fraction of units dropped).
func Rate(f float64) DropoutOption {
	return dropoutOnly{func(o *options) { o.mark("Rate"); o.rate = f }}
}
