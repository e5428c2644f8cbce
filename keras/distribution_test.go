package keras_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/datasets"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// dpDigits returns the first rows of the digits training set.
func dpDigits(t testing.TB, rows int) (x, y *tensor.Dense) {
	t.Helper()
	xTrain, yTrain, _, _ := digits(t)
	x, _, err := datasets.Split(xTrain, rows)
	if err != nil {
		t.Fatal(err)
	}
	y, _, err = datasets.Split(yTrain, rows)
	if err != nil {
		t.Fatal(err)
	}
	return x, y
}

// dpModel builds the digits MLP from seed and compiles it with Adam; dropout > 0 adds a
// Dropout layer.
func dpModel(t testing.TB, seed int64, dropout float64) *keras.Model {
	t.Helper()
	keras.SetRandomSeed(seed)
	in := keras.Input(keras.Shape{64})
	h := layers.Dense(32, layers.Activation("relu")).Call(in)
	if dropout > 0 {
		h = layers.Dropout(dropout).Call(h)
	}
	h = layers.Dense(32, layers.Activation("relu")).Call(h)
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

// maxWeightDiff returns the largest absolute difference between two models' weights.
func maxWeightDiff(t testing.TB, a, b *keras.Model) float64 {
	t.Helper()
	wa, wb := a.Weights(), b.Weights()
	if len(wa) != len(wb) {
		t.Fatalf("%d weights against %d", len(wa), len(wb))
	}
	worst := 0.0
	for i := range wa {
		va, vb := wa[i].Data().([]float32), wb[i].Data().([]float32)
		for j := range va {
			worst = math.Max(worst, math.Abs(float64(va[j])-float64(vb[j])))
		}
	}
	return worst
}

// batchCounter counts the batches Fit reports.
type batchCounter struct {
	keras.BaseCallback
	begin, end int
}

func (c *batchCounter) OnTrainBatchBegin(int, keras.Logs) error { c.begin++; return nil }
func (c *batchCounter) OnTrainBatchEnd(int, keras.Logs) error   { c.end++; return nil }

// Issue 13 point 2: N replicas (equal and unequal shards) train as one replica on the
// global batch: the same weights after 20 Adam steps, the same History, callbacks once per
// batch.
func TestDataParallelEqualsOneReplica(t *testing.T) {
	for _, tc := range []struct {
		name            string
		batch, replicas int
	}{
		{"2 replicas of 32", 64, 2},
		{"3 replicas of 22, 21, 21", 64, 3},
		{"batch 33 over 2: 17 and 16", 33, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, y := dpDigits(t, 20*tc.batch)
			one := dpModel(t, 7, 0)
			h1, err := one.Fit(x, y, keras.BatchSize(tc.batch), keras.Verbose(0))
			if err != nil {
				t.Fatal(err)
			}
			many := dpModel(t, 7, 0)
			cnt := &batchCounter{}
			hn, err := many.Fit(x, y, keras.BatchSize(tc.batch), keras.Verbose(0), keras.Callbacks(cnt),
				keras.Distribution(keras.DataParallel(tc.replicas)))
			if err != nil {
				t.Fatal(err)
			}
			if d := maxWeightDiff(t, one, many); !(d <= 1e-5) {
				t.Errorf("weights differ by %g after 20 steps, want ≤ 1e-5", d)
			}
			if cnt.begin != 20 || cnt.end != 20 {
				t.Errorf("batch hooks called %d and %d times, want 20", cnt.begin, cnt.end)
			}
			for _, k := range []string{"loss", "acc"} {
				a, b := h1.History[k], hn.History[k]
				if len(a) != 1 || len(b) != 1 || math.Abs(a[0]-b[0]) > 1e-5 {
					t.Errorf("History[%q]: one replica %v, %d replicas %v", k, a, tc.replicas, b)
				}
			}
		})
	}
}

