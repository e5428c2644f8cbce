package layers_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// discretizationInputs are values on, between, below and above the boundaries −1, 0, 0.1, 2.
var discretizationInputs = tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]float32{-3, -1, 0, 0.05, 0.1, 1.99, 2, 7}))

// TestDiscretization: given boundaries (0.1 compared in float32, as JAX does), encoded one
// hot and counted, against Keras.
func TestDiscretization(t *testing.T) {
	for _, mode := range []string{"one_hot", "count"} {
		t.Run(mode, func(t *testing.T) {
			out := keras.Shape{none, 5}
			if mode == "one_hot" {
				out = keras.Shape{none, 4, 5}
			}
			kerastest.RunLayerTest(t, kerastest.LayerCase{
				New:          func() keras.Layer { return layers.Discretization([]float64{-1, 0, 0.1, 2}, mode) },
				InputShapes:  []keras.Shape{{4}},
				Inputs:       []*tensor.Dense{discretizationInputs},
				OutputShapes: []keras.Shape{out},
				BadInputs:    [][]keras.Shape{{{4}, {4}}},
				Golden:       "testdata/kit/discretization_" + mode + ".json",
				NoGradients:  "bins are not differentiable",
			})
		})
	}
}

// TestDiscretizationInt: output_mode int gives int32 bin indices, as numpy's digitize; bad
// arguments are refused naming the layer.
func TestDiscretizationInt(t *testing.T) {
	x := keras.Input(keras.Shape{4})
	m, err := keras.NewModel([]*keras.Tensor{x}, keras.Outputs(layers.Discretization([]float64{-1, 0, 0.1, 2}, "int").Call(x)))
	if err != nil {
		t.Fatal(err)
	}
	y, err := m.Predict(discretizationInputs, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	got, ok := y[0].Data().([]int32)
	want := []int32{0, 1, 2, 2, 3, 3, 4, 4}
	if !ok || len(got) != len(want) {
		t.Fatalf("got %v (%T), want int32 %v", y[0].Data(), y[0].Data(), want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("bins %v, want %v", got, want)
		}
	}
	for _, l := range []*layers.DiscretizationLayer{
		layers.Discretization([]float64{1, 0}, "int"),
		layers.Discretization([]float64{0}, "tf_idf"),
		layers.DiscretizationBins(-1, 0.01, "int"),
		layers.DiscretizationBins(4, 0, "int"),
	} {
		if err := l.Call(keras.Input(keras.Shape{2})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
			t.Errorf("got %v, want ErrInvalidArgument", err)
		}
	}
	if err := layers.Discretization([]float64{0}, "int").Adapt(discretizationInputs); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("Adapt with bin_boundaries: got %v, want ErrInvalidArgument", err)
	}
}
