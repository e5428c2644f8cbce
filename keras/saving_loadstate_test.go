package keras_test

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
)

// TestConcurrentLoadsKeepTheirBudgets loads one file from several goroutines at once: each
// load charges its own layers against its own weight budget (the budget lives with the
// loader, not in LayerBase), every model comes back with the saved weights, and no layer is
// left charged afterwards, so a finished load limits nothing.
func TestConcurrentLoadsKeepTheirBudgets(t *testing.T) {
	in := keras.Input(keras.Shape{3})
	h := layers.Dense(4, layers.Activation("relu")).Call(in)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Dense(2).Call(h)))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.keras")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	const loads = 4
	got := make([]*keras.Model, loads)
	errs := make([]error, loads)
	var wg sync.WaitGroup
	for i := range loads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = keras.LoadModel(path)
		}()
	}
	wg.Wait()
	for i := range loads {
		if errs[i] != nil {
			t.Fatalf("load %d: %v", i, errs[i])
		}
		if d := maxDiff(t, "weights", m.Weights(), got[i].Weights()); d != 0 {
			t.Errorf("load %d: weights differ by %g", i, d)
		}
	}
	if n := keras.LoadBudgetsForTest(); n != 0 {
		t.Errorf("%d layers are still charged against a finished load's budget", n)
	}
}
