package keras_test

import (
	"encoding/json"
	"errors"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/metrics"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// weightingGolden is testdata/weighting/weighting.json, written by weighting.py.
type weightingGolden struct {
	X            [][]float32 `json:"x"`
	Y            [][]float32 `json:"y"`
	YA           [][]float32 `json:"y_a"`
	SampleWeight []float64   `json:"sample_weight"`
	Runs         map[string]struct {
		History  map[string][]float64 `json:"history"`
		Evaluate map[string]float64   `json:"evaluate"`
	} `json:"runs"`
	Names    map[string][]string `json:"names"`
	Errors   map[string]string   `json:"errors"`
	Sequence struct {
		X            [][]float32          `json:"x"` // (n, steps·features), reshaped by the test
		Y            [][]float32          `json:"y"`
		SampleWeight [][]float32          `json:"sample_weight"` // (n, steps)
		History      map[string][]float64 `json:"history"`
	} `json:"sequence"`
}

const weightingScript = "testdata/weighting/weighting.py"

func matrix(rows [][]float32) *tensor.Dense {
	var flat []float32
	for _, r := range rows {
		flat = append(flat, r...)
	}
	return tensor.New(tensor.WithShape(len(rows), len(rows[0])), tensor.WithBacking(flat))
}

func readWeighting(t *testing.T) weightingGolden {
	t.Helper()
	var g weightingGolden
	testenv.ReadJSON(t, "testdata/weighting/weighting.json", &g, weightingScript)
	return g
}

func closeTo(got, want float64) bool { return math.Abs(got-want) <= 1e-5*math.Max(1, math.Abs(want)) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestWeightedTrainingMatchesKeras trains Keras's saved model 3 epochs from its saved
// weights with sample_weight, class_weight and validation_freq, and compares every History
// value (and Evaluate's) with Keras 3's own run.
func TestWeightedTrainingMatchesKeras(t *testing.T) {
	g := readWeighting(t)
	x, y := matrix(g.X), matrix(g.Y)
	runs := map[string]struct {
		metrics, weighted []string
		fit               []keras.FitOption
		eval              []keras.EvaluateOption
	}{
		"sample_weight": {[]string{"acc", "mse"}, []string{"acc", "auc", "categorical_crossentropy"},
			[]keras.FitOption{keras.SampleWeight(g.SampleWeight), keras.ValidationSplit(0.25), keras.ValidationFreq(2)},
			[]keras.EvaluateOption{keras.SampleWeight(g.SampleWeight)}},
		"class_weight": {[]string{"accuracy"}, []string{"accuracy", "precision"},
			[]keras.FitOption{keras.ClassWeight(map[int]float64{0: 1, 1: 2.5, 2: 0.5}), keras.ValidationSplit(0.25)}, nil},
		"plain": {[]string{"top_k_categorical_accuracy", "bce", "kl_divergence"}, nil,
			[]keras.FitOption{keras.ValidationSplit(0.25), keras.ValidationFreq(3)}, nil},
	}
	for name, r := range runs {
		t.Run(name, func(t *testing.T) {
			want, ok := g.Runs[name]
			if !ok {
				t.Fatalf("no Keras run %q (regenerate with %s)", name, weightingScript)
			}
			m, err := keras.LoadModel("testdata/weighting/model.keras")
			if err != nil {
				t.Fatal(err)
			}
			opts := []keras.CompileOption{keras.Metrics(r.metrics...)}
			if r.weighted != nil {
				opts = append(opts, keras.WeightedMetrics(r.weighted...))
			}
			if err := m.Compile(optimizers.SGD(optimizers.LearningRate(0.2)), "categorical_crossentropy", opts...); err != nil {
				t.Fatal(err)
			}
			fit := append([]keras.FitOption{keras.BatchSize(8), keras.Epochs(3), keras.Shuffle(false), keras.Verbose(0)}, r.fit...)
			h, err := m.Fit(x, y, fit...)
			if err != nil {
				t.Fatal(err)
			}
			if got, exp := sortedKeys(h.History), sortedKeys(want.History); strings.Join(got, ",") != strings.Join(exp, ",") {
				t.Fatalf("history keys %v, Keras %v", got, exp)
			}
			for k, ws := range want.History {
				gs := h.History[k]
				if len(gs) != len(ws) {
					t.Errorf("%s: %d values, Keras %d (validation_freq)", k, len(gs), len(ws))
					continue
				}
				for e := range ws {
					if !closeTo(gs[e], ws[e]) {
						t.Errorf("%s[%d] = %.7g, Keras %.7g", k, e, gs[e], ws[e])
					}
				}
			}
			ev, err := m.Evaluate(x, y, append([]keras.EvaluateOption{keras.BatchSize(8), keras.Verbose(0)}, r.eval...)...)
			if err != nil {
				t.Fatal(err)
			}
			for k, w := range want.Evaluate {
				if got, ok := ev[k]; !ok || !closeTo(got, w) {
					t.Errorf("Evaluate %s = %.7g (present %v), Keras %.7g", k, got, ok, w)
				}
			}
		})
	}
}

// TestMetricsLogNamesMatchKeras compiles a two-output model with each metrics argument of
// weighting.py and compares the logged names with Keras 3's; a flat list of the wrong length
// is an error, as in Keras 3.
func TestMetricsLogNamesMatchKeras(t *testing.T) {
	g := readWeighting(t)
	x := matrix(g.X)
	ys := []*tensor.Dense{matrix(g.YA), matrix(g.Y)}
	cases := map[string][]keras.CompileOption{
		"flat":          {keras.Metrics("acc", "mse")},
		"flat_nested":   {keras.OutputMetrics(map[string][]string{"out_a": {"acc", "mae"}, "out_b": {"accuracy", "acc"}})},
		"dict":          {keras.OutputMetrics(map[string][]string{"out_b": {"acc", "top_k_categorical_accuracy"}})},
		"weighted_flat": {keras.Metrics("accuracy", "accuracy"), keras.WeightedMetrics("accuracy", "mse")},
		"weighted_dict": {keras.OutputMetrics(map[string][]string{"out_b": {"accuracy"}}),
			keras.OutputWeightedMetrics(map[string][]string{"out_b": {"accuracy"}, "out_a": {"bce"}})},
	}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			m, err := keras.LoadModel("testdata/weighting/two_outputs.keras")
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Compile("sgd", []string{"binary_crossentropy", "categorical_crossentropy"}, opts...); err != nil {
				t.Fatal(err)
			}
			h, err := m.Fit(x, ys, keras.BatchSize(8), keras.Shuffle(false), keras.Verbose(0), keras.SampleWeight(g.SampleWeight))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := sortedKeys(h.History), g.Names[name]; strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("log names %v, Keras %v", got, want)
			}
		})
	}
	for name, metrics := range map[string][]string{"flat_short": {"acc"}, "flat_long": {"acc", "mse", "mae"}} {
		t.Run(name, func(t *testing.T) {
			if g.Errors[name] == "" {
				t.Fatalf("Keras accepted %v (regenerate with %s)", metrics, weightingScript)
			}
			m, err := keras.LoadModel("testdata/weighting/two_outputs.keras")
			if err != nil {
				t.Fatal(err)
			}
			err = m.Compile("sgd", []string{"binary_crossentropy", "categorical_crossentropy"}, keras.Metrics(metrics...))
			if !errors.Is(err, keras.ErrInvalidArgument) || !strings.Contains(err.Error(), "one entry per output") {
				t.Fatalf("Compile with metrics %v: %v; Keras: %s", metrics, err, g.Errors[name])
			}
		})
	}
}

