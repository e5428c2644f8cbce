package layers

import (
	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// checkActivation returns an error for an unknown activation name. The activations themselves
// are the layer kit's (keras/ops), so a custom layer gets the same set.
func checkActivation(name string) error { return ops.CheckActivation(name) }

// activate applies the named activation and, for softmax and sigmoid, records the logits so
// that losses can be computed from them.
func activate(ctx *keras.Context, name string, x *G.Node) (*G.Node, error) {
	o := ops.New(ctx)
	y := o.Activation(name, x)
	return y, o.Err()
}

// activationConfig is how Keras 3 writes an activation in a config: the name, "linear" for
// none.
func activationConfig(name string) string {
	if name == "" {
		return "linear"
	}
	return name
}
