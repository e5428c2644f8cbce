package keras_test

import (
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// detModel is a model without dropout, built from seed, so two builds train identically.
func detModel(t *testing.T, seed int64) *keras.Model {
	t.Helper()
	keras.SetRandomSeed(seed)
	in := keras.Input(keras.Shape{3})
	x := layers.Dense(4, layers.Activation("relu")).Call(in)
	out := layers.Dense(2).Call(x)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("adam", "mse", keras.Metrics("mae")); err != nil {
		t.Fatal(err)
	}
	return m
}

// rowsOf returns rows [from, to) of t as a new tensor.
func rowsOf(t *tensor.Dense, from, to int) *tensor.Dense {
	s := t.Shape().Clone()
	per := s.TotalSize() / s[0]
	s[0] = to - from
	v := append([]float32(nil), t.Data().([]float32)[from*per:to*per]...)
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(v))
}

// batchesOf yields x, y in batches of bs rows, starting over each time it is ranged; reads
// counts the batches handed out.
func batchesOf(x, y *tensor.Dense, bs int, reads *int) iter.Seq2[keras.Batch, error] {
	return func(yield func(keras.Batch, error) bool) {
		n := x.Shape()[0]
		for s := 0; s < n; s += bs {
			b := keras.Batch{X: rowsOf(x, s, min(s+bs, n))}
			if y != nil {
				b.Y = rowsOf(y, s, min(s+bs, n))
			}
			if reads != nil {
				*reads++
			}
			if !yield(b, nil) {
				return
			}
		}
	}
}

func sameWeights(t *testing.T, a, b *keras.Model) {
	t.Helper()
	wa, wb := a.Weights(), b.Weights()
	for i := range wa {
		va, vb := wa[i].Data().([]float32), wb[i].Data().([]float32)
		for j := range va {
			if va[j] != vb[j] {
				t.Fatalf("weight %d[%d]: %v from arrays, %v from the stream", i, j, va[j], vb[j])
			}
		}
	}
}