// A last batch with fewer rows than replicas runs on as many replicas as it has rows, and
// DataParallel(0) takes one replica per core.
func TestDataParallelShortLastBatch(t *testing.T) {
	x, y := dpDigits(t, 2*8+1) // batches of 8, 8 and 1
	one := dpModel(t, 3, 0)
	if _, err := one.Fit(x, y, keras.BatchSize(8), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{4, 0} {
		many := dpModel(t, 3, 0)
		if _, err := many.Fit(x, y, keras.BatchSize(8), keras.Verbose(0), keras.Distribution(keras.DataParallel(n))); err != nil {
			t.Fatal(err)
		}
		if d := maxWeightDiff(t, one, many); !(d <= 1e-5) {
			t.Errorf("DataParallel(%d): weights differ by %g, want ≤ 1e-5", n, d)
		}
	}
}

// Dropout masks are drawn once over the batch with replica 0's generator and sliced by
// shard, so replicas train as one replica with Dropout too; the same run twice is
// bit-identical.
func TestDataParallelDropout(t *testing.T) {
	x, y := dpDigits(t, 20*64)
	run := func(replicas int) *keras.Model {
		m := dpModel(t, 11, 0.2)
		opts := []keras.FitOption{keras.BatchSize(64), keras.Verbose(0)}
		if replicas > 0 {
			opts = append(opts, keras.Distribution(keras.DataParallel(replicas)))
		}
		if _, err := m.Fit(x, y, opts...); err != nil {
			t.Fatal(err)
		}
		return m
	}
	one := run(0)
	a, b := run(2), run(2)
	if d := maxWeightDiff(t, a, b); d != 0 {
		t.Errorf("two seeded runs differ by %g, want bit-identical", d)
	}
	for _, n := range []int{2, 3} {
		m := a
		if n == 3 {
			m = run(3)
		}
		if d := maxWeightDiff(t, one, m); !(d <= 1e-5) {
			t.Errorf("%d replicas with Dropout: weights differ from one replica's by %g, want ≤ 1e-5", n, d)
		}
	}
}

// Evaluate and Predict split their batches over replicas too, with the same results.
func TestDataParallelEvaluatePredict(t *testing.T) {
	x, y := dpDigits(t, 301)
	m := dpModel(t, 5, 0)
	if _, err := m.Fit(x, y, keras.BatchSize(64), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	want, err := m.Evaluate(x, y, keras.BatchSize(50), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	wantP, err := m.Predict(x, keras.BatchSize(50), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{2, 3} {
		dist := keras.Distribution(keras.DataParallel(n))
		got, err := m.Evaluate(x, y, keras.BatchSize(50), keras.Verbose(0), dist)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range want {
			if math.Abs(got[k]-v) > 1e-6 {
				t.Errorf("%d replicas: Evaluate %s = %v, one replica %v", n, k, got[k], v)
			}
		}
		gotP, err := m.Predict(x, keras.BatchSize(50), keras.Verbose(0), dist)
		if err != nil {
			t.Fatal(err)
		}
		a, b := wantP[0].Data().([]float32), gotP[0].Data().([]float32)
		for i := range a {
			if math.Abs(float64(a[i]-b[i])) > 1e-6 {
				t.Fatalf("%d replicas: prediction %d is %v, one replica %v", n, i, b[i], a[i])
			}
		}
	}
}

// Bad distributions are *ArgumentErrors of the options check, naming the option.
func TestDataParallelErrors(t *testing.T) {
	x, y := dpDigits(t, 40)
	m := dpModel(t, 1, 0)
	for _, tc := range []struct {
		name string
		opt  keras.LoopOption
		bs   int
	}{
		{"negative replicas", keras.Distribution(keras.DataParallel(-1)), 32},
		{"batch smaller than replicas", keras.Distribution(keras.DataParallel(4)), 3},
		{"batch smaller than replicas × ranks", keras.Distribution(keras.DataParallel(2, keras.WithCommunicator(keras.NewLocalGroup(2)[0]))), 3},
		{"batch smaller than ranks, one replica each", keras.Distribution(keras.DataParallel(0, keras.WithCommunicator(keras.NewLocalGroup(4)[0]))), 3},
		{"nil communicator", keras.Distribution(keras.DataParallel(1, keras.WithCommunicator(nil))), 32},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check := func(call string, err error) {
				var ae *keras.ArgumentError
				if !errors.As(err, &ae) || ae.Arg != "distribution" || !errors.Is(err, keras.ErrInvalidArgument) {
					t.Errorf("%s: got %v, want an *ArgumentError for distribution", call, err)
					return
				}
				t.Logf("%s: %v", call, err)
			}
			_, err := m.Fit(x, y, keras.BatchSize(tc.bs), keras.Verbose(0), tc.opt)
			check("Fit", err)
			_, err = m.Evaluate(x, y, keras.BatchSize(tc.bs), keras.Verbose(0), tc.opt)
			check("Evaluate", err)
			_, err = m.Predict(x, keras.BatchSize(tc.bs), keras.Verbose(0), tc.opt)
			check("Predict", err)
		})
	}
}

// BatchNormalization under replicas normalises each shard by its own statistics (Keras on
// JAX uses the global batch's: docs/scaling.md). The moving statistics are updated once per
// step from the row-weighted mean of the replicas' statistics, so with the layer on the
// inputs, whose batch means do not depend on the weights, the moving mean is the one
// replica's after 20 steps.
func TestDataParallelBatchNormMovingMean(t *testing.T) {
	x, y := dpDigits(t, 20*64)
	build := func() *keras.Model {
		keras.SetRandomSeed(4)
		in := keras.Input(keras.Shape{64})
		h := layers.BatchNormalization().Call(in)
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
	movingMean := func(m *keras.Model) []float32 {
		for _, v := range m.Variables() {
			if strings.HasSuffix(v.Path, "moving_mean") {
				return append([]float32(nil), v.Value.Data().([]float32)...)
			}
		}
		t.Fatal("no moving_mean")
		return nil
	}
	one := build()
	if _, err := one.Fit(x, y, keras.BatchSize(64), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	want := movingMean(one)
	for _, n := range []int{2, 3} {
		m := build()
		if _, err := m.Fit(x, y, keras.BatchSize(64), keras.Verbose(0), keras.Distribution(keras.DataParallel(n))); err != nil {
			t.Fatal(err)
		}
		got := movingMean(m)
		moved := false
		for i := range want {
			if math.Abs(float64(got[i]-want[i])) > 1e-5 {
				t.Fatalf("%d replicas: moving_mean[%d] = %v, one replica %v", n, i, got[i], want[i])
			}
			moved = moved || want[i] != 0
		}
		if !moved {
			t.Fatal("moving_mean never moved")
		}
	}
}
