package layers

import (
	"fmt"
	"math"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// RescalingLayer multiplies its input by scale and adds offset, as Keras's Rescaling: with
// scale 1/255 it maps pixels in [0, 255] to [0, 1]; with scale 1/127.5 and offset -1, to
// [-1, 1].
//
// # Input shape
//
// Any. # Output shape: the input's.
type RescalingLayer struct {
	keras.LayerBase
	scale, offset float64
}

var _ keras.Layer = (*RescalingLayer)(nil)

// Rescaling returns a layer computing x·scale + offset (Keras's offset defaults to 0).
// Options: Name, Trainable, DType.
func Rescaling(scale, offset float64, opts ...Option) *RescalingLayer {
	l := &RescalingLayer{scale: scale, offset: offset}
	return l.made(newOptions(opts))
}

// rescalingKeys is Rescaling's Keras config.
var rescalingKeys = configKeys[RescalingLayer]{
	floatKey("scale", func(l *RescalingLayer) *float64 { return &l.scale }, 1).req(),
	floatKey("offset", func(l *RescalingLayer) *float64 { return &l.offset }, 0),
}

func init() {
	registerLayer("Rescaling", rescalingKeys, func(l *RescalingLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its values, given to Rescaling or read from a saved config.
func (l *RescalingLayer) made(o *options) *RescalingLayer {
	initBase(&l.LayerBase, "Rescaling", o)
	for _, v := range []struct {
		key string
		x   float64
	}{{"scale", l.scale}, {"offset", l.offset}} {
		if math.IsNaN(v.x) || math.IsInf(v.x, 0) {
			l.SetErr(fmt.Errorf("%w: %s must be finite, got %v", keras.ErrInvalidArgument, v.key, v.x))
		}
	}
	return l
}

// Call applies the layer to x.
func (l *RescalingLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "Rescaling".
func (l *RescalingLayer) ClassName() string { return "Rescaling" }

// SupportsMasking reports that a mask passes through unchanged.
func (l *RescalingLayer) SupportsMasking() bool { return true }

// Build checks the input: the layer has no weights.
func (l *RescalingLayer) Build(in []keras.Shape) error { return checkOneInput(in, 1) }

// OutputShapes returns the input shape.
func (l *RescalingLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 1); err != nil {
		return nil, err
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward computes x·scale + offset, in Keras's order.
func (l *RescalingLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	return o.Result(o.Shift(o.Scale(in[0], l.scale), l.offset))
}

// Config returns Keras 3's Rescaling config.
func (l *RescalingLayer) Config() map[string]any { return rescalingKeys.config(l) }

// PaddingRole reports that each time step is computed on its own and the mask passes through,
// so batches of masked token ids may be bucketed (see keras.PaddingRole).
func (l *RescalingLayer) PaddingRole() keras.PaddingRole { return keras.PaddingStepwise }
