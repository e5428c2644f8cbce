package keras_test

import (
	"errors"
	"io"
	"iter"
	"math"
	"testing"
	"time"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// concatRows returns the rows [from, to) of t for each pair in spans, one after the other.
func concatRows(t *tensor.Dense, spans ...[2]int) *tensor.Dense {
	s := t.Shape().Clone()
	per := s.TotalSize() / s[0]
	var v []float32
	s[0] = 0
	for _, sp := range spans {
		v = append(v, t.Data().([]float32)[sp[0]*per:sp[1]*per]...)
		s[0] += sp[1] - sp[0]
	}
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(v))
}

// halves returns, for rows [0, n) in blocks of 64, the spans of each block's first half
// (rank 0, the longer when the block is odd) or second half (rank 1).
func halves(n, rank int) [][2]int {
	var out [][2]int
	for at := 0; at < n; at += 64 {
		end := min(at+64, n)
		mid := at + (end-at+1)/2
		if rank == 0 {
			out = append(out, [2]int{at, mid})
		} else {
			out = append(out, [2]int{mid, end})
		}
	}
	return out
}

// fitRanksWithin runs fitRanks and fails the test if the ranks have not all returned
// within d: a rank waiting forever in a collective call is the failure to catch.
func fitRanksWithin(t *testing.T, d time.Duration, models []*keras.Model, fit func(int, *keras.Model, keras.Communicator) (*keras.History, error)) ([]*keras.History, []error) {
	t.Helper()
	type result struct {
		hs   []*keras.History
		errs []error
	}
	ch := make(chan result, 1)
	go func() {
		hs, errs := fitRanks(models, fit)
		ch <- result{hs, errs}
	}()
	select {
	case r := <-ch:
		return r.hs, r.errs
	case <-time.After(d):
		t.Fatalf("the ranks did not return within %v", d)
		return nil, nil
	}
}

// sameHistory fails the test unless b's loss and acc are a's to tol.
func sameHistory(t *testing.T, what string, a, b *keras.History, tol float64) {
	t.Helper()
	for _, k := range []string{"loss", "acc"} {
		va, vb := a.History[k], b.History[k]
		if len(va) == 0 || len(va) != len(vb) {
			t.Fatalf("%s: %s has %d epochs, want %d", what, k, len(vb), len(va))
		}
		for e := range va {
			if math.Abs(va[e]-vb[e]) > tol {
				t.Errorf("%s: epoch %d %s = %v, want %v", what, e, k, vb[e], va[e])
			}
		}
	}
}

// Issue 13: two ranks that each feed their own shard, a stream read with Shard(r, 2) or
// arrays holding half of every block of 64 rows, train as one process on the whole data
// with BatchSize(64): each global batch holds the same rows. The last block has 33 rows
// (17 + 16: an uneven last shard). The logs are equal on both ranks and one process's.
func TestAutoShardDatasetEqualsOneProcess(t *testing.T) {
	const n = 6*64 + 33
	x, y := dpDigits(t, n)
	opts := []keras.FitOption{keras.BatchSize(64), keras.Verbose(0), keras.Shuffle(false), keras.Epochs(2)}
	ref := dpModel(t, 7, 0)
	href, err := ref.Fit(x, y, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data func(rank int) (any, any)
	}{
		{"stream.Shard", func(rank int) (any, any) {
			return keras.FromIterator(batchesOf(x, y, 64, nil)).Shard(rank, 2), nil
		}},
		{"arrays", func(rank int) (any, any) {
			return concatRows(x, halves(n, rank)...), concatRows(y, halves(n, rank)...)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ranks := []*keras.Model{dpModel(t, 7, 0), dpModel(t, 99, 0)}
			hs, errs := fitRanksWithin(t, time.Minute, ranks, func(r int, m *keras.Model, comm keras.Communicator) (*keras.History, error) {
				xr, yr := tc.data(r)
				// BatchSize is each rank's batch: 32 + 32 = the global 64.
				return m.Fit(xr, yr, keras.BatchSize(32), keras.Verbose(0), keras.Shuffle(false), keras.Epochs(2),
					keras.Distribution(keras.DataParallel(1, keras.WithCommunicator(comm), keras.AutoShardDataset(false))))
			})
			for r, err := range errs {
				if err != nil {
					t.Fatalf("rank %d: %v", r, err)
				}
			}
			for r, m := range ranks {
				if d := maxWeightDiff(t, ref, m); !(d <= 1e-5) {
					t.Errorf("rank %d: weights differ from one process's by %g, want ≤ 1e-5", r, d)
				}
				sameHistory(t, "rank "+string(rune('0'+r)), href, hs[r], 1e-5)
			}
		})
	}
}

