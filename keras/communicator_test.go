package keras_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/callbacks"
)

// The local group sums in rank order, broadcasts from any root, reports mismatched calls
// and, once a rank aborts, fails every rank's pending and later calls.
func TestLocalGroup(t *testing.T) {
	g := keras.NewLocalGroup(3)
	var wg sync.WaitGroup
	sums := make([][]float64, 3)
	bcast := make([][]byte, 3)
	errs := make([]error, 3)
	for r, c := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := []float64{float64(r), 1, 0.1 * float64(r+1)}
			if errs[r] = c.AllreduceSum(buf); errs[r] != nil {
				return
			}
			sums[r] = buf
			b := []byte{byte(r), byte(r)}
			if errs[r] = c.Broadcast(b, 2); errs[r] != nil {
				return
			}
			bcast[r] = b
		}()
	}
	wg.Wait()
	want := []float64{3, 3, (0.1 + 0.2) + 0.30000000000000004}
	for r := range g {
		if errs[r] != nil {
			t.Fatalf("rank %d: %v", r, errs[r])
		}
		for i := range want {
			if sums[r][i] != want[i] {
				t.Errorf("rank %d: sum %v, want %v (rank order)", r, sums[r], want)
				break
			}
		}
		if bcast[r][0] != 2 || bcast[r][1] != 2 {
			t.Errorf("rank %d: broadcast gave %v, want rank 2's [2 2]", r, bcast[r])
		}
	}

	// Mismatched lengths: every rank gets the error.
	g = keras.NewLocalGroup(2)
	for r, c := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[r] = c.AllreduceSum(make([]float64, r+1))
		}()
	}
	wg.Wait()
	if errs[0] == nil || errs[1] == nil {
		t.Errorf("mismatched AllreduceSum: errors %v, %v; want both", errs[0], errs[1])
	}

	// Abort wakes a rank waiting for the other.
	g = keras.NewLocalGroup(2)
	done := make(chan error)
	go func() { done <- g[0].AllreduceSum(make([]float64, 4)) }()
	time.Sleep(10 * time.Millisecond)
	if err := g[1].Abort(1); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, keras.ErrAborted) {
			t.Errorf("pending call after Abort: %v, want ErrAborted", err)
		}
	case <-time.After(time.Second):
		t.Fatal("a pending call still waits a second after Abort")
	}
	if err := g[0].Broadcast(make([]byte, 1), 0); !errors.Is(err, keras.ErrAborted) {
		t.Errorf("call after Abort: %v, want ErrAborted", err)
	}
}

// fitRanks trains one model per rank of a local group, each Fit on its own goroutine, and
// returns each rank's History and error.
func fitRanks(models []*keras.Model, fit func(rank int, m *keras.Model, comm keras.Communicator) (*keras.History, error)) ([]*keras.History, []error) {
	g := keras.NewLocalGroup(len(models))
	hs := make([]*keras.History, len(models))
	errs := make([]error, len(models))
	var wg sync.WaitGroup
	for r, m := range models {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hs[r], errs[r] = fit(r, m, g[r])
		}()
	}
	wg.Wait()
	return hs, errs
}

