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

func TestRescaling(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.Rescaling(1.0/127.5, -1) },
		InputShapes:  []keras.Shape{{3, 2}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2}},
		BadInputs:    [][]keras.Shape{{{3, 2}, {3, 2}}},
		Golden:       "testdata/kit/rescaling.json",
	})
}

// TestRescalingValues maps pixels to [0, 1] and to [-1, 1], as Keras's documentation does.
func TestRescalingValues(t *testing.T) {
	for _, c := range []struct {
		scale, offset float64
		in, out       []float32
	}{
		{1.0 / 255, 0, []float32{0, 51, 255}, []float32{0, 0.2, 1}},
		{1.0 / 127.5, -1, []float32{0, 127.5, 255}, []float32{-1, 0, 1}},
	} {
		in := keras.Input(keras.Shape{len(c.in)})
		m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Rescaling(c.scale, c.offset).Call(in)))
		if err != nil {
			t.Fatal(err)
		}
		y, err := m.Predict(tensor.New(tensor.WithShape(1, len(c.in)), tensor.WithBacking(c.in)), keras.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range y[0].Data().([]float32) {
			if math.Abs(float64(v-c.out[i])) > 1e-6 {
				t.Errorf("Rescaling(%v, %v)(%v) = %v, want %v", c.scale, c.offset, c.in[i], v, c.out[i])
			}
		}
	}
}

// TestRescalingConfig: a non-finite scale is refused at the call; a config without "scale"
// is refused naming the key, and one without "offset" takes Keras's 0.
func TestRescalingConfig(t *testing.T) {
	err := layers.Rescaling(math.Inf(1), 0).Call(keras.Input(keras.Shape{2})).Err()
	if !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("Rescaling(+Inf, 0): got %v, want ErrInvalidArgument", err)
	}
	if _, err := keras.DeserializeLayer(map[string]any{"class_name": "Rescaling", "config": map[string]any{"offset": 1.0}}); err == nil || !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("config without scale: got %v, want an ErrInvalidArgument naming scale", err)
	}
	l, err := keras.DeserializeLayer(map[string]any{"class_name": "Rescaling", "config": map[string]any{"name": "r", "scale": 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Config(); got["scale"] != 0.5 || got["offset"] != 0.0 {
		t.Errorf("config %v, want scale 0.5 and offset 0", got)
	}
}
