package keras_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"gorgonia.org/tensor"
)

// TestDataParallelSampleAndClassWeights: per-sample and per-class weights give the same
// training over 2 replicas (unequal shards: batch 33) as over one, so the weighted loss is
// split by rows the way the unweighted one is.
func TestDataParallelSampleAndClassWeights(t *testing.T) {
	x, y := dpDigits(t, 4*33)
	n := x.Shape()[0]
	w := make([]float32, n)
	for i := range w {
		w[i] = float32(0.25 + float64(i%7)/3)
	}
	sw := tensor.New(tensor.WithShape(n), tensor.WithBacking(w))
	cw := map[int]float64{0: 2, 1: 0.5, 3: 3}
	for name, opt := range map[string]keras.FitOption{"SampleWeight": keras.SampleWeight(sw), "ClassWeight": keras.ClassWeight(cw)} {
		opts := []keras.FitOption{keras.BatchSize(33), keras.Verbose(0), keras.Shuffle(false), opt}
		one := dpModel(t, 7, 0)
		h1, err := one.Fit(x, y, opts...)
		if err != nil {
			t.Fatalf("%s, 1 replica: %v", name, err)
		}
		two := dpModel(t, 7, 0)
		h2, err := two.Fit(x, y, append(opts, keras.Distribution(keras.DataParallel(2)))...)
		if err != nil {
			t.Fatalf("%s, 2 replicas: %v", name, err)
		}
		if d := maxWeightDiff(t, one, two); !(d <= 1e-5) {
			t.Errorf("%s: 2 replicas' weights differ from 1 replica's by %g, want ≤ 1e-5", name, d)
		}
		if a, b := h1.History["loss"][0], h2.History["loss"][0]; !(abs(a-b) <= 1e-5) {
			t.Errorf("%s: loss %v over 2 replicas, %v over 1", name, b, a)
		}
	}
}