// blocks yields the batches of x, y given by spans, one batch per span list entry.
func blocks(x, y *tensor.Dense, batches [][][2]int) iter.Seq2[keras.Batch, error] {
	return func(yield func(keras.Batch, error) bool) {
		for _, b := range batches {
			if !yield(keras.Batch{X: concatRows(x, b...), Y: concatRows(y, b...)}, nil) {
				return
			}
		}
	}
}

// Ranks with different numbers of batches (rank 0: 5 of 32 rows, rank 1: 3) end every epoch
// together, without waiting forever: rank 1 joins rank 0's last two steps with no rows, so
// the run equals one process on the global batches 64, 64, 64, 32, 32; both ranks report
// 5 batches an epoch and the same logs.
func TestAutoShardDatasetUnevenBatchCounts(t *testing.T) {
	x, y := dpDigits(t, 8*32)
	span := func(k int) [2]int { return [2]int{32 * k, 32 * (k + 1)} }
	rank0 := [][][2]int{{span(0)}, {span(1)}, {span(2)}, {span(3)}, {span(4)}}
	rank1 := [][][2]int{{span(5)}, {span(6)}, {span(7)}}
	global := [][][2]int{{span(0), span(5)}, {span(1), span(6)}, {span(2), span(7)}, {span(3)}, {span(4)}}
	ref := dpModel(t, 7, 0)
	href, err := ref.Fit(keras.FromIterator(blocks(x, y, global)), nil, keras.Verbose(0), keras.Epochs(2))
	if err != nil {
		t.Fatal(err)
	}
	ranks := []*keras.Model{dpModel(t, 7, 0), dpModel(t, 99, 0)}
	counters := []*batchCounter{{}, {}}
	hs, errs := fitRanksWithin(t, time.Minute, ranks, func(r int, m *keras.Model, comm keras.Communicator) (*keras.History, error) {
		own := [][][]([2]int){rank0, rank1}[r]
		return m.Fit(keras.FromIterator(blocks(x, y, own)), nil, keras.BatchSize(32), keras.Verbose(0), keras.Epochs(2),
			keras.Callbacks(counters[r]),
			keras.Distribution(keras.DataParallel(1, keras.WithCommunicator(comm), keras.AutoShardDataset(false))))
	})
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	for r, m := range ranks {
		if d := maxWeightDiff(t, ref, m); !(d <= 1e-5) {
			t.Errorf("rank %d: weights differ from one process's by %g, want ≤ 1e-5", r, d)
		}
		sameHistory(t, "rank "+string(rune('0'+r)), href, hs[r], 1e-5)
		if c := counters[r]; c.begin != 10 || c.end != 10 {
			t.Errorf("rank %d: %d batch begins and %d ends over 2 epochs, want 10 and 10", r, c.begin, c.end)
		}
	}
}

// A rank whose batch is larger than BatchSize (the slot of the metrics exchange) fails with
// an error naming the rule, and the other rank's Fit ends too instead of waiting.
func TestAutoShardDatasetBatchTooLarge(t *testing.T) {
	defer keras.QuietRanksForTest(io.Discard)()
	x, y := dpDigits(t, 4*64)
	ranks := []*keras.Model{dpModel(t, 7, 0), dpModel(t, 99, 0)}
	_, errs := fitRanksWithin(t, time.Minute, ranks, func(r int, m *keras.Model, comm keras.Communicator) (*keras.History, error) {
		bs := 32
		if r == 1 {
			bs = 64 // more rows than BatchSize(32)
		}
		return m.Fit(keras.FromIterator(batchesOf(x, y, bs, nil)), nil, keras.BatchSize(32), keras.Verbose(0),
			keras.Distribution(keras.DataParallel(1, keras.WithCommunicator(comm), keras.AutoShardDataset(false))))
	})
	if !errors.Is(errs[1], keras.ErrInvalidArgument) {
		t.Errorf("rank 1: got %v, want an error wrapping ErrInvalidArgument", errs[1])
	}
	if !errors.Is(errs[0], keras.ErrAborted) {
		t.Errorf("rank 0: got %v, want an error wrapping ErrAborted", errs[0])
	}
}

