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
	l := &ActivationLayer{activation: name}
	return l.made(newOptions(opts))
}

// activationLayerKeys is the Activation layer's Keras config.
var activationLayerKeys = configKeys[ActivationLayer]{
	activationKey("activation", func(l *ActivationLayer) *string { return &l.activation }),
}

func init() {
	registerLayer("Activation", activationLayerKeys, func(l *ActivationLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its activation, given to ActivationOf or read from a
// saved config.
func (l *ActivationLayer) made(o *options) *ActivationLayer {
	initBase(&l.LayerBase, "Activation", o)
	l.SetErr(checkActivation(l.activation))
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
func (l *ActivationLayer) Config() map[string]any { return activationLayerKeys.config(l) }

// PaddingRole reports that each time step is computed on its own and the mask passes through,
// so batches of masked token ids may be bucketed (see keras.PaddingRole).
func (l *ActivationLayer) PaddingRole() keras.PaddingRole { return keras.PaddingStepwise }
