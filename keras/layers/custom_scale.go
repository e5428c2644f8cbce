package layers

import (
	"fmt"
	"math"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// CustomScaleLayer computes inputs[0] + inputs[1]·scale, the residual connection of Keras's
// InceptionResNetV2 (keras.applications), whose blocks add a scaled residual branch to their
// shortcut. Keras defines it in keras/src/applications/inception_resnet_v2.py without
// registering it, so Keras finds it through the module that file names; this layer writes
// that module, and a model Go saves loads in Keras.
//
// # Input shape
//
// Two tensors of one shape. # Output shape: that shape.
type CustomScaleLayer struct {
	keras.LayerBase
	scale float64
}

var _ keras.Layer = (*CustomScaleLayer)(nil)

// customScaleModule is the Python module Keras imports to rebuild the layer.
const customScaleModule = "keras.src.applications.inception_resnet_v2"

// CustomScale returns a layer computing inputs[0] + inputs[1]·scale. Options: Name,
// Trainable, DType.
func CustomScale(scale float64, opts ...Option) *CustomScaleLayer {
	l := &CustomScaleLayer{scale: scale}
	return l.made(newOptions(opts))
}

// customScaleKeys is CustomScaleLayer's Keras config.
var customScaleKeys = configKeys[CustomScaleLayer]{
	floatKey("scale", func(l *CustomScaleLayer) *float64 { return &l.scale }, 1).req(),
}

func init() {
	registerLayer("CustomScaleLayer", customScaleKeys, func(l *CustomScaleLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks scale, given to CustomScale or read from a saved config.
func (l *CustomScaleLayer) made(o *options) *CustomScaleLayer {
	initBase(&l.LayerBase, "CustomScaleLayer", o)
	if math.IsNaN(l.scale) || math.IsInf(l.scale, 0) {
		l.SetErr(fmt.Errorf("%w: scale must be finite, got %v", keras.ErrInvalidArgument, l.scale))
	}
	return l
}

// Call applies the layer to the shortcut and the residual branch, in that order.
func (l *CustomScaleLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "CustomScaleLayer".
func (l *CustomScaleLayer) ClassName() string { return "CustomScaleLayer" }

// KerasModule returns the module Keras imports the class from and the class as its
// registered name (see keras.KerasModuler): Keras does not register CustomScaleLayer.
func (l *CustomScaleLayer) KerasModule() (string, string) {
	return customScaleModule, "CustomScaleLayer"
}

// Build checks the inputs; the layer has no weights.
func (l *CustomScaleLayer) Build(in []keras.Shape) error {
	_, err := l.OutputShapes(in)
	return err
}

// OutputShapes checks that there are two inputs of one shape and returns it.
func (l *CustomScaleLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if len(in) != 2 {
		return nil, keras.ShapeError("expects 2 inputs (shortcut, residual), got %d", len(in))
	}
	if !in[0].Compatible(in[1]) {
		return nil, keras.ShapeError("inputs must have one shape: input 0 is %v, input 1 is %v", in[0], in[1])
	}
	out := in[0].Clone()
	for j := range out {
		if out[j] < 0 {
			out[j] = in[1][j]
		}
	}
	return []keras.Shape{out}, nil
}

// Forward computes inputs[0] + inputs[1]·scale, in Keras's order.
func (l *CustomScaleLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	return o.Result(o.Add(in[0], o.Scale(in[1], l.scale)))
}

// Config returns Keras 3's CustomScaleLayer config.
func (l *CustomScaleLayer) Config() map[string]any { return customScaleKeys.config(l) }
