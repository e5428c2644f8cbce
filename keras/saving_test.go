package keras_test

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"gorgonia.org/tensor"
)

// flat returns a tensor's values as float64.
func flat(t *testing.T, d *tensor.Dense) []float64 {
	t.Helper()
	switch v := d.Data().(type) {
	case []float32:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return append([]float64(nil), v...)
	case []int64:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case int64:
		return []float64{float64(v)}
	case float64:
		return []float64{v}
	case float32:
		return []float64{float64(v)}
	}
	t.Fatalf("unexpected tensor data %T", d.Data())
	return nil
}

// maxDiff returns the largest absolute difference between two lists of tensors, failing on
// different counts or shapes.
func maxDiff(t *testing.T, what string, a, b []*tensor.Dense) float64 {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d tensors vs %d", what, len(a), len(b))
	}
	worst := 0.0
	for i := range a {
		if !a[i].Shape().Eq(b[i].Shape()) {
			t.Fatalf("%s %d: shape %v vs %v", what, i, a[i].Shape(), b[i].Shape())
		}
		x, y := flat(t, a[i]), flat(t, b[i])
		for j := range x {
			worst = math.Max(worst, math.Abs(x[j]-y[j]))
		}
	}
	return worst
}

func fitOnce(t *testing.T, m *keras.Model, c zooCase, seed int64) {
	t.Helper()
	keras.SetRandomSeed(seed)
	if _, err := m.Fit(c.x(), c.y(), keras.Epochs(1), keras.BatchSize(4), keras.Shuffle(false), keras.Verbose(0)); err != nil {
		t.Fatalf("Fit: %v", err)
	}
}

func predict(t *testing.T, m *keras.Model, c zooCase) []*tensor.Dense {
	t.Helper()
	out, err := m.Predict(c.x(), keras.Verbose(0))
	if err != nil {
		t.Fatalf("Predict: %v", err)
	}
	return out
}

func layerSummary(m *keras.Model) []string {
	var out []string
	for _, l := range m.Layers() {
		s := l.Name() + ":" + l.ClassName()
		if inner, ok := l.(*keras.Model); ok {
			s += fmt.Sprint(layerSummary(inner))
		}
		out = append(out, s)
	}
	return out
}

// TestSaveLoadRoundTrip saves every zoo model after one epoch of training in both model
// formats, loads it back and checks the architecture, the weights, the predictions, the
// optimizer state and that the next training epoch gives the same weights as on the original.
func TestSaveLoadRoundTrip(t *testing.T) {
	for _, c := range zoo() {
		for _, ext := range []string{".keras", ".h5"} {
			t.Run(c.name+ext, func(t *testing.T) {
				keras.SetRandomSeed(1)
				m := c.build(t)
				if !c.noCompile {
					fitOnce(t, m, c, 2)
				}
				path := filepath.Join(t.TempDir(), "model"+ext)
				if err := m.Save(path); err != nil {
					t.Fatalf("Save: %v", err)
				}
				got, err := keras.LoadModel(path)
				if err != nil {
					t.Fatalf("LoadModel: %v", err)
				}
				if a, b := fmt.Sprint(layerSummary(m)), fmt.Sprint(layerSummary(got)); a != b {
					t.Fatalf("layers differ:\n saved  %s\n loaded %s", a, b)
				}
				if d := maxDiff(t, "weights", m.Weights(), got.Weights()); d != 0 {
					t.Errorf("weights differ by %g", d)
				}
				if d := maxDiff(t, "predictions", predict(t, m, c), predict(t, got, c)); d != 0 {
					t.Errorf("predictions differ by %g", d)
				}
				if c.noCompile {
					if got.Optimizer() != nil {
						t.Errorf("an uncompiled model loaded compiled")
					}
					return
				}
				if got.Optimizer() == nil {
					t.Fatalf("loaded model is not compiled")
				}
				if g, w := got.Optimizer().Name(), m.Optimizer().Name(); g != w {
					t.Errorf("optimizer %s, saved %s", g, w)
				}
				if d := maxDiff(t, "optimizer variables", m.Optimizer().Variables(), got.Optimizer().Variables()); d != 0 {
					t.Errorf("optimizer variables differ by %g", d)
				}
				if c.stochastic {
					return
				}
				fitOnce(t, m, c, 3)
				fitOnce(t, got, c, 3)
				if d := maxDiff(t, "weights after resuming", m.Weights(), got.Weights()); d != 0 {
					t.Errorf("resumed training differs from uninterrupted training by %g", d)
				}
				if g, w := got.Optimizer().Iterations(), m.Optimizer().Iterations(); g != w || w != 4 {
					t.Errorf("iterations %d, uninterrupted %d (want 4)", g, w)
				}
			})
		}
	}
}

