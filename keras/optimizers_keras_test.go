package keras_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"gorgonia.org/tensor"
)

// TestKerasCompiledOptimizers loads models Keras 3.15 compiled with AdamW, Adamax, Nadam,
// Lion, Adadelta and Ftrl (and AdamW with clipnorm) and trained two steps (testdata/optimizers/optimizers.py), and takes a
// third step here: the optimizer, its hyper-parameters (weight_decay included) and its saved
// state must all load for the weights to match Keras's third step.
func TestKerasCompiledOptimizers(t *testing.T) {
	dir := filepath.Join("testdata", "optimizers")
	b, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases struct {
		X, Y  arraySpec
		Cases []struct {
			Name    string      `json:"name"`
			Weights []arraySpec `json:"weights"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatalf("cases.json: %v", err)
	}
	for _, c := range cases.Cases {
		t.Run(c.Name, func(t *testing.T) {
			m, err := keras.LoadModel(filepath.Join(dir, c.Name+".keras"))
			if err != nil {
				t.Fatalf("LoadModel: %v", err)
			}
			opt := m.Optimizer()
			if opt == nil || opt.Name() != strings.TrimSuffix(c.Name, "_clipnorm") {
				t.Fatalf("optimizer %v, want %s", opt, c.Name)
			}
			if opt.Iterations() != 2 {
				t.Errorf("iterations %d, Keras saved 2", opt.Iterations())
			}
			if _, err := m.TrainOnBatch(cases.X.tensor(), cases.Y.tensor()); err != nil {
				t.Fatalf("TrainOnBatch: %v", err)
			}
			var want []*tensor.Dense
			for _, w := range c.Weights {
				want = append(want, w.tensor())
			}
			if d := maxDiff(t, "weights", want, m.Weights()); !(d <= kerasTolerance) {
				t.Errorf("weights after the third step differ from Keras's by %g (tolerance %g)", d, kerasTolerance)
			}
		})
	}
}

// TestCompileNewOptimizerNames compiles with each Keras identifier of the optimizers added
// after Adam and trains one step, which must move the weights.
func TestCompileNewOptimizerNames(t *testing.T) {
	for _, name := range []string{"adamw", "adamax", "nadam", "lion", "adadelta", "ftrl"} {
		t.Run(name, func(t *testing.T) {
			m, err := keras.LoadModel(filepath.Join("testdata", "optimizers", "adamw.keras"))
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Compile(name, "mse"); err != nil {
				t.Fatalf("Compile(%q): %v", name, err)
			}
			if m.Optimizer().Name() != name {
				t.Errorf("optimizer %s, want %s", m.Optimizer().Name(), name)
			}
			before := optimFloat32Copy(m.Weights()[0])
			x := tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]float32{1, 2, 3, 4, -1, 0.5, 2, 1}))
			y := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, -1, 0, 2}))
			if _, err := m.TrainOnBatch(x, y); err != nil {
				t.Fatal(err)
			}
			after := optimFloat32Copy(m.Weights()[0])
			same := true
			for i := range before {
				same = same && before[i] == after[i]
			}
			if same {
				t.Errorf("one %s step left the kernel unchanged", name)
			}
		})
	}
}

// optimFloat32Copy copies a float32 tensor's data.
func optimFloat32Copy(d *tensor.Dense) []float32 { return append([]float32(nil), d.Float32s()...) }
