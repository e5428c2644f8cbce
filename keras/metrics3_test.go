package keras_test

import (
	"archive/zip"
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
// it with sample weights: every log, name and value, must be Keras's. It then saves the model,
// reads Go's file back in Go to the same logs and, unless -short, has Keras load Go's file
// and read every metric object as the class and config Go wrote.
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
	// Keras reads the file Go wrote: every metric object comes back as the same class with
	// the config Go gave it (Keras's own get_config, so every key means the same to both).
	py := testenv.Python(t, "keras", "numpy")
	out := testenv.PythonOutput(t, py, metrics3Script, path)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var seen []struct {
		List      string         `json:"list"`
		ClassName string         `json:"class_name"`
		Config    map[string]any `json:"config"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &seen); err != nil {
		t.Fatalf("Keras's output %q: %v", out, err)
	}
	written := goMetricObjects(t, path)
	if len(seen) != len(written) || len(seen) < 10 {
		t.Fatalf("Keras read %d metric objects, Go wrote %d", len(seen), len(written))
	}
	for i, s := range seen {
		w := written[i]
		if s.ClassName != w.ClassName {
			t.Errorf("%s[%d]: Keras reads a %s, Go wrote a %s", s.List, i, s.ClassName, w.ClassName)
			continue
		}
		for k, v := range w.Config {
			if k == "dtype" {
				continue // Keras reads "float32" back as a dtype policy
			}
			if got, err := json.Marshal(s.Config[k]); err != nil || string(got) != mustJSON(t, v) {
				t.Errorf("%s %s: Keras reads %s = %s, Go wrote %s", s.List, w.ClassName, k, got, mustJSON(t, v))
			}
		}
	}
}

type metricObject struct {
	ClassName string         `json:"class_name"`
	Config    map[string]any `json:"config"`
}

// goMetricObjects returns the metric objects of the compile_config of a .keras file, metrics
// then weighted metrics.
func goMetricObjects(t *testing.T, path string) []metricObject {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	f, err := z.Open("config.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cfg struct {
		CompileConfig struct {
			Metrics         []json.RawMessage `json:"metrics"`
			WeightedMetrics []json.RawMessage `json:"weighted_metrics"`
		} `json:"compile_config"`
	}
	if err := json.NewDecoder(f).Decode(&cfg); err != nil {
		t.Fatal(err)
	}
	var out []metricObject
	for _, raw := range append(cfg.CompileConfig.Metrics, cfg.CompileConfig.WeightedMetrics...) {
		var m metricObject
		if json.Unmarshal(raw, &m) == nil && m.ClassName != "" {
			out = append(out, m)
		}
	}
	return out
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
