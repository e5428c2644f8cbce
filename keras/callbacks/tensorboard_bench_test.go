package callbacks_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/callbacks"
	"github.com/kerago/kerago/keras/layers"
)

// BenchmarkTensorBoardBatchLogging measures what logging every batch costs a training step of the
// guide's first model, an MLP (64-32-32-10, Adam, batch 32) on the 1,437 training digits. Each
// iteration trains 10 epochs (450 steps) without the callback and 10 epochs with
// TensorBoard(UpdateFreq("batch")), interleaved (in alternating order) so that both see the same
// machine state, and reports:
//
//	ns/step-none   a training step without the callback
//	ns/step-batch  a training step with batch_loss and batch_acc written every step
//	%overhead      the median over iterations of batch/none − 1 in wall time, end to end
//	               (opening, flushing every epoch, syncing and closing the callback's file
//	               every Fit included); the median keeps a burst of load on a shared machine
//	               from counting as overhead
//	%in-callback   the time spent inside the callback's hooks during those Fit calls (every
//	               hook timed: batch scalars, epoch scalars, flushes, opening and closing
//	               the files), as a share of the steps without the callback. Unlike the
//	               end-to-end difference it is not blurred by other load on the machine.
//	%in-batch-hooks the part of it spent in OnTrainBatchEnd, writing the batch scalars
//	ns/batch-log   the callback's OnTrainBatchEnd alone (two scalars encoded and buffered)
//	%hook          ns/batch-log / ns/step-none
func BenchmarkTensorBoardBatchLogging(b *testing.B) {
	keras.SetRandomSeed(1)
	x, y := tbDigits(b)
	xTrain, _ := tbSplit(b, x, 1437)
	yTrain, _ := tbSplit(b, y, 1437)
	in := keras.Input(keras.Shape{64})
	h := layers.Dense(32, layers.Activation("relu")).Call(in)
	h = layers.Dense(32, layers.Activation("relu")).Call(h)
	out := layers.Dense(10, layers.Activation("softmax")).Call(h)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		b.Fatal(err)
	}
	if err := m.Compile("adam", "categorical_crossentropy", keras.Metrics("acc")); err != nil {
		b.Fatal(err)
	}
	const epochs, steps = 10, 10 * (1437 + 31) / 32
	fit := func(cbs ...keras.Callback) time.Duration {
		start := time.Now()
		if _, err := m.Fit(xTrain, yTrain, keras.Epochs(epochs), keras.BatchSize(32), keras.Verbose(0), keras.Callbacks(cbs...)); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	dir := b.TempDir()
	tb := &tbTimed{Callback: callbacks.TensorBoard(filepath.Join(dir, "fit"), callbacks.UpdateFreq("batch"), callbacks.WriteGraph(false))}
	fit()   // warm the program cache
	fit(tb) // and the callback's
	var none, batch time.Duration
	ratios := make([]float64, 0, b.N)
	tb.spent, tb.spentBatch = 0, 0
	b.ResetTimer()
	for i := range b.N {
		var n, t time.Duration
		if i%2 == 0 {
			n = fit()
			t = fit(tb)
		} else {
			t = fit(tb)
			n = fit()
		}
		none += n
		batch += t
		ratios = append(ratios, float64(t)/float64(n))
	}
	b.StopTimer()

	// The hook alone, on a callback in the middle of a Fit-like state.
	hook := callbacks.TensorBoard(filepath.Join(dir, "hook"), callbacks.UpdateFreq("batch"), callbacks.WriteGraph(false))
	hook.SetModel(m)
	hook.SetParams(keras.Params{Epochs: 1, Steps: 1 << 30})
	if err := hook.OnTrainBegin(keras.Logs{}); err != nil {
		b.Fatal(err)
	}
	if err := hook.OnEpochBegin(0, keras.Logs{}); err != nil {
		b.Fatal(err)
	}
	logs := keras.Logs{"loss": 0.25, "acc": 0.9}
	const calls = 20000
	start := time.Now()
	for i := range calls {
		if err := hook.OnTrainBatchEnd(i, logs); err != nil {
			b.Fatal(err)
		}
	}
	perLog := float64(time.Since(start).Nanoseconds()) / calls
	if err := hook.OnTrainEnd(keras.Logs{}); err != nil {
		b.Fatal(err)
	}

	n := float64(b.N * steps)
	noneStep := float64(none.Nanoseconds()) / n
	batchStep := float64(batch.Nanoseconds()) / n
	b.ReportMetric(noneStep, "ns/step-none")
	b.ReportMetric(batchStep, "ns/step-batch")
	b.ReportMetric(100*(tbMedian(ratios)-1), "%overhead")
	b.ReportMetric(100*float64(tb.spent)/float64(none), "%in-callback")
	b.ReportMetric(100*float64(tb.spentBatch)/float64(none), "%in-batch-hooks")
	b.ReportMetric(perLog, "ns/batch-log")
	b.ReportMetric(100*perLog/noneStep, "%hook")
}

// tbMedian returns the median of xs (sorted in place).
func tbMedian(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// tbTimed forwards every hook to a callback and adds up the time spent in them.
type tbTimed struct {
	keras.Callback
	spent      time.Duration // in every hook
	spentBatch time.Duration // in OnTrainBatchEnd
}

func (c *tbTimed) time(f func() error) error {
	start := time.Now()
	err := f()
	c.spent += time.Since(start)
	return err
}

func (c *tbTimed) SetParams(p keras.Params) { c.Callback.(keras.ParamsSetter).SetParams(p) }

func (c *tbTimed) OnTrainBegin(l keras.Logs) error {
	return c.time(func() error { return c.Callback.OnTrainBegin(l) })
}

func (c *tbTimed) OnTrainEnd(l keras.Logs) error {
	return c.time(func() error { return c.Callback.OnTrainEnd(l) })
}

func (c *tbTimed) OnEpochBegin(e int, l keras.Logs) error {
	return c.time(func() error { return c.Callback.OnEpochBegin(e, l) })
}

func (c *tbTimed) OnEpochEnd(e int, l keras.Logs) error {
	return c.time(func() error { return c.Callback.OnEpochEnd(e, l) })
}

func (c *tbTimed) OnTrainBatchBegin(i int, l keras.Logs) error {
	return c.time(func() error { return c.Callback.OnTrainBatchBegin(i, l) })
}

func (c *tbTimed) OnTrainBatchEnd(i int, l keras.Logs) error {
	start := time.Now()
	err := c.Callback.OnTrainBatchEnd(i, l)
	d := time.Since(start)
	c.spent += d
	c.spentBatch += d
	return err
}