// TestSaveWeightsLoadWeights writes weights alone and reads them into a fresh copy of each
// zoo model, from the .weights.h5 file, from a .keras archive and from a legacy .h5 file.
func TestSaveWeightsLoadWeights(t *testing.T) {
	for _, c := range zoo() {
		t.Run(c.name, func(t *testing.T) {
			keras.SetRandomSeed(1)
			m := c.build(t)
			if !c.noCompile {
				fitOnce(t, m, c, 2)
			}
			dir := t.TempDir()
			files := map[string]string{}
			for _, ext := range []string{".weights.h5", ".keras", ".h5"} {
				p := filepath.Join(dir, "m"+ext)
				var err error
				if ext == ".weights.h5" {
					err = m.SaveWeights(p)
				} else {
					err = m.Save(p)
				}
				if err != nil {
					t.Fatalf("saving %s: %v", ext, err)
				}
				files[ext] = p
			}
			for ext, p := range files {
				keras.SetRandomSeed(99) // different initial weights
				fresh := c.build(t)
				if maxDiff(t, "weights", m.Weights(), fresh.Weights()) == 0 {
					t.Fatalf("the fresh model already has the saved weights")
				}
				if err := fresh.LoadWeights(p); err != nil {
					t.Fatalf("LoadWeights(%s): %v", ext, err)
				}
				if d := maxDiff(t, "weights", m.Weights(), fresh.Weights()); d != 0 {
					t.Errorf("%s: weights differ by %g", ext, d)
				}
				if d := maxDiff(t, "predictions", predict(t, m, c), predict(t, fresh, c)); d != 0 {
					t.Errorf("%s: predictions differ by %g", ext, d)
				}
				if ext == ".weights.h5" && !c.noCompile {
					if d := maxDiff(t, "optimizer", m.Optimizer().Variables(), fresh.Optimizer().Variables()); d != 0 {
						t.Errorf("optimizer variables differ by %g", d)
					}
				}
			}
		})
	}
}

// TestZooCoversEveryLayer fails when a registered layer class has no round-trip case, here or
// in a kerastest.RunLayerTest of package layers.
func TestZooCoversEveryLayer(t *testing.T) {
	keras.SetRandomSeed(1)
	seen := map[string]bool{}
	for _, c := range zoo() {
		classes(c.build(t), seen)
	}
	var missing []string
	for _, class := range keras.RegisteredLayers() {
		// A layer tested with kerastest.RunLayerTest has had its own save/load round trip.
		// An operation (registered as module>class) has TestNumpyOp's golden numpy_op_<class>.
		kitClass := class
		if op, ok := strings.CutPrefix(class, "keras.src.ops.numpy>"); ok {
			kitClass = "NumpyOp" + op
		}
		if kit, err := kerastest.HasGolden("layers/testdata/kit", kitClass); err != nil {
			t.Fatal(err)
		} else if !seen[class] && !kit {
			missing = append(missing, class)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("layer classes without a saving round trip: %s", strings.Join(missing, ", "))
	}
}
