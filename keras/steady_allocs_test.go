package keras_test

import (
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/layers"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Issue 10's target: a training step of Fit, once its program is built, allocates nothing
// beyond what the batch itself needs, and so does a step of Predict's loop. These tests
// count the heap allocations (runtime.MemStats.Mallocs, the figure -benchmem reports) of
// whole Fit and Predict calls that differ only in their number of steps: everything a call
// does once (checking the data, the History, the first batch's program) is the same in both,
// so the difference divided by the extra steps is what one steady-state step allocates.
//
// What a step may still allocate, counted:
//
//   - for the batch itself, nothing: the loops copy each batch's rows into buffers the
//     program keeps (runner.go, batchBuffers), so no tensor is made per step (a Stream's
//     batches arrive as tensors of their own, made by the stream, not counted here);
//   - Fit's logs: a callback that listens to batch ends gets a fresh Logs map every batch, as
//     Keras's callbacks get a fresh dict (a callback may keep it): one map of the loss and
//     the metrics, small enough for Go's map to hold in one allocation of its header and one
//     of its slots, and the empty map its batch-begin hook gets (logsAllocs). Without such a
//     callback no logs are built.
//
// Nothing else of kerago's loop: the program key, the optimizer, the feeding of the batch,
// the metrics and the checks allocate nothing, and nor does any op of the MLP. The BLAS is
// not kerago's: gonum's pure-Go GEMM (the default build) starts goroutines for every product
// large enough, about 180 allocations per MLP step, which OpenBLAS does not. The test counts
// them as they happen (countingBLAS) and subtracts them. The bound adds slack for the
// runtime itself, which is not the step's: a garbage collection that starts during the
// calls may allocate a few objects.
//
// The same holds for the recurrent and convolutional models: no Gorgonia op is left in the
// steady state of either graph (the sigmoid output and the binary cross-entropy on its
// logits are kerago's ops, where a Gorgonia chain of nine element-wise ops allocated headers
// and shapes; GlobalMaxPooling1D's reshape copies into memory the machine keeps instead of
// allocating a view), the ops' output shapes, argument structs and values do not escape to
// the heap (internal/ops TestOpsSteadyStateAllocs counts each op's), and the kernels' halves
// and per-image parts run on the ops' helper goroutines, handed over as values the ops keep
// (internal/ops/parallel.go) instead of a goroutine and closures per call. Measured with
// GOMAXPROCS 2 (perStep sets it; the kernels split their work over that many CPUs), medians
// of 5 repeats, per step: Fit 0-1 for every model (3 with the batch-end callback: the logs),
// Predict 0-0.3; before this, QA 30 and 15, the Conv1D text model 103 and 45.
const (
	logsAllocs   = 3 // the batch-end Logs (a map of at most 8 entries: header and slots) and the batch-begin one
	runtimeSlack = 2 // allocations of the runtime between the two reads of MemStats
)

// countingBLAS counts the heap allocations made inside the matrix products of the BLAS it
// wraps (GEMM and GEMV, which are all kerago's graphs call). Products run one at a time under
// its lock, so the count holds only theirs.
type countingBLAS struct {
	G.BLAS
	mu     sync.Mutex
	allocs uint64
}

func (b *countingBLAS) count(f func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	b.allocs += after.Mallocs - before.Mallocs
}

func (b *countingBLAS) Sgemm(ta, tb blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, bb []float32, ldb int, beta float32, c []float32, ldc int) {
	b.count(func() { b.BLAS.Sgemm(ta, tb, m, n, k, alpha, a, lda, bb, ldb, beta, c, ldc) })
}

func (b *countingBLAS) Dgemm(ta, tb blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, bb []float64, ldb int, beta float64, c []float64, ldc int) {
	b.count(func() { b.BLAS.Dgemm(ta, tb, m, n, k, alpha, a, lda, bb, ldb, beta, c, ldc) })
}

func (b *countingBLAS) Sgemv(ta blas.Transpose, m, n int, alpha float32, a []float32, lda int, x []float32, incX int, beta float32, y []float32, incY int) {
	b.count(func() { b.BLAS.Sgemv(ta, m, n, alpha, a, lda, x, incX, beta, y, incY) })
}

func (b *countingBLAS) Dgemv(ta blas.Transpose, m, n int, alpha float64, a []float64, lda int, x []float64, incX int, beta float64, y []float64, incY int) {
	b.count(func() { b.BLAS.Dgemv(ta, m, n, alpha, a, lda, x, incX, beta, y, incY) })
}

// countBLAS wraps the BLAS in use in a countingBLAS until the test ends.
func countBLAS(t *testing.T) *countingBLAS {
	orig := G.WhichBLAS()
	c := &countingBLAS{BLAS: orig}
	G.Use(c)
	t.Cleanup(func() { G.Use(orig) })
	return c
}

// mallocs returns the heap allocations made while f runs, less those made inside the BLAS.
func mallocs(t *testing.T, bl *countingBLAS, f func() error) float64 {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC() // no collection left running from the warm-up
	inBLAS := bl.allocs
	runtime.ReadMemStats(&before)
	err := f()
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	return float64(after.Mallocs-before.Mallocs) - float64(bl.allocs-inBLAS)
}

// perStep returns the allocations of one step outside the BLAS: the median over a few
// repeats of (allocations of run(long) − allocations of run(short)) / (long − short).
// run(steps) makes one call that runs that many steps.
func perStep(t *testing.T, short, long int, run func(steps int) error) float64 {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	bl := countBLAS(t)
	if err := run(short); err != nil { // builds the programs and warms every buffer
		t.Fatal(err)
	}
	var per []float64
	for range 5 {
		a := mallocs(t, bl, func() error { return run(short) })
		b := mallocs(t, bl, func() error { return run(long) })
		per = append(per, (b-a)/float64(long-short))
	}
	sort.Float64s(per)
	t.Logf("allocations per step over 5 repeats: %v (the BLAS's own subtracted: %d in all)", per, bl.allocs)
	return per[len(per)/2]
}

// batchEnds is a callback that listens to Fit's batch ends (so Fit builds their logs) and
// does nothing with them.
type batchEnds struct {
	keras.BaseCallback
	n int
}

func (c *batchEnds) OnTrainBatchEnd(int, keras.Logs) error { c.n++; return nil }

// steadyCase is one model of the test, with its data of rows samples and its batch size.
type steadyCase struct {
	name  string
	build func(t *testing.T) *keras.Model
	data  func(rows int) (x, y any)
	batch int
}

var steadyCases = []steadyCase{
	{name: "mlp", build: steadyMLP, data: steadyMLPData, batch: 128},
	{name: "qa", build: steadyQA, data: steadyQAData, batch: 32},
	{name: "conv1d", build: steadyConv1D, data: steadyConv1DData, batch: 32},
}

func TestFitSteadyStateAllocs(t *testing.T) {
	if testenv.RaceEnabled {
		t.Skip("the race detector changes what allocates (sync.Pool drops what it is given)")
	}
	if testing.Short() {
		t.Skip("trains three models")
	}
	for _, c := range steadyCases {
		t.Run(c.name, func(t *testing.T) {
			m := c.build(t)
			x, y := c.data(8 * c.batch)
			fit := func(cbs ...keras.Callback) func(int) error {
				return func(steps int) error {
					_, err := m.Fit(x, y, keras.Epochs(1), keras.StepsPerEpoch(steps), keras.BatchSize(c.batch),
						keras.Verbose(0), keras.Callbacks(cbs...))
					return err
				}
			}
			if got, want := perStep(t, 2, 8, fit()), runtimeSlack; got > float64(want) {
				t.Errorf("a Fit step without callbacks allocates %.1f times, want at most %d (the runtime's slack)", got, want)
			}
			cb := &batchEnds{}
			if got, want := perStep(t, 2, 8, fit(cb)), logsAllocs+runtimeSlack; got > float64(want) {
				t.Errorf("a Fit step with a batch-end callback allocates %.1f times, want at most %d (the logs' %d and the runtime's slack)", got, want, logsAllocs)
			}
			if cb.n == 0 {
				t.Error("the callback saw no batch end")
			}
		})
	}
}

func TestPredictSteadyStateAllocs(t *testing.T) {
	if testenv.RaceEnabled {
		t.Skip("the race detector changes what allocates (sync.Pool drops what it is given)")
	}
	if testing.Short() {
		t.Skip("runs three models")
	}
	for _, c := range steadyCases {
		t.Run(c.name, func(t *testing.T) {
			m := c.build(t)
			// Two inputs of 2 and 8 batches: the same calls but for their steps, and outputs
			// of the same number of tensors.
			xs, _ := c.data(2 * c.batch)
			xl, _ := c.data(8 * c.batch)
			got := perStep(t, 2, 8, func(steps int) error {
				x := xs
				if steps == 8 {
					x = xl
				}
				_, err := m.Predict(x, keras.BatchSize(c.batch), keras.Verbose(0))
				return err
			})
			if want := runtimeSlack; got > float64(want) {
				t.Errorf("a Predict step allocates %.1f times, want at most %d (the runtime's slack)", got, want)
			}
		})
	}
}

// The models: the seed MLP (784-256-128-10, Adam), the question-answering model (two
// Embedding + LSTM inputs, shortened to 40 and 10 steps) and a text CNN (Embedding, two
// Conv1D with max pooling, global max pooling, Dense) on int32 token ids.

func steadyCompiled(t *testing.T, in, out []*keras.Tensor, opt, loss string) *keras.Model {
	t.Helper()
	m, err := keras.NewModel(keras.Inputs(in...), keras.Outputs(out...))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(opt, loss, keras.Metrics("accuracy")); err != nil {
		t.Fatal(err)
	}
	return m
}

func steadyMLP(t *testing.T) *keras.Model {
	keras.SetRandomSeed(1)
	in := keras.Input(keras.Shape{784})
	x := layers.Dense(256, layers.Activation("relu")).Call(in)
	x = layers.Dense(128, layers.Activation("relu")).Call(x)
	out := layers.Dense(10, layers.Activation("softmax")).Call(x)
	return steadyCompiled(t, []*keras.Tensor{in}, []*keras.Tensor{out}, "adam", "categorical_crossentropy")
}

func steadyQA(t *testing.T) *keras.Model {
	keras.SetRandomSeed(1)
	ti := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("text"))
	qi := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("question"))
	et := layers.LSTM(32).Call(layers.Embedding(1000, 64).Call(ti))
	eq := layers.LSTM(16).Call(layers.Embedding(1000, 32).Call(qi))
	out := layers.Dense(50, layers.Activation("softmax")).Call(layers.Concatenate(layers.Axis(-1)).Call(et, eq))
	return steadyCompiled(t, []*keras.Tensor{ti, qi}, []*keras.Tensor{out}, "adam", "categorical_crossentropy")
}

