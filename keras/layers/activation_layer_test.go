package layers_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

func TestActivationLayer(t *testing.T) {
	for _, name := range []string{"relu", "sigmoid", "tanh", "softmax", "softplus", "silu", "softsign", "exponential", "linear", "hard_sigmoid", "hard_silu", "gelu"} {
		t.Run(name, func(t *testing.T) {
			kerastest.RunLayerTest(t, kerastest.LayerCase{
				New:          func() keras.Layer { return layers.ActivationOf(name) },
				InputShapes:  []keras.Shape{{2, 3}},
				OutputShapes: []keras.Shape{{keras.None, 2, 3}},
				BadInputs:    [][]keras.Shape{{{2, 3}, {2, 3}}},
				Golden:       "testdata/kit/activation_" + name + ".json",
			})
		})
	}
}

// TestActivationLayerUnknownName: a typo is an error at the call, naming the layer.
func TestActivationLayerUnknownName(t *testing.T) {
	l := layers.ActivationOf("rellu")
	err := l.Call(keras.Input(keras.Shape{2})).Err()
	var le *keras.LayerError
	if !errors.Is(err, keras.ErrUnknownName) || !errors.As(err, &le) || le.Layer != l.Name() {
		t.Fatalf("got %v, want an unknown-name error naming %s", err, l.Name())
	}
}
