package keras_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
)

// TestStreamDataParallel: a stream trained over replicas, and over two ranks that each read
// the whole stream and keep their rows of every global batch, ends at the weights of one
// replica trained on the same batches from arrays.
func TestStreamDataParallel(t *testing.T) {
	x, y := dpDigits(t, 6*64)
	opts := []keras.FitOption{keras.BatchSize(64), keras.Verbose(0), keras.Shuffle(false), keras.Epochs(2)}
	ref := dpModel(t, 7, 0)
	if _, err := ref.Fit(x, y, opts...); err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{0, 2} {
		m := dpModel(t, 7, 0)
		if _, err := m.Fit(keras.FromIterator(batchesOf(x, y, 64, nil)), nil, keras.Epochs(2), keras.Verbose(0),
			keras.Prefetch(k), keras.Distribution(keras.DataParallel(2))); err != nil {
			t.Fatalf("Prefetch(%d): %v", k, err)
		}
		if d := maxWeightDiff(t, ref, m); !(d <= 1e-5) {
			t.Errorf("stream over 2 replicas, Prefetch(%d): weights differ from arrays over 1 replica by %g, want ≤ 1e-5", k, d)
		}
	}
	ranks := []*keras.Model{dpModel(t, 7, 0), dpModel(t, 99, 0)}
	_, errs := fitRanks(ranks, func(r int, m *keras.Model, comm keras.Communicator) (*keras.History, error) {
		return m.Fit(keras.FromIterator(batchesOf(x, y, 64, nil)), nil, keras.Epochs(2), keras.Verbose(0),
			keras.Distribution(keras.DataParallel(1, keras.WithCommunicator(comm))))
	})
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	for r, m := range ranks {
		if d := maxWeightDiff(t, ref, m); !(d <= 1e-5) {
			t.Errorf("stream over 2 ranks, rank %d: weights differ from arrays over 1 replica by %g, want ≤ 1e-5", r, d)
		}
	}
}
