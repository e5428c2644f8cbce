package keras_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
)

// Rank 0 draws the Dropout masks over the global batch and sends them, so ranks with
// Dropout train as one process: 2 and 3 ranks × 1 replica, and 2 ranks × 2 replicas, equal
// 1 process × 1 replica and 1 × 2 replicas after 20 Adam steps of equal batches, and the
// ranks end identical. A last batch of one row, where ranks 1 and 2 get no rows, still takes
// part in the masks' broadcast; there N ranks × 1 replica equal 1 × 1, which builds a new
// program for the short batch at the same point of the seeded source as rank 0. Without the
// shared masks each rank drew its own and the weights differed by about 1e-2.
func TestRanksDropoutEqualReplicas(t *testing.T) {
	for _, tc := range []struct {
		name            string
		rows            int
		ranks, replicas int
		vsReplicas      bool // compare with 1 process × 2 replicas too
	}{
		{"2 ranks × 1 replica", 20 * 64, 2, 1, true},
		{"3 ranks × 1 replica", 20 * 64, 3, 1, true},
		{"2 ranks × 2 replicas", 20 * 64, 2, 2, true},
		{"2 ranks, last batch of 1 row", 19*64 + 1, 2, 1, false},
		{"3 ranks, last batch of 1 row", 19*64 + 1, 3, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, y := dpDigits(t, tc.rows)
			opts := []keras.FitOption{keras.BatchSize(64), keras.Verbose(0)}
			refs := map[string]*keras.Model{"1 process × 1 replica": dpModel(t, 11, 0.2)}
			if _, err := refs["1 process × 1 replica"].Fit(x, y, opts...); err != nil {
				t.Fatal(err)
			}
			if tc.vsReplicas {
				two := dpModel(t, 11, 0.2)
				if _, err := two.Fit(x, y, append(opts, keras.Distribution(keras.DataParallel(2)))...); err != nil {
					t.Fatal(err)
				}
				refs["1 process × 2 replicas"] = two
			}
			ranks := make([]*keras.Model, tc.ranks)
			for r := tc.ranks - 1; r >= 0; r-- { // rank 0 last: Fit draws after its build
				ranks[r] = dpModel(t, 11+int64(r)*100, 0.2)
			}
			_, errs := fitRanks(ranks, func(_ int, m *keras.Model, comm keras.Communicator) (*keras.History, error) {
				return m.Fit(x, y, append(opts, keras.Distribution(keras.DataParallel(tc.replicas, keras.WithCommunicator(comm))))...)
			})
			for r, err := range errs {
				if err != nil {
					t.Fatalf("rank %d: %v", r, err)
				}
			}
			for r := 1; r < tc.ranks; r++ {
				if d := maxWeightDiff(t, ranks[0], ranks[r]); d != 0 {
					t.Errorf("rank %d's weights differ from rank 0's by %g, want identical", r, d)
				}
			}
			for name, m := range refs {
				if d := maxWeightDiff(t, m, ranks[0]); !(d <= 1e-5) {
					t.Errorf("with Dropout: weights differ from %s by %g, want ≤ 1e-5", name, d)
				}
			}
		})
	}
}
