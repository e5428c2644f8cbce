package layers_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

func TestUnitNormalization(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.UnitNormalization() },
		InputShapes:  []keras.Shape{{3, 4}},
		OutputShapes: []keras.Shape{{keras.None, 3, 4}},
		BadInputs:    [][]keras.Shape{{{3, 4}, {3, 4}}},
		Golden:       "testdata/kit/unit_normalization.json",
	})
	// A row of zeros stays zeros (Keras's floor on the norm), next to an ordinary row.
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.UnitNormalization() },
		InputShapes:  []keras.Shape{{3}},
		OutputShapes: []keras.Shape{{keras.None, 3}},
		Inputs:       []*tensor.Dense{tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{0, 0, 0, 3, -4, 12}))},
		Golden:       "testdata/kit/unit_normalization_zero.json",
	})
}

// TestUnitNormalizationValues: each row comes out of unit norm.
func TestUnitNormalizationValues(t *testing.T) {
	in := keras.Input(keras.Shape{3})
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.UnitNormalization().Call(in)))
	if err != nil {
		t.Fatal(err)
	}
	y, err := m.Predict(tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float32{3, -4, 12})), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{3.0 / 13, -4.0 / 13, 12.0 / 13} {
		if got := float64(y[0].Data().([]float32)[i]); math.Abs(got-want) > 1e-6 {
			t.Errorf("element %d = %v, want %v", i, got, want)
		}
	}
}