// With BatchNormalization (moving statistics updated from the replicas' row-weighted
// changes) and 2 replicas per rank: two ranks that read Shard(r, 2) of a stream take the
// rows r, r+2, … of each batch, the rows each rank keeps when it reads the whole stream by
// default, so both runs end at the same variables, moving statistics included.
func TestAutoShardDatasetBatchNormMatchesDefault(t *testing.T) {
	x, y := dpDigits(t, 6*64+33)
	build := func(seed int64) *keras.Model {
		keras.SetRandomSeed(seed)
		in := keras.Input(keras.Shape{64})
		h := layers.BatchNormalization().Call(in)
		out := layers.Dense(10, layers.Activation("softmax")).Call(h)
		m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Compile("adam", "categorical_crossentropy", keras.Metrics("acc")); err != nil {
			t.Fatal(err)
		}
		return m
	}
	run := func(sharded bool) []*keras.Model {
		ranks := []*keras.Model{build(4), build(5)}
		_, errs := fitRanksWithin(t, time.Minute, ranks, func(r int, m *keras.Model, comm keras.Communicator) (*keras.History, error) {
			s, bs := keras.FromIterator(batchesOf(x, y, 64, nil)), 64
			var opts []keras.DataParallelOption
			if sharded {
				s, bs = s.Shard(r, 2), 32
				opts = append(opts, keras.AutoShardDataset(false))
			}
			return m.Fit(s, nil, keras.BatchSize(bs), keras.Verbose(0), keras.Epochs(2),
				keras.Distribution(keras.DataParallel(2, append(opts, keras.WithCommunicator(comm))...)))
		})
		for r, err := range errs {
			if err != nil {
				t.Fatalf("sharded %v, rank %d: %v", sharded, r, err)
			}
		}
		return ranks
	}
	want, got := run(false), run(true)
	for r := range got {
		va, vb := want[r].Variables(), got[r].Variables()
		for i := range va {
			a, b := va[i].Value.Data().([]float32), vb[i].Value.Data().([]float32)
			for j := range a {
				if math.Abs(float64(a[j]-b[j])) > 1e-5 {
					t.Fatalf("rank %d: %s[%d] = %v read as a shard, %v read whole", r, va[i].Path, j, b[j], a[j])
				}
			}
		}
	}
}

// With StepsPerEpoch, an endless stream on rank 0 and a two-batch one on rank 1: every epoch
// is rank 0's 3 steps on both ranks (rank 1 joins the third), and Fit returns on both.
func TestAutoShardDatasetStepsPerEpoch(t *testing.T) {
	x, y := dpDigits(t, 4*32)
	endless := func(yield func(keras.Batch, error) bool) {
		for k := 0; ; k = (k + 1) % 4 {
			if !yield(keras.Batch{X: rowsOf(x, 32*k, 32*(k+1)), Y: rowsOf(y, 32*k, 32*(k+1))}, nil) {
				return
			}
		}
	}
	ranks := []*keras.Model{dpModel(t, 7, 0), dpModel(t, 99, 0)}
	counters := []*batchCounter{{}, {}}
	hs, errs := fitRanksWithin(t, time.Minute, ranks, func(r int, m *keras.Model, comm keras.Communicator) (*keras.History, error) {
		s := keras.FromIterator(endless)
		if r == 1 {
			s = keras.FromIterator(batchesOf(rowsOf(x, 0, 64), rowsOf(y, 0, 64), 32, nil))
		}
		return m.Fit(s, nil, keras.BatchSize(32), keras.Verbose(0), keras.Epochs(2), keras.StepsPerEpoch(3),
			keras.Callbacks(counters[r]),
			keras.Distribution(keras.DataParallel(1, keras.WithCommunicator(comm), keras.AutoShardDataset(false))))
	})
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
		if c := counters[r]; c.end != 6 {
			t.Errorf("rank %d: %d batches over 2 epochs, want 6", r, c.end)
		}
	}
	if d := maxWeightDiff(t, ranks[0], ranks[1]); d != 0 {
		t.Errorf("the ranks' weights differ by %g, want equal", d)
	}
	sameHistory(t, "rank 1", hs[0], hs[1], 0)
}

// With Dropout, ranks that read their own shards draw their own masks (they have different
// rows and different numbers of steps), so uneven batch counts still end together: both ranks
// finish, in step, with identical weights.
func TestAutoShardDatasetDropoutUneven(t *testing.T) {
	x, y := dpDigits(t, 8*32)
	span := func(k int) [2]int { return [2]int{32 * k, 32 * (k + 1)} }
	own := [][][][2]int{{{span(0)}, {span(1)}, {span(2)}, {span(3)}, {span(4)}}, {{span(5)}, {span(6)}, {span(7)}}}
	ranks := []*keras.Model{dpModel(t, 7, 0.3), dpModel(t, 99, 0.3)}
	_, errs := fitRanksWithin(t, time.Minute, ranks, func(r int, m *keras.Model, comm keras.Communicator) (*keras.History, error) {
		return m.Fit(keras.FromIterator(blocks(x, y, own[r])), nil, keras.BatchSize(32), keras.Verbose(0), keras.Epochs(2),
			keras.Distribution(keras.DataParallel(2, keras.WithCommunicator(comm), keras.AutoShardDataset(false))))
	})
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	if d := maxWeightDiff(t, ranks[0], ranks[1]); d != 0 {
		t.Errorf("the ranks' weights differ by %g, want identical", d)
	}
}
