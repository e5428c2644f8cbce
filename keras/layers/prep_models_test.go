package layers_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// prepModels is testdata/prep/prep_models.json, written by prep_models.py with Keras 3.15.
type prepModels struct {
	Adapt struct {
		Data                   any
		Whole, Streamed, Inner [2]any
	}
	Features struct{ X, Y any }
	IDs      struct{ X, Y any } `json:"ids"`
}

// TestNormalizationAdaptAsKeras: Adapt on one array and on a list of batches (streamed, the
// variance merged as Keras merges it) gives Keras's mean and variance, per feature and with an
// inner axis kept.
func TestNormalizationAdaptAsKeras(t *testing.T) {
	var c prepModels
	readPrepJSON(t, "prep_models", &c)
	data := nestedTensor(t, c.Adapt.Data)
	s := data.Shape()
	batch := func(from, to int) *tensor.Dense {
		v := data.Data().([]float32)[from*s[1]*s[2] : to*s[1]*s[2]]
		return tensor.New(tensor.WithShape(to-from, s[1], s[2]), tensor.WithBacking(append([]float32(nil), v...)))
	}
	batches := []*tensor.Dense{batch(0, 4), batch(4, 8), batch(8, 10)}
	for _, tc := range []struct {
		name string
		axis []int
		data any
		want [2]any
	}{
		{"whole", []int{-1}, data, c.Adapt.Whole},
		{"streamed", []int{-1}, batches, c.Adapt.Streamed},
		{"inner", []int{1}, batches, c.Adapt.Inner},
	} {
		l := layers.Normalization(tc.axis, nil, nil, false)
		if err := l.Adapt(tc.data); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		x := keras.Input(keras.Shape{s[1], s[2]})
		if _, err := keras.NewModel([]*keras.Tensor{x}, keras.Outputs(l.Call(x))); err != nil {
			t.Fatal(err)
		}
		ws := l.Variables()
		for i, name := range []string{"mean", "variance"} {
			want := nestedTensor(t, tc.want[i])
			// Keras computes each batch's moments in float32: a few units in the last place
			// of the largest value (variances reach ~2000 here).
			scale := 1.0
			for _, v := range asFloat64s(want) {
				scale = math.Max(scale, math.Abs(v))
			}
			if d := closeTensors(ws[i].Value, want); d > 1e-6*scale || d != d {
				t.Errorf("%s: %s differs from Keras's by %g (largest value %g)", tc.name, name, d, scale)
			}
		}
	}
}

// TestPrepModelsWrittenByKeras: models Keras wrote with Normalization (adapted, and given with
// axis None and invert), gelu, GroupNormalization, LayerScale, ActivityRegularization and
// CategoryEncoding load in Go and predict Keras's outputs.
func TestPrepModelsWrittenByKeras(t *testing.T) {
	var raw prepModels
	readPrepJSON(t, "prep_models", &raw)
	for _, tc := range []struct {
		file string
		x, y any
	}{
		{"prep_features.keras", raw.Features.X, raw.Features.Y},
		{"prep_ids.keras", raw.IDs.X, raw.IDs.Y},
	} {
		m, err := keras.LoadModel(filepath.Join("testdata", "prep", tc.file))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		got, err := m.Predict(nestedTensor(t, tc.x), keras.Verbose(0))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if d := closeTensors(got[0], nestedTensor(t, tc.y)); d > 1e-5 || d != d {
			t.Errorf("%s: predictions differ from Keras's by %g", tc.file, d)
		}
	}
}