// Issue 13 point 3, the core half: 2 ranks × 1 replica, each Fit on a model of its own
// (rank 1's built from another seed: rank 0's weights are broadcast), train as 1 rank × 2
// replicas and as 1 × 1 on the global batch; the logs are the same on both ranks; only
// rank 0's ModelCheckpoint writes.
func TestRanksEqualReplicas(t *testing.T) {
	x, y := dpDigits(t, 20*64)
	// Shuffled: rank 0's shuffling seed is broadcast, so every rank draws the global
	// batches of one process seeded as rank 0.
	opts := []keras.FitOption{keras.BatchSize(64), keras.Verbose(0)}
	one := dpModel(t, 7, 0)
	h1, err := one.Fit(x, y, opts...)
	if err != nil {
		t.Fatal(err)
	}
	two := dpModel(t, 7, 0)
	if _, err := two.Fit(x, y, append(opts, keras.Distribution(keras.DataParallel(2)))...); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rank1 := dpModel(t, 99, 0)
	ranks := []*keras.Model{dpModel(t, 7, 0), rank1} // rank 0 last: Fit draws after its build
	hs, errs := fitRanks(ranks, func(r int, m *keras.Model, comm keras.Communicator) (*keras.History, error) {
		ckpt := callbacks.ModelCheckpoint(filepath.Join(dir, "rank"+string(rune('0'+r))+".keras"), callbacks.Monitor("loss"))
		return m.Fit(x, y, append(opts, keras.Callbacks(ckpt),
			keras.Distribution(keras.DataParallel(1, keras.WithCommunicator(comm))))...)
	})
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	if d := maxWeightDiff(t, ranks[0], ranks[1]); d != 0 {
		t.Errorf("the ranks' weights differ by %g, want identical", d)
	}
	for name, m := range map[string]*keras.Model{"1 rank × 1 replica": one, "1 rank × 2 replicas": two} {
		if d := maxWeightDiff(t, ranks[0], m); !(d <= 1e-5) {
			t.Errorf("2 ranks × 1 replica against %s: weights differ by %g, want ≤ 1e-5", name, d)
		}
	}
	for _, k := range []string{"loss", "acc"} {
		a, b, c := hs[0].History[k], hs[1].History[k], h1.History[k]
		if len(a) != 1 || len(b) != 1 || a[0] != b[0] || !(abs(a[0]-c[0]) <= 1e-5) {
			t.Errorf("History[%q]: rank 0 %v, rank 1 %v, one process %v", k, a, b, c)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "rank0.keras")); err != nil {
		t.Errorf("rank 0's checkpoint: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "rank1.keras")); !os.IsNotExist(err) {
		t.Errorf("rank 1 wrote a checkpoint (stat: %v); only rank 0 should", err)
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// failAt fails the training batch at and records when.
type failAt struct {
	keras.BaseCallback
	at     int
	failed time.Time
}

func (f *failAt) OnTrainBatchEnd(batch int, _ keras.Logs) error {
	if batch == f.at {
		f.failed = time.Now()
		return errors.New("failAt: the test's callback fails here")
	}
	return nil
}

// A rank that fails (a callback's error at batch 5) ends the other rank's Fit with an
// error instead of leaving it waiting in the next allreduce.
func TestRankFailureEndsJob(t *testing.T) {
	defer keras.QuietRanksForTest(io.Discard)()
	x, y := dpDigits(t, 20*64)
	ranks := []*keras.Model{dpModel(t, 7, 0), dpModel(t, 7, 0)}
	done := make(chan []error)
	fail := &failAt{at: 5}
	var rank0End time.Time
	go func() {
		_, errs := fitRanks(ranks, func(r int, m *keras.Model, comm keras.Communicator) (*keras.History, error) {
			opts := []keras.FitOption{keras.BatchSize(64), keras.Verbose(0), keras.Epochs(3),
				keras.Distribution(keras.DataParallel(1, keras.WithCommunicator(comm)))}
			if r == 1 {
				opts = append(opts, keras.Callbacks(fail))
			}
			h, err := m.Fit(x, y, opts...)
			if r == 0 {
				rank0End = time.Now()
			}
			return h, err
		})
		done <- errs
	}()
	select {
	case errs := <-done:
		if errs[1] == nil || errs[0] == nil {
			t.Fatalf("errors %v (rank 0), %v (rank 1); want both to fail", errs[0], errs[1])
		}
		if !errors.Is(errs[0], keras.ErrAborted) {
			t.Errorf("rank 0: %v, want an error wrapping ErrAborted", errs[0])
		}
		if wait := rank0End.Sub(fail.failed); wait > time.Second {
			t.Errorf("rank 0 returned %v after rank 1 failed, want within a second", wait)
		}
		t.Logf("rank 0 returned %v after rank 1 failed\nrank 0: %v\nrank 1: %v", rank0End.Sub(fail.failed), errs[0], errs[1])
	case <-time.After(10 * time.Second):
		t.Fatal("rank 0 still waits 10 s after rank 1 failed")
	}
}

// EarlyStopping decides the same on every rank: the logs it reads are the job's.
func TestRanksStopTogether(t *testing.T) {
	x, y := dpDigits(t, 4*64)
	ranks := []*keras.Model{dpModel(t, 3, 0), dpModel(t, 4, 0)}
	hs, errs := fitRanks(ranks, func(r int, m *keras.Model, comm keras.Communicator) (*keras.History, error) {
		// No epoch improves the loss by 0.5: training stops after the second.
		stop := callbacks.EarlyStopping(callbacks.Monitor("loss"), callbacks.MinDelta(0.5), callbacks.Patience(1))
		return m.Fit(x, y, keras.BatchSize(64), keras.Verbose(0), keras.Epochs(10), keras.Callbacks(stop),
			keras.Distribution(keras.DataParallel(1, keras.WithCommunicator(comm))))
	})
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	if a, b := len(hs[0].History["loss"]), len(hs[1].History["loss"]); a != b || a == 10 {
		t.Errorf("rank 0 trained %d epochs, rank 1 %d; want the same, fewer than 10", a, b)
	}
}
