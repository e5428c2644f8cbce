package keras_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/regularizers"
)

// constrainedModel is the digits MLP with MaxNorm(0.5) on its first Dense kernel: a bound
// every unit's incoming weights exceed from the start (Glorot-uniform columns of 64 have
// norms near 1.15), so the constraint acts after every step.
func constrainedModel(t *testing.T, seed int64) *keras.Model {
	t.Helper()
	keras.SetRandomSeed(seed)
	in := keras.Input(keras.Shape{64})
	h := layers.Dense(32, layers.Activation("relu"), layers.KernelConstraint(regularizers.MaxNorm{MaxValue: 0.5})).Call(in)
	out := layers.Dense(10, layers.Activation("softmax")).Call(h)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("adam", "categorical_crossentropy"); err != nil {
		t.Fatal(err)
	}
	return m
}

// columnNorms returns the L2 norms of a (rows, cols) float32 kernel's columns.
func columnNorms(data []float32, rows, cols int) []float64 {
	norms := make([]float64, cols)
	for i := range rows {
		for j := range cols {
			v := float64(data[i*cols+j])
			norms[j] += v * v
		}
	}
	for j := range norms {
		norms[j] = math.Sqrt(norms[j])
	}
	return norms
}

// Weight constraints project the weights after the single optimizer step of a
// data-parallel step, as after one replica's: a MaxNorm-constrained Dense trained on 2
// replicas, and on 2 ranks × 1 replica, equals one replica's after 20 Adam steps, and no
// unit's kernel norm is above the bound.
func TestDataParallelConstraints(t *testing.T) {
	x, y := dpDigits(t, 20*64)
	opts := []keras.FitOption{keras.BatchSize(64), keras.Verbose(0)}
	one := constrainedModel(t, 5)
	if _, err := one.Fit(x, y, opts...); err != nil {
		t.Fatal(err)
	}
	two := constrainedModel(t, 5)
	if _, err := two.Fit(x, y, append(opts, keras.Distribution(keras.DataParallel(2)))...); err != nil {
		t.Fatal(err)
	}
	rank1 := constrainedModel(t, 6)                        // another seed: rank 0's weights are broadcast
	ranks := []*keras.Model{constrainedModel(t, 5), rank1} // rank 0 last: Fit draws its shuffling seed after its build
	_, errs := fitRanks(ranks, func(_ int, m *keras.Model, comm keras.Communicator) (*keras.History, error) {
		return m.Fit(x, y, append(opts, keras.Distribution(keras.DataParallel(1, keras.WithCommunicator(comm))))...)
	})
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	for name, m := range map[string]*keras.Model{"1 × 2 replicas": two, "2 ranks × 1 replica": ranks[0]} {
		if d := maxWeightDiff(t, one, m); !(d <= 1e-5) {
			t.Errorf("%s against one replica: weights differ by %g, want ≤ 1e-5", name, d)
		}
		atBound := 0
		for j, n := range columnNorms(m.Weights()[0].Data().([]float32), 64, 32) {
			if n > 0.5+1e-5 {
				t.Errorf("%s: unit %d's kernel norm %v is above MaxNorm's bound 0.5", name, j, n)
				break
			}
			if n > 0.5-1e-4 {
				atBound++
			}
		}
		if atBound == 0 {
			t.Errorf("%s: no unit's kernel norm is at the bound: the constraint never acted", name)
		}
	}
}
