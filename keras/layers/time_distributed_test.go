package layers_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestTimeDistributed: Dense and Conv2D applied to every step with one set of weights (saved
// below "layer" as Keras saves them), against Keras, which loads the Go-written model.
func TestTimeDistributed(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.TimeDistributed(layers.Dense(2, layers.Activation("tanh"))) },
		InputShapes:  []keras.Shape{{3, 4}},
		OutputShapes: []keras.Shape{{none, 3, 2}},
		Weights:      []keras.Shape{{4, 2}, {2}},
		BadInputs:    [][]keras.Shape{{{4}}, {{3, 5}}},
		Golden:       "testdata/kit/time_distributed_dense.json",
	})
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New: func() keras.Layer {
			return layers.TimeDistributed(layers.Conv2D(2, 2, layers.Padding("same")))
		},
		InputShapes:  []keras.Shape{{2, 3, 3, 1}},
		OutputShapes: []keras.Shape{{none, 2, 3, 3, 2}},
		Weights:      []keras.Shape{{2, 2, 1, 2}, {2}},
		BadInputs:    [][]keras.Shape{{{3, 3, 1}}},
		Golden:       "testdata/kit/time_distributed_conv2d.json",
	})
}

// TestTimeDistributedArguments: a layer already called, or none, is refused naming the
// wrapper.
func TestTimeDistributedArguments(t *testing.T) {
	d := layers.Dense(2)
	d.Call(keras.Input(keras.Shape{3}))
	for _, l := range []*layers.TimeDistributedLayer{layers.TimeDistributed(d), layers.TimeDistributed(nil)} {
		if err := l.Call(keras.Input(keras.Shape{2, 3})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
			t.Errorf("got %v, want ErrInvalidArgument", err)
		}
	}
}
