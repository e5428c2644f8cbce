package layers

import (
	"fmt"
	"math/rand/v2"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// StochasticDepthLayer drops whole residual branches at random during training, as the
// StochasticDepth layer of Keras's ConvNeXt application (keras.src.applications.convnext):
// in training each sample of the batch keeps its input, scaled by 1/(1-dropPathRate), with
// probability 1-dropPathRate and is zeroed otherwise; at inference (Evaluate, Predict) it is
// the identity. It has no weights.
//
// The per-sample keep mask is drawn in Go each step, as Dropout's is, and spread over the
// sample's entries, so the gradient flows through the kept samples only.
//
// # Input shape
//
// Any. # Output shape: the input's.
type StochasticDepthLayer struct {
	keras.LayerBase
	rate float64
}

var _ keras.Layer = (*StochasticDepthLayer)(nil)

// StochasticDepth returns ConvNeXt's stochastic depth layer with drop_path_rate rate
// (0 ≤ rate < 1). Options: Name, Trainable, DType.
func StochasticDepth(rate float64, opts ...Option) *StochasticDepthLayer {
	l := &StochasticDepthLayer{rate: rate}
	return l.made(newOptions(opts))
}

// stochasticDepthKeys is StochasticDepth's Keras config; Keras requires drop_path_rate.
var stochasticDepthKeys = configKeys[StochasticDepthLayer]{
	floatKey("drop_path_rate", func(l *StochasticDepthLayer) *float64 { return &l.rate }, 0).req(),
}

func init() {
	registerLayer("StochasticDepth", stochasticDepthKeys, func(l *StochasticDepthLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its rate, given to StochasticDepth or read from a saved
// config. A rate of 1 is refused: Keras would divide by zero.
func (l *StochasticDepthLayer) made(o *options) *StochasticDepthLayer {
	initBase(&l.LayerBase, "StochasticDepth", o)
	if !(l.rate >= 0 && l.rate < 1) {
		l.SetErr(fmt.Errorf("%w: drop_path_rate must be in [0, 1), got %v", keras.ErrInvalidArgument, l.rate))
	}
	return l
}

// KerasModule returns the module Keras defines StochasticDepth in, which its loader needs.
func (l *StochasticDepthLayer) KerasModule() (string, string) {
	return "keras.src.applications.convnext", "StochasticDepth"
}

// Call applies the layer to x.
func (l *StochasticDepthLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "StochasticDepth".
func (l *StochasticDepthLayer) ClassName() string { return "StochasticDepth" }

// DropPathRate returns the probability of dropping a sample's branch in training.
func (l *StochasticDepthLayer) DropPathRate() float64 { return l.rate }

// Build checks the input: the layer has no weights.
func (l *StochasticDepthLayer) Build(in []keras.Shape) error { return checkOneInput(in, 1) }

// OutputShapes returns the input shape.
func (l *StochasticDepthLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 1); err != nil {
		return nil, err
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward passes x through at inference and multiplies it by a fresh per-sample mask of
// 0 and 1/(1-rate) in training.
func (l *StochasticDepthLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	x := in[0]
	if !ctx.Training() || l.rate == 0 {
		return o.Result(x)
	}
	keep := 1 - l.rate
	mask := ctx.Feed(l.Name()+"/keep", x.Dtype(), x.Shape(), func(t *tensor.Dense, rng *rand.Rand) {
		fillSampleMask(t, keep, rng)
	})
	return o.Result(o.Mul(x, mask))
}

// fillSampleMask writes, for each sample (index of the first axis), 1/keep into all its
// entries with probability keep and 0 otherwise: Keras's floor(keep + U[0, 1)) per sample,
// with x/keep folded in.
func fillSampleMask(t *tensor.Dense, keep float64, rng *rand.Rand) {
	n := t.Shape()[0]
	per := t.Shape().TotalSize() / max(n, 1)
	for i := 0; i < n; i++ {
		v := 0.0
		if rng.Float64() < keep {
			v = 1 / keep
		}
		switch d := t.Data().(type) {
		case []float32:
			for j := range d[i*per : (i+1)*per] {
				d[i*per+j] = float32(v)
			}
		case []float64:
			for j := range d[i*per : (i+1)*per] {
				d[i*per+j] = v
			}
		}
	}
}

// Config returns Keras 3's StochasticDepth config.
func (l *StochasticDepthLayer) Config() map[string]any { return stochasticDepthKeys.config(l) }