// TestKerasCompiledMetricObjectsLoad loads a model Keras compiled with metric objects
// (AUC(num_thresholds=50), Precision(thresholds=0.3), F1Score) and weighted metrics, and
// evaluates it with sample weights as Keras does; then saves it and loads it again, so the
// compile_config Go writes reads back to the same numbers.
func TestKerasCompiledMetricObjectsLoad(t *testing.T) {
	g := readWeighting(t)
	want := g.Runs["compiled"].Evaluate
	if len(want) == 0 {
		t.Fatalf("no Keras evaluation of compiled.keras (regenerate with %s)", weightingScript)
	}
	x, y := matrix(g.X), matrix(g.Y)
	m, err := keras.LoadModel("testdata/weighting/compiled.keras")
	if err != nil {
		t.Fatal(err)
	}
	check := func(m *keras.Model, when string) {
		t.Helper()
		ev, err := m.Evaluate(x, y, keras.BatchSize(8), keras.Verbose(0), keras.SampleWeight(g.SampleWeight))
		if err != nil {
			t.Fatal(err)
		}
		if got, exp := sortedKeys(ev), sortedKeys(want); strings.Join(got, ",") != strings.Join(exp, ",") {
			t.Fatalf("%s: logs %v, Keras %v", when, got, exp)
		}
		for k, w := range want {
			if !closeTo(ev[k], w) {
				t.Errorf("%s: %s = %.7g, Keras %.7g", when, k, ev[k], w)
			}
		}
	}
	check(m, "Keras-written")
	path := t.TempDir() + "/resaved.keras"
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	m2, err := keras.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	check(m2, "Go-written")
}

