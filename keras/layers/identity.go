package layers

import (
	"github.com/kerago/kerago/keras"
	G "gorgonia.org/gorgonia"
)

// IdentityLayer returns its input unchanged, as Keras's Identity: a placeholder where a model
// takes a layer but should do nothing.
//
// # Input shape
//
// Any. # Output shape: the input's.
type IdentityLayer struct {
	keras.LayerBase
}

var _ keras.Layer = (*IdentityLayer)(nil)

// Identity returns a layer that passes its input through. Options: Name, Trainable, DType.
func Identity(opts ...Option) *IdentityLayer {
	l := &IdentityLayer{}
	return l.made(newOptions(opts))
}

// identityKeys is Identity's Keras config: only the common keys.
var identityKeys = configKeys[IdentityLayer]{}

func init() {
	registerLayer("Identity", identityKeys, func(l *IdentityLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer, given to Identity or read from a saved config.
func (l *IdentityLayer) made(o *options) *IdentityLayer {
	initBase(&l.LayerBase, "Identity", o)
	return l
}

// Call applies the layer to x.
func (l *IdentityLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "Identity".
func (l *IdentityLayer) ClassName() string { return "Identity" }

// SupportsMasking reports that a mask passes through unchanged.
func (l *IdentityLayer) SupportsMasking() bool { return true }

// Build checks the input: the layer has no weights.
func (l *IdentityLayer) Build(in []keras.Shape) error { return checkOneInput(in, 1) }

// OutputShapes returns the input shape.
func (l *IdentityLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 1); err != nil {
		return nil, err
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward returns the input node itself.
func (l *IdentityLayer) Forward(_ *keras.Context, in []*G.Node) ([]*G.Node, error) {
	return in[:1], nil
}

// Config returns Keras 3's Identity config.
func (l *IdentityLayer) Config() map[string]any { return identityKeys.config(l) }

// PaddingRole reports that each time step is computed on its own and the mask passes through,
// so batches of masked token ids may be bucketed (see keras.PaddingRole).
func (l *IdentityLayer) PaddingRole() keras.PaddingRole { return keras.PaddingStepwise }
