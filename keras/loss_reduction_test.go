package keras_test

import (
	"encoding/json"
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/losses"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

const reductionFitScript = "KERAS_BACKEND=jax python3 keras/testdata/reduction/reduction_fit.py"

type reductionRun struct {
	Evaluate         float64              `json:"evaluate"`
	WeightedEvaluate float64              `json:"weighted_evaluate"`
	History          map[string][]float64 `json:"history"`
	WeightedHistory  map[string][]float64 `json:"weighted_history"`
	// ClassWeightedHistory is fit's History with class weights {0: 0.5, 1: 2}, when recorded.
	ClassWeightedHistory map[string][]float64 `json:"class_weighted_history"`
}

type reductionFit struct {
	X            [][]float32             `json:"x"`
	Y            [][]float32             `json:"y"`
	SampleWeight []float64               `json:"sample_weight"`
	Runs         map[string]reductionRun `json:"runs"`
	Shared       struct {
		OutputNames []string             `json:"output_names"`
		History     map[string][]float64 `json:"history"`
	} `json:"shared"`
}

func readReductionFit(t *testing.T) reductionFit {
	t.Helper()
	var g reductionFit
	testenv.ReadJSON(t, "testdata/reduction/reduction_fit.json", &g, reductionFitScript)
	return g
}

// checkHistory compares every key of Keras's History with Go's, epoch by epoch, and the key
// sets themselves.
func checkHistory(t *testing.T, what string, got, want map[string][]float64) {
	t.Helper()
	if g, w := sortedKeys(got), sortedKeys(want); !reflect.DeepEqual(g, w) {
		t.Errorf("%s: History keys %v, Keras %v", what, g, w)
	}
	for k, ws := range want {
		for i, w := range ws {
			if i >= len(got[k]) {
				t.Errorf("%s: %s has %d epochs, Keras %d", what, k, len(got[k]), len(ws))
				break
			}
			if g := got[k][i]; math.Abs(g-w) > 1e-4*math.Max(1, math.Abs(w)) {
				t.Errorf("%s: epoch %d %s %.7g, Keras %.7g", what, i+1, k, g, w)
			}
		}
	}
}

// Models Keras 3.15 compiled with reduction "sum" (MeanSquaredError) and
// "mean_with_sample_weight" (Huber) load with their reduction, evaluate to Keras's numbers
// and train 2 epochs (a short last batch) to Keras's History, without and with sample
// weights. Before reductions, loading them was an error; with the default reduction every
// number differs. LogCosh and SquaredHinge(reduction="sum") do the same, and train with
// class weights to Keras's History too: before every loss had its per-sample form, their
// sample and class weights were an error.
func TestLoadedReductionsTrainAsKeras(t *testing.T) {
	g := readReductionFit(t)
	x, y := matrix(g.X), matrix(g.Y)
	for _, c := range []struct{ name string }{{"sum"}, {"mean_sw"}, {"log_cosh"}, {"squared_hinge_sum"}} {
		t.Run(c.name, func(t *testing.T) {
			run := g.Runs[c.name]
			file := filepath.Join("testdata/reduction", c.name+".keras")
			for _, weighted := range []bool{false, true} {
				m, err := keras.LoadModel(file)
				if err != nil {
					t.Fatal(err)
				}
				opts := []keras.FitOption{keras.BatchSize(4), keras.Epochs(2), keras.Shuffle(false), keras.Verbose(0)}
				evOpts := []keras.EvaluateOption{keras.BatchSize(4), keras.Verbose(0)}
				wantEv, wantH := run.Evaluate, run.History
				if weighted {
					opts = append(opts, keras.SampleWeight(g.SampleWeight))
					evOpts = append(evOpts, keras.SampleWeight(g.SampleWeight))
					wantEv, wantH = run.WeightedEvaluate, run.WeightedHistory
				}
				ev, err := m.Evaluate(x, y, evOpts...)
				if err != nil {
					t.Fatal(err)
				}
				if !closeTo(ev["loss"], wantEv) {
					t.Errorf("weighted %v: Evaluate loss %.7g, Keras %.7g", weighted, ev["loss"], wantEv)
				}
				h, err := m.Fit(x, y, opts...)
				if err != nil {
					t.Fatal(err)
				}
				checkHistory(t, "weighted "+strconv.FormatBool(weighted), h.History, wantH)
			}
			if run.ClassWeightedHistory == nil {
				return
			}
			m, err := keras.LoadModel(file)
			if err != nil {
				t.Fatal(err)
			}
			h, err := m.Fit(x, y, keras.BatchSize(4), keras.Epochs(2), keras.Shuffle(false), keras.Verbose(0),
				keras.ClassWeight(map[int]float64{0: 0.5, 1: 2}))
			if err != nil {
				t.Fatal(err)
			}
			checkHistory(t, "class weights", h.History, run.ClassWeightedHistory)
		})
	}
}

// A loss without reduction (Keras's None) loads, evaluates to the mean Keras's loss tracker
// reports, and is refused by Fit, TrainOnBatch and Gradients with an error naming the output
// and the reduction, where Keras 3 fails taking the gradient of a non-scalar.
func TestNoReductionEvaluatesAndRefusesTraining(t *testing.T) {
	g := readReductionFit(t)
	x, y := matrix(g.X), matrix(g.Y)
	m, err := keras.LoadModel("testdata/reduction/none.keras")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := m.Evaluate(x, y, keras.BatchSize(4), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if want := g.Runs["none"].Evaluate; !closeTo(ev["loss"], want) {
		t.Errorf("Evaluate loss %.7g, Keras %.7g", ev["loss"], want)
	}
	wev, err := m.Evaluate(x, y, keras.BatchSize(4), keras.Verbose(0), keras.SampleWeight(g.SampleWeight))
	if err != nil {
		t.Fatal(err)
	}
	if want := g.Runs["none"].WeightedEvaluate; !closeTo(wev["loss"], want) {
		t.Errorf("weighted Evaluate loss %.7g, Keras %.7g", wev["loss"], want)
	}
	check := func(call string, err error) {
		t.Helper()
		if !errors.Is(err, keras.ErrInvalidArgument) || !strings.Contains(err.Error(), `"none"`) || !strings.Contains(err.Error(), "out") {
			t.Errorf("%s: got %v, want an ErrInvalidArgument naming the output and the reduction", call, err)
		}
	}
	_, err = m.Fit(x, y, keras.Verbose(0))
	check("Fit", err)
	_, err = m.TrainOnBatch(x, y)
	check("TrainOnBatch", err)
	_, _, err = m.Gradients(x, y)
	check("Gradients", err)
}

// Distribution averages its replicas' losses and gradients by rows, right for means only:
// a Sum or MeanWithSampleWeight loss under it is an error naming the output and the reduction
// in Fit and Evaluate, where the model without it trains.
func TestDistributionRefusesSumReductions(t *testing.T) {
	g := readReductionFit(t)
	x, y := matrix(g.X), matrix(g.Y)
	m, err := keras.LoadModel("testdata/reduction/sum.keras")
	if err != nil {
		t.Fatal(err)
	}
	dist := keras.Distribution(keras.DataParallel(2))
	for call, err := range map[string]error{
		"Fit":      func() error { _, err := m.Fit(x, y, keras.Verbose(0), dist); return err }(),
		"Evaluate": func() error { _, err := m.Evaluate(x, y, keras.Verbose(0), dist); return err }(),
	} {
		if !errors.Is(err, keras.ErrInvalidArgument) || !strings.Contains(err.Error(), `"sum"`) {
			t.Errorf("%s: got %v, want an ErrInvalidArgument naming the reduction", call, err)
		}
	}
	if _, err := m.Fit(x, y, keras.Verbose(0)); err != nil {
		t.Errorf("Fit without Distribution: %v", err)
	}
}

// One layer called twice gives two outputs of one name; Keras 3.15 logs a single
// "<name>_loss", the last output's (its per-output loss trackers share the name). Go's
// History has the same keys and numbers.
func TestSharedLayerOutputsLogAsKeras(t *testing.T) {
	g := readReductionFit(t)
	x, y := matrix(g.X), matrix(g.Y)
	m, err := keras.LoadModel("testdata/reduction/shared.keras")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.OutputNames(); !reflect.DeepEqual(got, g.Shared.OutputNames) {
		t.Errorf("output names %v, Keras %v", got, g.Shared.OutputNames)
	}
	h, err := m.Fit(x, []*tensor.Dense{y, y}, keras.BatchSize(4), keras.Epochs(2), keras.Shuffle(false), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	checkHistory(t, "shared", h.History, g.Shared.History)
}

// Models Go compiles with reductions save them; Keras 3.15 loads the files with the same
// loss classes and reductions and evaluates them (with sample weights) to Go's numbers. One
// Python run checks every file.
func TestGoSavedReductionsLoadInKeras(t *testing.T) {
	py := testenv.Python(t, "keras", "numpy")
	g := readReductionFit(t)
	x, y := matrix(g.X), matrix(g.Y)
	cases := []struct {
		loss  losses.Loss
		class string
		want  string
	}{
		{losses.MeanSquaredError{Reduction: losses.Sum}, "MeanSquaredError", "sum"},
		{losses.Huber{Delta: 2, Reduction: losses.MeanWithSampleWeight}, "Huber", "mean_with_sample_weight"},
		{losses.MeanAbsoluteError{Reduction: losses.NoReduction}, "MeanAbsoluteError", "none"},
	}
	dir := t.TempDir()
	var files []string
	goLoss := make([]float64, len(cases))
	for i, c := range cases {
		m, err := keras.LoadModel("testdata/reduction/sum.keras")
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Compile(optimizers.SGD(optimizers.LearningRate(0.05)), c.loss); err != nil {
			t.Fatal(err)
		}
		ev, err := m.Evaluate(x, y, keras.BatchSize(4), keras.Verbose(0), keras.SampleWeight(g.SampleWeight))
		if err != nil {
			t.Fatal(err)
		}
		goLoss[i] = ev["loss"]
		p := filepath.Join(dir, c.want+".keras")
		if err := m.Save(p); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	out := testenv.PythonOutput(t, py, "-c", `
import json, sys, numpy as np, keras
d = json.loads(sys.argv[1])
x, y = np.array(d["x"], "float32"), np.array(d["y"], "float32")
sw = np.array(d["sample_weight"], "float32")
res = []
for p in d["files"]:
    m = keras.saving.load_model(p)
    ev = m.evaluate(x, y, batch_size=4, sample_weight=sw, verbose=0)
    res.append([type(m.loss).__name__, m.loss.reduction, float(ev)])
print(json.dumps(res))`, jsonOf(t, map[string]any{"x": g.X, "y": g.Y, "sample_weight": g.SampleWeight, "files": files}))
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var got [][]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil || len(got) != len(cases) {
		t.Fatalf("Keras printed %s (%v)", out, err)
	}
	for i, c := range cases {
		if got[i][0] != c.class || got[i][1] != c.want {
			t.Errorf("%s: Keras loads %v %v, want %s with reduction %q", c.want, got[i][0], got[i][1], c.class, c.want)
		}
		if v, ok := got[i][2].(float64); !ok || !closeTo(goLoss[i], v) {
			t.Errorf("%s: Go evaluates %.7g, Keras %v from Go's file", c.want, goLoss[i], got[i][2])
		}
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