// waitGoroutines waits until no more goroutines run than before, as goleak polls.
func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	for i := 0; i < 200; i++ {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	t.Fatalf("%d goroutines left, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
}

// TestStreamFitEqualsArrays: the same rows in the same batches train the same weights bit
// for bit, from a stream (read ahead or not) as from arrays, and validation on a stream
// gives the arrays' numbers.
func TestStreamFitEqualsArrays(t *testing.T) {
	x, y := randData(30, 3, 1), randData(30, 2, 2)
	vx, vy := randData(10, 3, 3), randData(10, 2, 4)
	ref := detModel(t, 7)
	hr, err := ref.Fit(x, y, keras.Epochs(3), keras.BatchSize(8), keras.Shuffle(false), keras.Verbose(0),
		keras.ValidationData(vx, vy))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{0, 1, 2} {
		m := detModel(t, 7)
		h, err := m.Fit(keras.FromIterator(batchesOf(x, y, 8, nil)), nil, keras.Epochs(3), keras.Verbose(0),
			keras.Prefetch(k), keras.ValidationData(keras.FromIterator(batchesOf(vx, vy, 8, nil)), nil))
		if err != nil {
			t.Fatalf("Prefetch(%d): %v", k, err)
		}
		sameWeights(t, ref, m)
		for _, key := range []string{"loss", "mae", "val_loss", "val_mae"} {
			if a, b := hr.History[key], h.History[key]; fmt.Sprint(a) != fmt.Sprint(b) {
				t.Errorf("Prefetch(%d): %s %v from arrays, %v from the stream", k, key, a, b)
			}
		}
	}
}

// TestStreamEvaluatePredictEqualArrays: Evaluate and Predict on a stream give the arrays'
// results; the batches' outputs are joined in order.
func TestStreamEvaluatePredictEqualArrays(t *testing.T) {
	x, y := randData(21, 3, 5), randData(21, 2, 6)
	m := detModel(t, 3)
	want, err := m.Evaluate(x, y, keras.BatchSize(5), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Evaluate(keras.FromIterator(batchesOf(x, y, 5, nil)), nil, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(want) != fmt.Sprint(got) {
		t.Errorf("Evaluate: %v from arrays, %v from the stream", want, got)
	}
	pw, err := m.Predict(x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	pg, err := m.Predict(keras.FromIterator(batchesOf(x, nil, 5, nil)), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if !pw[0].Shape().Eq(pg[0].Shape()) || fmt.Sprint(pw[0].Data()) != fmt.Sprint(pg[0].Data()) {
		t.Errorf("Predict: %v from arrays, %v from the stream", pw[0], pg[0])
	}
	// Steps on arrays: the first 2 batches of 5 rows.
	ps, err := m.Predict(x, keras.Verbose(0), keras.BatchSize(5), keras.Steps(2))
	if err != nil {
		t.Fatal(err)
	}
	if ps[0].Shape()[0] != 10 || fmt.Sprint(ps[0].Data()) != fmt.Sprint(pw[0].Data().([]float32)[:20]) {
		t.Errorf("Predict with Steps(2): %v, want the first 10 rows of %v", ps[0], pw[0])
	}
}

// TestStreamErrorStopsFit: a source's error stops Fit with the batch's number and the
// source's error, and the read-ahead goroutine is gone afterwards.
func TestStreamErrorStopsFit(t *testing.T) {
	x, y := randData(40, 3, 1), randData(40, 2, 2)
	broken := errors.New("disk on fire")
	for _, k := range []int{0, 2} {
		before := runtime.NumGoroutine()
		src := func(yield func(keras.Batch, error) bool) {
			for b := range batchesOf(x, y, 4, nil) {
				if !yield(b, nil) {
					return
				}
			}
		}
		n := 0
		failing := func(yield func(keras.Batch, error) bool) {
			for b := range src {
				if n == 5 {
					yield(keras.Batch{}, broken)
					return
				}
				n++
				if !yield(b, nil) {
					return
				}
			}
		}
		m := detModel(t, 1)
		_, err := m.Fit(keras.FromIterator(failing), nil, keras.Verbose(0), keras.Prefetch(k))
		if !errors.Is(err, broken) || !strings.Contains(err.Error(), "keras: Fit: stream batch 5: disk on fire") {
			t.Errorf("Prefetch(%d): got %v, want the source's error at stream batch 5", k, err)
		}
		waitGoroutines(t, before)
	}
}

// TestStepsPerEpochEndlessStream: an endless stream trains StepsPerEpoch batches an epoch,
// each epoch continuing where the last stopped (the same weights as one pass over the same
// 12 batches), and stopping leaves no goroutine behind.
func TestStepsPerEpochEndlessStream(t *testing.T) {
	x, y := randData(48, 3, 8), randData(48, 2, 9)
	before := runtime.NumGoroutine()
	reads := 0
	endless := func(yield func(keras.Batch, error) bool) {
		for {
			for b, err := range batchesOf(x, y, 4, &reads) {
				if !yield(b, err) {
					return
				}
			}
		}
	}
	m := detModel(t, 2)
	c := newCounter()
	h, err := m.Fit(keras.FromIterator(endless), nil, keras.Epochs(4), keras.StepsPerEpoch(3),
		keras.Verbose(0), keras.Callbacks(c))
	if err != nil {
		t.Fatal(err)
	}
	waitGoroutines(t, before)
	if c.n["train_batch_end"] != 12 || len(h.History["loss"]) != 4 {
		t.Errorf("%d batches, %d epochs; want 12 and 4", c.n["train_batch_end"], len(h.History["loss"]))
	}
	if reads < 12 || reads > 12+2 {
		t.Errorf("%d batches read for 12 steps with Prefetch 2", reads)
	}
	ref := detModel(t, 2)
	if _, err := ref.Fit(x, y, keras.BatchSize(4), keras.Shuffle(false), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	sameWeights(t, ref, m)
	// Evaluate and Predict on an endless stream take Steps.
	logs, err := m.Evaluate(keras.FromIterator(endless), nil, keras.Steps(2), keras.Verbose(0))
	if err != nil || logs["loss"] <= 0 {
		t.Errorf("Evaluate with Steps(2): %v, %v", logs, err)
	}
	p, err := m.Predict(keras.FromIterator(endless), keras.Steps(3), keras.Verbose(0))
	if err != nil || p[0].Shape()[0] != 12 {
		t.Errorf("Predict with Steps(3): %v, %v; want 12 rows", p, err)
	}
	waitGoroutines(t, before)
}

// TestStepsPerEpochArrays checks Keras 3's rule on arrays: 10 rows in batches of 2 with
// steps_per_epoch=2 run 2, 2 and then 1 batch (the pass ran out), and the next epoch starts
// a new pass; the batches follow one pass, so 3 epochs train as one epoch over all rows.
// Keras 3.15 (jax) gives the same counts: a callback counting on_train_batch_end per epoch
// prints [2, 2, 1, 2] for fit(x, y, batch_size=2, epochs=4, steps_per_epoch=2).
func TestStepsPerEpochArrays(t *testing.T) {
	x, y := randData(10, 3, 11), randData(10, 2, 12)
	m := detModel(t, 4)
	per := &perEpoch{}
	if _, err := m.Fit(x, y, keras.BatchSize(2), keras.Epochs(3), keras.StepsPerEpoch(2), keras.Shuffle(false),
		keras.Verbose(0), keras.Callbacks(per)); err != nil {
		t.Fatal(err)
	}
	ref := detModel(t, 4)
	if _, err := ref.Fit(x, y, keras.BatchSize(2), keras.Shuffle(false), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	sameWeights(t, ref, m)
	if _, err := m.Fit(x, y, keras.BatchSize(2), keras.Epochs(4), keras.StepsPerEpoch(2), keras.Verbose(0),
		keras.Callbacks(per)); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(per.steps); got != "[2 2 1 2 2 1 2]" {
		t.Errorf("steps per epoch %s, want [2 2 1] then [2 2 1 2]", got)
	}
}

type perEpoch struct {
	keras.BaseCallback
	steps []int
}

func (p *perEpoch) OnEpochBegin(int, keras.Logs) error { p.steps = append(p.steps, 0); return nil }
func (p *perEpoch) OnTrainBatchEnd(int, keras.Logs) error {
	p.steps[len(p.steps)-1]++
	return nil
}

// TestStreamBatchShapes: batches of other sizes and other sequence lengths each get their
// program; a batch with the wrong feature count is reported with its number.
func TestStreamBatchShapes(t *testing.T) {
	keras.SetRandomSeed(1)
	in := keras.Input(keras.Shape{keras.None, 3})
	out := layers.Dense(1).Call(layers.GlobalAveragePooling1D().Call(in))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	seq := func(rows, steps, feat int) keras.Batch {
		x := randData(rows*steps, feat, uint64(rows+steps))
		if err := x.Reshape(rows, steps, feat); err != nil {
			t.Fatal(err)
		}
		return keras.Batch{X: x, Y: randData(rows, 1, 3)}
	}
	mk := func(bs ...keras.Batch) *keras.Stream {
		return keras.FromIterator(func(yield func(keras.Batch, error) bool) {
			for _, b := range bs {
				if !yield(b, nil) {
					return
				}
			}
		})
	}
	h, err := m.Fit(mk(seq(4, 5, 3), seq(2, 7, 3), seq(4, 5, 3)), nil, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if l := h.History["loss"][0]; !(l > 0) {
		t.Errorf("loss %v", l)
	}
	_, err = m.Fit(mk(seq(4, 5, 3), seq(4, 5, 3), seq(4, 5, 2)), nil, keras.Verbose(0))
	if !errors.Is(err, keras.ErrShape) || !strings.Contains(err.Error(), "keras: Fit: stream batch 2: input") {
		t.Errorf("a batch of 2 features: got %v, want a shape error naming stream batch 2", err)
	}
}

// TestFromCSV reads files line by line into batches across file ends, skips headers, and
// names the file and line of a bad cell; a channel stream is read once.
func TestFromCSV(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	if err := os.WriteFile(a, []byte("f1,f2,label\n1,2,0\n3,4,1\n5,6,2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte("f1,f2,label\n7,8,1\n9,10,0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var got []string
	for bt, err := range keras.CSVBatchesForTest(keras.FromCSV(2, -1, a, b)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprint(bt.X.(*tensor.Dense).Data(), bt.Y.(*tensor.Dense).Data()))
	}
	want := "[[1 2 3 4] [0 1] [5 6 7 8] [2 1] [9 10] [0]]"
	if fmt.Sprint(got) != want {
		t.Errorf("batches %v, want %v", got, want)
	}
	if err := os.WriteFile(b, []byte("7,8,1\n9,x,0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, err := range keras.CSVBatchesForTest(keras.FromCSV(2, -1, a, b)) {
		if err != nil {
			if !strings.Contains(err.Error(), "b.csv:2") {
				t.Errorf("error %v does not name b.csv:2", err)
			}
			return
		}
	}
	t.Error("no error for a cell that is not a number")
}

// TestFromChannelOnce: a channel trains one epoch; a second pass is a clear error.
func TestFromChannelOnce(t *testing.T) {
	x, y := randData(8, 3, 1), randData(8, 2, 2)
	ch := make(chan keras.Batch, 4)
	for b := range batchesOf(x, y, 4, nil) {
		ch <- b
	}
	close(ch)
	m := detModel(t, 1)
	_, err := m.Fit(keras.FromChannel(ch), nil, keras.Epochs(2), keras.Verbose(0))
	if !errors.Is(err, keras.ErrData) || !strings.Contains(err.Error(), "channel is read once") {
		t.Errorf("second pass over a channel: %v", err)
	}
	// An iterator that does not start over yields nothing the second time: a clear error,
	// not an epoch of no steps.
	left := []keras.Batch{{X: x, Y: y}}
	once := func(yield func(keras.Batch, error) bool) {
		for len(left) > 0 {
			b := left[0]
			left = left[1:]
			if !yield(b, nil) {
				return
			}
		}
	}
	h, err := m.Fit(keras.FromIterator(once), nil, keras.Epochs(2), keras.Verbose(0))
	if !errors.Is(err, keras.ErrData) || !strings.Contains(err.Error(), "keras: Fit: invalid data: the stream yielded no batch") || len(h.History["loss"]) != 1 {
		t.Errorf("second pass over a spent iterator: %v", err)
	}
}

// TestShuffleBufferSeed: SetRandomSeed makes Fit's shuffle buffer order reproducible, and
// the buffer does change the order (other weights than the stream's own order).
func TestShuffleBufferSeed(t *testing.T) {
	x, y := randData(64, 3, 21), randData(64, 2, 22)
	fit := func(opts ...keras.FitOption) *keras.Model {
		m := detModel(t, 9)
		opts = append(opts, keras.Verbose(0), keras.Epochs(2))
		if _, err := m.Fit(keras.FromIterator(batchesOf(x, y, 8, nil)), nil, opts...); err != nil {
			t.Fatal(err)
		}
		return m
	}
	a, b := fit(keras.ShuffleBuffer(16)), fit(keras.ShuffleBuffer(16))
	sameWeights(t, a, b)
	c := fit()
	if fmt.Sprint(a.Weights()) == fmt.Sprint(c.Weights()) {
		t.Error("ShuffleBuffer(16) trained the same weights as the stream's own order")
	}
	if _, err := detModel(t, 1).Fit(x, y, keras.ShuffleBuffer(4), keras.Verbose(0)); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("ShuffleBuffer on arrays: %v", err)
	}
}

// TestValidationSteps: with ValidationSteps(1), each epoch validates on the first batch of
// the validation data, as Keras 3.15 does (fit(..., validation_steps=1) with SGD(0.0) logs
// the loss of validation batch 0 every epoch: Keras resets its evaluation iterator), and a
// bad count is an argument error.
func TestValidationSteps(t *testing.T) {
	x, y := randData(8, 3, 31), randData(8, 2, 32)
	vx, vy := randData(6, 3, 33), randData(6, 2, 34)
	m := detModel(t, 5)
	if err := m.Compile(keras.SGDForTest(0), "mse"); err != nil { // frozen: every epoch sees the same weights
		t.Fatal(err)
	}
	h, err := m.Fit(x, y, keras.Epochs(4), keras.BatchSize(2), keras.Verbose(0),
		keras.ValidationData(vx, vy), keras.ValidationSteps(1))
	if err != nil {
		t.Fatal(err)
	}
	for epoch, b := range []int{0, 0, 0, 0} {
		want, err := m.Evaluate(rowsOf(vx, 2*b, 2*b+2), rowsOf(vy, 2*b, 2*b+2), keras.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		if got := h.History["val_loss"][epoch]; got != want["loss"] {
			t.Errorf("epoch %d: val_loss %v, want %v (validation batch %d)", epoch, got, want["loss"], b)
		}
	}
	_, err = m.Fit(x, y, keras.Verbose(0), keras.ValidationSteps(-1), keras.StepsPerEpoch(-2), keras.Prefetch(-1))
	for _, arg := range []string{"validation_steps", "steps_per_epoch", "prefetch"} {
		if !errors.Is(err, keras.ErrInvalidArgument) || !strings.Contains(err.Error(), "keras: Fit: "+arg+": must not be negative") {
			t.Errorf("bad %s: %v", arg, err)
		}
	}
}

// TestStreamArgumentErrors: y beside a stream, and a split of a stream, are argument errors.
func TestStreamArgumentErrors(t *testing.T) {
	x, y := randData(8, 3, 1), randData(8, 2, 2)
	m := detModel(t, 1)
	s := keras.FromIterator(batchesOf(x, y, 4, nil))
	if _, err := m.Fit(s, y, keras.Verbose(0)); !errors.Is(err, keras.ErrData) || !strings.Contains(err.Error(), "keras: Fit: y: a Stream carries its targets") {
		t.Errorf("y with a stream: %v", err)
	}
	if _, err := m.Fit(s, nil, keras.Verbose(0), keras.ValidationSplit(0.2)); !errors.Is(err, keras.ErrInvalidArgument) || !strings.Contains(err.Error(), "validation_split: a Stream cannot be split") {
		t.Errorf("validation_split of a stream: %v", err)
	}
	if _, err := m.Evaluate(s, y, keras.Verbose(0)); !errors.Is(err, keras.ErrData) {
		t.Errorf("Evaluate with y and a stream: %v", err)
	}
}
