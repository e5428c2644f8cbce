package keras_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
)

const metrics3Script = "testdata/metrics3/metrics3.py"

type metrics3Golden struct {
	X            [][]float32        `json:"x"`
	Y            [][]float32        `json:"y"`
	SampleWeight []float64          `json:"sample_weight"`
	Evaluate     map[string]float64 `json:"evaluate"`
}

// TestMetricObjects3RoundTrip loads a model Keras compiled with the second set of metric
// objects (multi-label AUC with label weights, the constrained-curve metrics, the IoU
// family, R2Score, the correlations, micro F1Score; some as weighted metrics) and evaluates
// it with sample weights: every log, name and value, must be Keras's. It then saves the model
// and, unless -short, has Keras load Go's file and evaluate it to the same logs.
func TestMetricObjects3RoundTrip(t *testing.T) {
	var g metrics3Golden
	testenv.ReadJSON(t, "testdata/metrics3/metrics3.json", &g, metrics3Script)
	if len(g.Evaluate) < 10 {
		t.Fatalf("metrics3.json holds %d logs (regenerate with %s)", len(g.Evaluate), metrics3Script)
	}
	x, y := matrix(g.X), matrix(g.Y)
	check := func(m *keras.Model, got map[string]float64, when string) {
		t.Helper()
		if got == nil {
			var err error
			if got, err = m.Evaluate(x, y, keras.BatchSize(8), keras.Verbose(0), keras.SampleWeight(g.SampleWeight)); err != nil {
				t.Fatalf("%s: %v", when, err)
			}
		}
		if a, b := sortedKeys(got), sortedKeys(g.Evaluate); strings.Join(a, ",") != strings.Join(b, ",") {
			t.Fatalf("%s: logs %v, Keras %v", when, a, b)
		}
		for k, w := range g.Evaluate {
			if !closeTo(got[k], w) {
				t.Errorf("%s: %s = %.7g, Keras %.7g", when, k, got[k], w)
			}
		}
	}
	m, err := keras.LoadModel("testdata/metrics3/compiled.keras")
	if err != nil {
		t.Fatal(err)
	}
	check(m, nil, "Keras-written")
	path := filepath.Join(t.TempDir(), "go_metrics3.keras")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	m2, err := keras.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	check(m2, nil, "Go-written, read by Go")
	if testing.Short() {
		return
	}
	py := testenv.Python(t, "keras", "numpy")
	out := testenv.PythonOutput(t, py, metrics3Script, path)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var fromKeras map[string]float64
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &fromKeras); err != nil {
		t.Fatalf("Keras's output %q: %v", out, err)
	}
	check(nil, fromKeras, "Go-written, read by Keras")
}