func steadyConv1D(t *testing.T) *keras.Model {
	keras.SetRandomSeed(1)
	in := keras.Input(keras.Shape{keras.None}, keras.DType("int32"))
	x := layers.Embedding(1000, 32).Call(in)
	x = layers.Conv1D(32, 5, layers.Activation("relu")).Call(x)
	x = layers.MaxPooling1D(5).Call(x)
	x = layers.Conv1D(32, 5, layers.Activation("relu")).Call(x)
	x = layers.GlobalMaxPooling1D().Call(x)
	x = layers.Dense(32, layers.Activation("relu")).Call(x)
	out := layers.Dense(1, layers.Activation("sigmoid")).Call(x)
	return steadyCompiled(t, []*keras.Tensor{in}, []*keras.Tensor{out}, "rmsprop", "binary_crossentropy")
}

func steadyFloats(r *rand.Rand, shape ...int) *tensor.Dense {
	v := make([]float32, tensor.Shape(shape).TotalSize())
	for i := range v {
		v[i] = r.Float32()
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

func steadyOneHot(r *rand.Rand, rows, classes int) *tensor.Dense {
	v := make([]float32, rows*classes)
	for i := range rows {
		v[i*classes+r.IntN(classes)] = 1
	}
	return tensor.New(tensor.WithShape(rows, classes), tensor.WithBacking(v))
}

func steadyTokens(r *rand.Rand, rows, steps, vocab int) *tensor.Dense {
	v := make([]int, rows*steps)
	for i := range v {
		v[i] = 1 + r.IntN(vocab-1)
	}
	return tensor.New(tensor.WithShape(rows, steps), tensor.WithBacking(v))
}

func steadyMLPData(rows int) (any, any) {
	r := rand.New(rand.NewPCG(1, 2))
	return steadyFloats(r, rows, 784), steadyOneHot(r, rows, 10)
}

func steadyQAData(rows int) (any, any) {
	r := rand.New(rand.NewPCG(3, 4))
	x := keras.Named{"text": steadyTokens(r, rows, 40, 1000), "question": steadyTokens(r, rows, 10, 1000)}
	return x, steadyOneHot(r, rows, 50)
}

func steadyConv1DData(rows int) (any, any) {
	r := rand.New(rand.NewPCG(5, 6))
	y := make([]float32, rows)
	for i := range y {
		y[i] = float32(r.IntN(2))
	}
	return steadyTokens(r, rows, 60, 1000), tensor.New(tensor.WithShape(rows, 1), tensor.WithBacking(y))
}

// keepLogs keeps every batch-end Logs it is handed, with the loss it held then.
type keepLogs struct {
	keras.BaseCallback
	kept []keras.Logs
	seen []float64
}

func (c *keepLogs) OnTrainBatchEnd(_ int, logs keras.Logs) error {
	c.kept, c.seen = append(c.kept, logs), append(c.seen, logs["loss"])
	return nil
}

// The loops reuse their buffers from batch to batch; the Logs they hand out are not among
// them: a callback that keeps a batch's Logs finds it unchanged after later batches.
func TestFitBatchLogsAreKept(t *testing.T) {
	m := steadyMLP(t)
	x, y := steadyMLPData(4 * 32)
	cb := &keepLogs{}
	if _, err := m.Fit(x, y, keras.Epochs(2), keras.BatchSize(32), keras.Verbose(0), keras.Callbacks(cb)); err != nil {
		t.Fatal(err)
	}
	if len(cb.kept) != 8 {
		t.Fatalf("got %d batch ends, want 8", len(cb.kept))
	}
	for i, l := range cb.kept {
		if l["loss"] != cb.seen[i] {
			t.Errorf("batch %d: the kept logs' loss changed from %v to %v", i, cb.seen[i], l["loss"])
		}
	}
	if cb.seen[0] == cb.seen[1] {
		t.Errorf("batches 0 and 1 logged the same loss %v: the test cannot tell kept logs apart", cb.seen[0])
	}
}

// TrainOnBatch reuses its runner from call to call: each call must still report its own
// batch alone (Keras resets the metrics every call), and the Logs of an earlier call must not
// change.
func TestTrainOnBatchReportsItsOwnBatch(t *testing.T) {
	m := steadyMLP(t)
	xa, ya := steadyMLPData(32)
	r := rand.New(rand.NewPCG(7, 8))
	xb, yb := steadyFloats(r, 32, 784), steadyOneHot(r, 32, 10)
	first, err := m.TrainOnBatch(xa, ya)
	if err != nil {
		t.Fatal(err)
	}
	firstLoss := first["loss"]
	want, err := m.Evaluate(xb, yb, keras.Verbose(0)) // the loss TrainOnBatch sees before its update
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.TrainOnBatch(xb, yb)
	if err != nil {
		t.Fatal(err)
	}
	if d := got["loss"] - want["loss"]; d > 1e-5 || d < -1e-5 {
		t.Errorf("second call's loss %v, want batch b's own %v (an average with the first batch's %v would mean the metrics were not reset)", got["loss"], want["loss"], firstLoss)
	}
	if got["accuracy"] != want["accuracy"] {
		t.Errorf("second call's accuracy %v, want batch b's own %v", got["accuracy"], want["accuracy"])
	}
	if first["loss"] != firstLoss {
		t.Errorf("the first call's logs changed: loss %v, was %v", first["loss"], firstLoss)
	}
}
