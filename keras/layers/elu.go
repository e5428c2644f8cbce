package layers

import (
	"fmt"
	"math"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// ELULayer is the exponential linear unit, as Keras's ELU: x for x > 0 and
// alpha·(exp(x) − 1) otherwise.
//
// # Input shape
//
// Any. # Output shape: the input's.
type ELULayer struct {
	keras.LayerBase
	alpha float64
}

var _ keras.Layer = (*ELULayer)(nil)

// ELU returns an exponential linear unit scaling its negative part by alpha (Keras's default
// is 1). Options: Name, Trainable, DType.
func ELU(alpha float64, opts ...Option) *ELULayer {
	l := &ELULayer{alpha: alpha}
	return l.made(newOptions(opts))
}

// eluKeys is ELU's Keras config.
var eluKeys = configKeys[ELULayer]{
	floatKey("alpha", func(l *ELULayer) *float64 { return &l.alpha }, 1),
}

func init() {
	registerLayer("ELU", eluKeys, func(l *ELULayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks alpha, given to ELU or read from a saved config. Keras
// takes any alpha; only a non-finite one, which would make every negative input NaN or
// infinite, is refused.
func (l *ELULayer) made(o *options) *ELULayer {
	initBase(&l.LayerBase, "ELU", o)
	if math.IsNaN(l.alpha) || math.IsInf(l.alpha, 0) {
		l.SetErr(fmt.Errorf("%w: alpha must be finite, got %v", keras.ErrInvalidArgument, l.alpha))
	}
	return l
}

// Call applies the layer to x.
func (l *ELULayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "ELU".
func (l *ELULayer) ClassName() string { return "ELU" }

// SupportsMasking reports that a mask passes through unchanged.
func (l *ELULayer) SupportsMasking() bool { return true }

// Build checks the input: the layer has no weights.
func (l *ELULayer) Build(in []keras.Shape) error { return checkOneInput(in, 1) }

// OutputShapes returns the input shape.
func (l *ELULayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 1); err != nil {
		return nil, err
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward applies the exponential linear unit.
func (l *ELULayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	return o.Result(o.Elu(in[0], l.alpha))
}

// Config returns Keras 3's ELU config.
func (l *ELULayer) Config() map[string]any { return eluKeys.config(l) }

// PaddingRole reports that each time step is computed on its own and the mask passes through,
// so batches of masked token ids may be bucketed (see keras.PaddingRole).
func (l *ELULayer) PaddingRole() keras.PaddingRole { return keras.PaddingStepwise }
