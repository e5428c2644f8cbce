package layers

import (
	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// ActivationLayer applies an activation function: Keras's Activation layer. (The name
// Activation is the option that gives a layer its activation.)
type ActivationLayer struct {
	keras.LayerBase
	activation string
}

var _ keras.Layer = (*ActivationLayer)(nil)

// ActivationOf returns a layer that applies the named activation ("relu", "softmax" ...).
func ActivationOf(name string, opts ...Option) *ActivationLayer {
	o := newOptions(opts)
	l := &ActivationLayer{activation: name}
	initBase(&l.LayerBase, "Activation", o)
	l.SetErr(checkActivation(name))
	return l
}

// Call applies the layer to x.
func (l *ActivationLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "Activation".
func (l *ActivationLayer) ClassName() string { return "Activation" }

// SupportsMasking reports that a mask passes through unchanged.
func (l *ActivationLayer) SupportsMasking() bool { return true }

// Build does nothing: the layer has no weights.
func (l *ActivationLayer) Build(in []keras.Shape) error { return checkOneInput(in, 1) }

// OutputShapes returns the input shape.
func (l *ActivationLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 1); err != nil {
		return nil, err
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward applies the activation.
func (l *ActivationLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	return o.Result(o.Activation(l.activation, in[0]))
}

// Config returns Keras 3's Activation config.
func (l *ActivationLayer) Config() map[string]any {
	return map[string]any{"activation": activationConfig(l.activation)}
}

// PaddingRole reports that each time step is computed on its own and the mask passes through,
// so batches of masked token ids may be bucketed (see keras.PaddingRole).
func (l *ActivationLayer) PaddingRole() keras.PaddingRole { return keras.PaddingStepwise }

func init() {
	Register("Activation", func(c map[string]any) (keras.Layer, error) {
		r := newConfigReader("Activation", c)
		return r.done(ActivationOf(r.activation("activation"), optsAs[Option](r)...))
	})
}
