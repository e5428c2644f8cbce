package layers

import (
	"fmt"
	"math"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// CustomScaleLayerLayer adds a scaled residual to a shortcut: given [x, r] it returns
// x + r·scale, as the CustomScaleLayer of Keras's InceptionResNetV2 application
// (keras.src.applications.inception_resnet_v2) does after each Inception-ResNet block. It has
// no weights.
//
// # Input shape
//
// Two tensors of one shape. # Output shape: that shape.
type CustomScaleLayerLayer struct {
	keras.LayerBase
	scale float64
}

var _ keras.Layer = (*CustomScaleLayerLayer)(nil)

// CustomScaleLayer returns InceptionResNetV2's residual scaling layer, computing x + r·scale
// for its inputs [x, r]. Options: Name, Trainable, DType.
func CustomScaleLayer(scale float64, opts ...Option) *CustomScaleLayerLayer {
	l := &CustomScaleLayerLayer{scale: scale}
	return l.made(newOptions(opts))
}

// customScaleKeys is CustomScaleLayer's Keras config; Keras requires scale.
var customScaleKeys = configKeys[CustomScaleLayerLayer]{
	floatKey("scale", func(l *CustomScaleLayerLayer) *float64 { return &l.scale }, 0).req(),
}

func init() {
	registerLayer("CustomScaleLayer", customScaleKeys, func(l *CustomScaleLayerLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its scale, given to CustomScaleLayer or read from a saved
// config.
func (l *CustomScaleLayerLayer) made(o *options) *CustomScaleLayerLayer {
	initBase(&l.LayerBase, "CustomScaleLayer", o)
	if math.IsNaN(l.scale) || math.IsInf(l.scale, 0) {
		l.SetErr(fmt.Errorf("%w: scale must be finite, got %v", keras.ErrInvalidArgument, l.scale))
	}
	return l
}

// KerasModule returns the module Keras defines CustomScaleLayer in, which its loader needs.
func (l *CustomScaleLayerLayer) KerasModule() (string, string) {
	return "keras.src.applications.inception_resnet_v2", "CustomScaleLayer"
}

// Call applies the layer to [x, r].
func (l *CustomScaleLayerLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "CustomScaleLayer".
func (l *CustomScaleLayerLayer) ClassName() string { return "CustomScaleLayer" }

// Build checks the inputs; the layer has no weights.
func (l *CustomScaleLayerLayer) Build(in []keras.Shape) error {
	_, err := l.OutputShapes(in)
	return err
}

// OutputShapes checks that the two inputs share one shape and returns it.
func (l *CustomScaleLayerLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if len(in) != 2 {
		return nil, keras.ShapeError("expects 2 inputs [x, residual], got %d", len(in))
	}
	if !in[0].Compatible(in[1]) {
		return nil, keras.ShapeError("inputs must have one shape: x is %v, the residual %v", in[0], in[1])
	}
	out := in[0].Clone()
	for j := range out {
		if out[j] < 0 {
			out[j] = in[1][j]
		}
	}
	return []keras.Shape{out}, nil
}

// Forward computes x + r·scale, in Keras's order.
func (l *CustomScaleLayerLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	return o.Result(o.Add(in[0], o.Scale(in[1], l.scale)))
}

// Config returns Keras 3's CustomScaleLayer config.
func (l *CustomScaleLayerLayer) Config() map[string]any { return customScaleKeys.config(l) }
