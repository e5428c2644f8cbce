package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// MaskingLayer masks the time steps whose features all equal a mask value, as Keras's Masking:
// it zeroes those steps and passes a mask on (1 for the other steps), which recurrent layers
// downstream (LSTM, GRU, SimpleRNN) use to skip them.
//
// # Input shape
//
// (batch, steps, …, features), rank ≥ 2 with the batch. # Output shape: the input's; the mask
// has the input's shape without the features axis: (batch, steps) for a sequence.
type MaskingLayer struct {
	keras.LayerBase
	maskValue float64
}

var _ keras.Layer = (*MaskingLayer)(nil)

// Masking returns a layer that masks every step whose features all equal maskValue (Keras's
// default is 0). Options: Name, Trainable, DType.
func Masking(maskValue float64, opts ...Option) *MaskingLayer {
	l := &MaskingLayer{maskValue: maskValue}
	return l.made(newOptions(opts))
}

// maskingKeys is Masking's Keras config.
var maskingKeys = configKeys[MaskingLayer]{
	floatKey("mask_value", func(l *MaskingLayer) *float64 { return &l.maskValue }, 0),
}

func init() {
	registerLayer("Masking", maskingKeys, func(l *MaskingLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer, given to Masking or read from a saved config.
func (l *MaskingLayer) made(o *options) *MaskingLayer {
	initBase(&l.LayerBase, "Masking", o)
	return l
}

// Call applies the layer to x.
func (l *MaskingLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "Masking".
func (l *MaskingLayer) ClassName() string { return "Masking" }

// MaskValue returns the value that marks a padded step.
func (l *MaskingLayer) MaskValue() float64 { return l.maskValue }

// Build checks the input: the layer has no weights.
func (l *MaskingLayer) Build(in []keras.Shape) error {
	_, err := l.OutputShapes(in)
	return err
}

// OutputShapes returns the input shape; the input needs a features axis after the batch.
func (l *MaskingLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 2); err != nil {
		return nil, err
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward zeroes the masked steps and attaches the mask. A step is kept when the sum of
// |x − mask_value| over its features is above 0, which is Keras's any(x != mask_value): the
// comparison Gt gives 1 or 0 and has no gradient, so the gradient flows to x only through the
// product, as in Keras.
func (l *MaskingLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	x := in[0]
	s := x.Shape()
	o := ops.New(ctx)
	dist := o.SumLast(o.Abs(o.Shift(x, -l.maskValue))) // (…, 1)
	if err := o.Err(); err != nil {
		return nil, err
	}
	keep, err := G.Gt(dist, o.Constant(0), true)
	if err != nil {
		return nil, fmt.Errorf("the mask's comparison: %w", err)
	}
	y := o.Mul(x, o.BroadcastLast(keep, s[len(s)-1]))
	mask := o.Reshape(keep, s[:len(s)-1]...)
	outs, err := o.Result(y, mask)
	if err != nil {
		return nil, err
	}
	ctx.SetMask(outs[0], outs[1])
	return outs[:1], nil
}

// Config returns Keras 3's Masking config.
func (l *MaskingLayer) Config() map[string]any { return maskingKeys.config(l) }
