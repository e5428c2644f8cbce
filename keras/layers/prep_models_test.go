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
	Features       struct{ X, Y any }
	IDs            struct{ X, Y any } `json:"ids"`
	Discretized    struct{ X, Y any }
	TimeDist       struct{ X, Y any } `json:"time_distributed"`
	Discretization struct {
		Values any
		Bins   map[string]struct {
			NumBins    int `json:"num_bins"`
			Epsilon    float64
			Boundaries []float64
		}
	}
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
// CategoryEncoding, Discretization (adapted) and TimeDistributed load in Go and predict
// Keras's outputs.
func TestPrepModelsWrittenByKeras(t *testing.T) {
	var raw prepModels
	readPrepJSON(t, "prep_models", &raw)
	for _, tc := range []struct {
		file string
		x, y any
	}{
		{"prep_features.keras", raw.Features.X, raw.Features.Y},
		{"prep_ids.keras", raw.IDs.X, raw.IDs.Y},
		{"prep_discretization.keras", raw.Discretized.X, raw.Discretized.Y},
		{"prep_time_distributed.keras", raw.TimeDist.X, raw.TimeDist.Y},
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

// TestDiscretizationAdaptAsKeras: Adapt's quantile boundaries equal Keras's on 300 values with
// ties, as one array, as three batches (summaries merged), and at a coarse epsilon (summaries
// compressed on every merge).
func TestDiscretizationAdaptAsKeras(t *testing.T) {
	var c prepModels
	readPrepJSON(t, "prep_models", &c)
	values := nestedTensor(t, c.Discretization.Values)
	v := values.Data().([]float32)
	part := func(from, to int) *tensor.Dense {
		return tensor.New(tensor.WithShape(to-from, 1), tensor.WithBacking(append([]float32(nil), v[from:to]...)))
	}
	data := map[string]any{
		"whole":    values,
		"streamed": []*tensor.Dense{part(0, 120), part(120, 250), part(250, 300)},
		"coarse":   []*tensor.Dense{part(0, 100), part(100, 300)},
	}
	if len(c.Discretization.Bins) != len(data) {
		t.Fatalf("%d cases in the golden file, want %d", len(c.Discretization.Bins), len(data))
	}
	for name, want := range c.Discretization.Bins {
		l := layers.DiscretizationBins(want.NumBins, want.Epsilon, "int")
		if err := l.Adapt(data[name]); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := l.Boundaries()
		if len(got) != len(want.Boundaries) {
			t.Errorf("%s: boundaries %v, Keras %v", name, got, want.Boundaries)
			continue
		}
		// One array, and coarse summaries, match bit for bit; where merged summaries hold
		// equal values of different weights, Keras orders them with numpy's unstable
		// argsort (SIMD quicksort), which Go cannot replay: measured 5e-7 relative.
		for i := range got {
			if math.Abs(got[i]-want.Boundaries[i]) > 1e-5*math.Max(1, math.Abs(want.Boundaries[i])) {
				t.Errorf("%s: boundaries %v, Keras %v", name, got, want.Boundaries)
				break
			}
		}
	}
}
