package layers_test

import (
	"os"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The Conv1D stack of the guide's three-output model (docs/guide.md, chapter 3) (Embedding of a
// 5000-token vocabulary, three Conv1D of kernel 5 with two MaxPooling1D(5) between,
// GlobalMaxPooling1D, Dense(128, relu), one linear head), batch 32, T = 200, float32, one SGD step
// with MSE: through kerago (TrainOnBatch) and written directly in Gorgonia the way its API invites
// (ByIndices, NCHW, G.Conv1d, G.MaxPool1D, G.Max, a VanillaSolver). The embedding width and the
// filters are narrowed from 256 and 128/256/256 to 64 and 64/128/128.
const (
	benchVocab                       = 5000
	benchBatch, benchSteps, benchDim = 32, 200, 64
	benchF1, benchF2, benchDense     = 64, 128, 128
)

func benchData() (x, y *tensor.Dense) {
	xs := make([]int, benchBatch*benchSteps)
	for i := range xs {
		xs[i] = (i*7919 + i/7) % benchVocab
	}
	ys := make([]float32, benchBatch)
	for i := range ys {
		ys[i] = float32(i%3) - 1
	}
	return tensor.New(tensor.WithShape(benchBatch, benchSteps), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(benchBatch, 1), tensor.WithBacking(ys))
}

// newBenchConv1DModel is the stack through kerago, compiled with SGD and MSE.
func newBenchConv1DModel(b testing.TB) *keras.Model {
	keras.SetRandomSeed(1)
	in := keras.Input(keras.Shape{keras.None}, keras.DType("int32"))
	x := layers.Embedding(benchVocab, benchDim).Call(in)
	x = layers.Conv1D(benchF1, 5, layers.Activation("relu")).Call(x)
	x = layers.MaxPooling1D(5).Call(x)
	x = layers.Conv1D(benchF2, 5, layers.Activation("relu")).Call(x)
	x = layers.MaxPooling1D(5).Call(x)
	x = layers.Conv1D(benchF2, 5, layers.Activation("relu")).Call(x)
	x = layers.GlobalMaxPooling1D().Call(x)
	x = layers.Dense(benchDense, layers.Activation("relu")).Call(x)
	out := layers.Dense(1).Call(x)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		b.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkConv1DStep is one training step of the stack through kerago.
func BenchmarkConv1DStep(b *testing.B) {
	m := newBenchConv1DModel(b)
	xd, yd := benchData()
	if _, err := m.TrainOnBatch(xd, yd); err != nil { // builds the graph
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.TrainOnBatch(xd, yd); err != nil {
			b.Fatal(err)
		}
	}
}

// rawConv1DGraph is the same network in plain Gorgonia, NCHW.
type rawConv1DGraph struct {
	g      *G.ExprGraph
	x, y   *G.Node
	params G.Nodes
	vm     G.VM
	solver G.Solver
}

func newRawConv1DGraph(b testing.TB) *rawConv1DGraph {
	r := &rawConv1DGraph{g: G.NewGraph()}
	g := r.g
	must := func(n *G.Node, err error) *G.Node {
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	param := func(name string, shape ...int) *G.Node {
		n := G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name), G.WithInit(G.GlorotU(1)))
		r.params = append(r.params, n)
		return n
	}
	r.x = G.NewTensor(g, tensor.Int, 1, G.WithShape(benchBatch*benchSteps), G.WithName("ids"))
	r.y = G.NewTensor(g, tensor.Float32, 2, G.WithShape(benchBatch, 1), G.WithName("y"))
	emb := param("embeddings", benchVocab, benchDim)
	h := must(G.ByIndices(emb, r.x, 0))
	h = must(G.Reshape(h, tensor.Shape{benchBatch, benchSteps, benchDim}))
	// (B, T, D) → (B, D, 1, T)
	h = must(G.Transpose(h, 0, 2, 1))
	h = must(G.Reshape(h, tensor.Shape{benchBatch, benchDim, 1, benchSteps}))
	conv := func(h *G.Node, in, f int, name string) *G.Node {
		w := param(name+"/w", f, in, 1, 5)
		bias := param(name+"/b", 1, f, 1, 1)
		c := must(G.Conv1d(h, w, 5, 0, 1, 1))
		c = must(G.BroadcastAdd(c, bias, nil, []byte{0, 2, 3}))
		return must(G.Rectify(c))
	}
	h = conv(h, benchDim, benchF1, "c1")
	h = must(G.MaxPool1D(h, 5, 0, 5))
	h = conv(h, benchF1, benchF2, "c2")
	h = must(G.MaxPool1D(h, 5, 0, 5))
	h = conv(h, benchF2, benchF2, "c3")
	s := h.Shape()
	h = must(G.Reshape(h, tensor.Shape{s[0], s[1], s[3]}))
	h = must(G.Max(h, 2)) // (B, F)
	w4, b4 := param("d1/w", benchF2, benchDense), param("d1/b", benchDense)
	h = must(G.Rectify(must(G.BroadcastAdd(must(G.Mul(h, w4)), b4, nil, []byte{0}))))
	w5, b5 := param("d2/w", benchDense, 1), param("d2/b", 1)
	pred := must(G.BroadcastAdd(must(G.Mul(h, w5)), b5, nil, []byte{0}))
	cost := must(G.Mean(must(G.Square(must(G.Sub(pred, r.y))))))
	if _, err := G.Grad(cost, r.params...); err != nil {
		b.Fatal(err)
	}
	r.vm = G.NewTapeMachine(g, G.BindDualValues(r.params...))
	r.solver = G.NewVanillaSolver(G.WithLearnRate(0.01))
	return r
}

func (r *rawConv1DGraph) step(b testing.TB, x, y *tensor.Dense) {
	flat := tensor.New(tensor.WithShape(benchBatch*benchSteps), tensor.WithBacking(x.Data()))
	if err := G.Let(r.x, flat); err != nil {
		b.Fatal(err)
	}
	if err := G.Let(r.y, y); err != nil {
		b.Fatal(err)
	}
	if err := r.vm.RunAll(); err != nil {
		b.Fatal(err)
	}
	if err := r.solver.Step(G.NodesToValueGrads(r.params)); err != nil {
		b.Fatal(err)
	}
	r.vm.Reset()
}

// BenchmarkConv1DStepRawGorgonia is the same step written directly in Gorgonia.
func BenchmarkConv1DStepRawGorgonia(b *testing.B) {
	r := newRawConv1DGraph(b)
	defer func() {
		r.vm.Close()
		runtime.SetFinalizer(r.vm, nil)
	}()
	xd, yd := benchData()
	r.step(b, xd, yd)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.step(b, xd, yd)
	}
}

