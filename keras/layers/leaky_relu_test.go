package layers_test

import (
	"errors"
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

func TestLeakyReLU(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.LeakyReLU(0.3) },
		InputShapes:  []keras.Shape{{3, 2}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2}},
		BadInputs:    [][]keras.Shape{{{3, 2}, {3, 2}}},
		Golden:       "testdata/kit/leaky_relu.json",
	})
}

// TestLeakyReLUValues checks the examples of Keras's LeakyReLU documentation.
func TestLeakyReLUValues(t *testing.T) {
	for _, c := range []struct {
		slope   float64
		in, out []float32
	}{
		{0.5, []float32{-10, -5, 0, 5, 10}, []float32{-5, -2.5, 0, 5, 10}},
		{0.3, []float32{-3, -1, 0, 2}, []float32{-0.9, -0.3, 0, 2}},
		{0, []float32{-3, 4}, []float32{0, 4}},
	} {
		in := keras.Input(keras.Shape{len(c.in)})
		m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.LeakyReLU(c.slope).Call(in)))
		if err != nil {
			t.Fatal(err)
		}
		y, err := m.Predict(tensor.New(tensor.WithShape(1, len(c.in)), tensor.WithBacking(c.in)), keras.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range y[0].Data().([]float32) {
			if math.Abs(float64(v-c.out[i])) > 1e-6 {
				t.Errorf("slope %v: LeakyReLU(%v) = %v, want %v", c.slope, c.in[i], v, c.out[i])
			}
		}
	}
}

// TestLeakyReLUConfig: a negative slope is refused at the call, and Keras 2's "alpha" key
// still loads, as in Keras 3.
func TestLeakyReLUConfig(t *testing.T) {
	err := layers.LeakyReLU(-0.1).Call(keras.Input(keras.Shape{2})).Err()
	if !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("LeakyReLU(-0.1): got %v, want ErrInvalidArgument", err)
	}
	l, err := keras.DeserializeLayer(map[string]any{"class_name": "LeakyReLU", "config": map[string]any{"name": "old", "alpha": 0.1}})
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Config()["negative_slope"]; got != 0.1 {
		t.Errorf("negative_slope from alpha = %v, want 0.1", got)
	}
}