// TestGoCompiledMetricObjectsLoadInKeras compiles Keras's model in Go with metric objects
// and weighted metrics, saves it, and has Keras 3 load and evaluate it with the same sample
// weights: the logs (names and values) must be Go's.
func TestGoCompiledMetricObjectsLoadInKeras(t *testing.T) {
	py := testenv.Python(t, "keras", "numpy")
	g := readWeighting(t)
	m, err := keras.LoadModel("testdata/weighting/model.keras")
	if err != nil {
		t.Fatal(err)
	}
	err = m.Compile(optimizers.SGD(optimizers.LearningRate(0.2)), "categorical_crossentropy",
		keras.Metrics("acc"),
		keras.MetricObjects(metrics.NewAUC(metrics.NumThresholds(30), metrics.Name("auc30")), metrics.NewRecall(metrics.Thresholds(0.4))),
		keras.WeightedMetrics("acc", "categorical_crossentropy"),
		keras.WeightedMetricObjects(metrics.NewF1Score(metrics.Average("weighted"))))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := m.Evaluate(matrix(g.X), matrix(g.Y), keras.BatchSize(8), keras.Verbose(0), keras.SampleWeight(g.SampleWeight))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "go_compiled.keras")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	out := testenv.PythonOutput(t, py, "testdata/weighting/keras_evaluate.py", path)
	var want map[string]float64
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatalf("Keras's output %q: %v", out, err)
	}
	if got, exp := sortedKeys(ev), sortedKeys(want); strings.Join(got, ",") != strings.Join(exp, ",") {
		t.Fatalf("Go logs %v, Keras %v", got, exp)
	}
	for k, w := range want {
		if !closeTo(ev[k], w) {
			t.Errorf("%s: Go %.7g, Keras %.7g", k, ev[k], w)
		}
	}
}

// TestPerStepSampleWeightsMatchKeras trains a sequence output with Keras's per-time-step
// weights (n, steps) 2 epochs from Keras's saved weights and compares History with Keras's:
// the loss is Σ w·loss over batch × steps, weighted metrics Σ w·v / Σ w.
func TestPerStepSampleWeightsMatchKeras(t *testing.T) {
	g := readWeighting(t)
	sq := g.Sequence
	if len(sq.History) == 0 {
		t.Fatalf("no Keras sequence run (regenerate with %s)", weightingScript)
	}
	n := len(sq.X)
	x := matrix(sq.X)
	x.Reshape(n, 5, 3)
	y := matrix(sq.Y)
	y.Reshape(n, 5, 2)
	w := matrix(sq.SampleWeight)
	m, err := keras.LoadModel("testdata/weighting/sequence.keras")
	if err != nil {
		t.Fatal(err)
	}
	err = m.Compile(optimizers.SGD(optimizers.LearningRate(0.3)), "categorical_crossentropy", keras.Metrics("acc"),
		keras.WeightedMetrics("acc", "mse"), keras.WeightedMetricObjects(metrics.NewPrecision(metrics.Name("precision_2"))))
	if err != nil {
		t.Fatal(err)
	}
	h, err := m.Fit(x, y, keras.BatchSize(8), keras.Epochs(2), keras.Shuffle(false), keras.Verbose(0), keras.SampleWeight(w))
	if err != nil {
		t.Fatal(err)
	}
	if got, exp := sortedKeys(h.History), sortedKeys(sq.History); strings.Join(got, ",") != strings.Join(exp, ",") {
		t.Fatalf("history keys %v, Keras %v", got, exp)
	}
	for k, ws := range sq.History {
		for e := range ws {
			if !closeTo(h.History[k][e], ws[e]) {
				t.Errorf("%s[%d] = %.7g, Keras %.7g", k, e, h.History[k][e], ws[e])
			}
		}
	}
}