// TestConv1DStepInterleaved measures both steps in one process, alternating chunks of 3
// steps (and which goes first) for 10 rounds (this VM's speed drifts by 1-3x over seconds, so separate benchmark runs
// do not compare), and logs the median ms per step and their ratio. It runs only with
// KERAGO_BENCH=1.
func TestConv1DStepInterleaved(t *testing.T) {
	if os.Getenv("KERAGO_BENCH") != "1" {
		t.Skip("set KERAGO_BENCH=1 to measure")
	}
	m := newBenchConv1DModel(t)
	r := newRawConv1DGraph(t)
	defer func() {
		r.vm.Close()
		runtime.SetFinalizer(r.vm, nil)
	}()
	xd, yd := benchData()
	kerago := func() {
		if _, err := m.TrainOnBatch(xd, yd); err != nil {
			t.Fatal(err)
		}
	}
	raw := func() { r.step(t, xd, yd) }
	kerago()
	raw()
	const rounds, chunk = 10, 3
	var tk, tr []float64
	timeIt := func(f func()) float64 {
		start := time.Now()
		for i := 0; i < chunk; i++ {
			f()
		}
		return float64(time.Since(start).Microseconds()) / 1000 / chunk
	}
	for i := 0; i < rounds; i++ {
		if i%2 == 0 {
			tk = append(tk, timeIt(kerago))
			tr = append(tr, timeIt(raw))
		} else {
			tr = append(tr, timeIt(raw))
			tk = append(tk, timeIt(kerago))
		}
	}
	median := func(v []float64) float64 {
		v = append([]float64(nil), v...)
		sort.Float64s(v)
		return (v[len(v)/2] + v[(len(v)-1)/2]) / 2
	}
	mk, mr := median(tk), median(tr)
	t.Logf("ms/step: kerago %.1f (chunks %.0f), raw Gorgonia %.1f (chunks %.0f); kerago/raw = %.2f", mk, tk, mr, tr, mk/mr)
}
