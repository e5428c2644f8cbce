package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// TestNormalizationsOfOneNameKeepTheirStatistics: two models, each with a Normalization named
// "norm" given its own mean and variance (two saved models loaded into one ensemble keep their
// layers' names), used side by side in an outer model. The statistics are leaves of the graph
// named after the layer, and Gorgonia's ExprGraph.AddNode returns an existing leaf of the same
// name, type and shape: the second model normalised with the first one's statistics, so
// a(x) − b(x) came out 0 where it is (x − 1) − (x − 3)/2.
func TestNormalizationsOfOneNameKeepTheirStatistics(t *testing.T) {
	member := func(model string, mean, variance float64) *keras.Model {
		in := keras.Input(keras.Shape{2}, keras.DType("float64"))
		out := layers.Normalization([]int{-1}, []float64{mean, mean}, []float64{variance, variance}, false, layers.Name("norm")).Call(in)
		m, err := keras.NewModel([]*keras.Tensor{in}, keras.Outputs(out), keras.Name(model))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	a, b := member("a", 1, 1), member("b", 3, 4)
	in := keras.Input(keras.Shape{2}, keras.DType("float64"))
	m, err := keras.NewModel([]*keras.Tensor{in}, keras.Outputs(layers.Subtract().Call(a.Call(in), b.Call(in))))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0, 1, 5, -3}))
	y, err := m.Predict(x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range x.Data().([]float64) {
		if got, want := y[0].Data().([]float64)[i], (v-1)-(v-3)/2; got != want {
			t.Fatalf("entry %d: a(x) − b(x) = %v, want %v (got %v)", i, got, want, y[0].Data())
		}
	}
}
