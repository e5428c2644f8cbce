package keras_test

import (
	"math/rand/v2"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/ops"
	"github.com/kerago/kerago/keras/layers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The guide's first model, an MLP (docs/guide.md, chapter 1), at MNIST size (784-256-128-10, batch
// 128, float32, Adam), trained one step per iteration through the facade, next to the same model
// written by hand on raw Gorgonia the way its documentation shows (BindDualValues + AdamSolver).
// Compare them in one run:
//
//	go test -run '^$' -bench 'MLPStep' -benchmem ./keras/

const (
	benchBatch   = 128
	benchIn      = 784
	benchHidden1 = 256
	benchHidden2 = 128
	benchOut     = 10
)

func benchData() (*tensor.Dense, *tensor.Dense) {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, benchBatch*benchIn)
	for i := range x {
		x[i] = r.Float32()
	}
	y := make([]float32, benchBatch*benchOut)
	for i := 0; i < benchBatch; i++ {
		y[i*benchOut+r.IntN(benchOut)] = 1
	}
	return tensor.New(tensor.WithShape(benchBatch, benchIn), tensor.WithBacking(x)),
		tensor.New(tensor.WithShape(benchBatch, benchOut), tensor.WithBacking(y))
}

func BenchmarkMLPStepFacade(b *testing.B) {
	keras.SetRandomSeed(1)
	in := keras.Input(keras.Shape{benchIn})
	x := layers.Dense(benchHidden1, layers.Activation("relu")).Call(in)
	x = layers.Dense(benchHidden2, layers.Activation("relu")).Call(x)
	out := layers.Dense(benchOut, layers.Activation("softmax")).Call(x)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		b.Fatal(err)
	}
	if err := m.Compile("adam", "categorical_crossentropy"); err != nil {
		b.Fatal(err)
	}
	xs, ys := benchData()
	if _, err := m.TrainOnBatch(xs, ys); err != nil { // build the graph outside the timing
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.TrainOnBatch(xs, ys); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMLPStepRawGorgonia(b *testing.B) {
	xs, ys := benchData()
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(benchBatch, benchIn), G.WithName("x"))
	y := G.NewMatrix(g, tensor.Float32, G.WithShape(benchBatch, benchOut), G.WithName("y"))
	dense := func(in *G.Node, fanIn, fanOut int, name string, relu bool) (*G.Node, []*G.Node) {
		w := G.NewMatrix(g, tensor.Float32, G.WithShape(fanIn, fanOut), G.WithName(name+"w"), G.WithInit(G.GlorotU(1)))
		bias := G.NewVector(g, tensor.Float32, G.WithShape(fanOut), G.WithName(name+"b"), G.WithInit(G.Zeroes()))
		z := G.Must(G.BroadcastAdd(G.Must(G.Mul(in, w)), bias, nil, []byte{0}))
		if relu {
			z = G.Must(G.Rectify(z))
		}
		return z, []*G.Node{w, bias}
	}
	h1, p1 := dense(x, benchIn, benchHidden1, "1", true)
	h2, p2 := dense(h1, benchHidden1, benchHidden2, "2", true)
	logits, p3 := dense(h2, benchHidden2, benchOut, "3", false)
	params := append(append(p1, p2...), p3...)
	// The same fused cross-entropy as the facade: Gorgonia's LogSoftMax lets rows depend on
	// their batch (docs/gorgonia.md).
	loss := G.Must(G.Mean(G.Must(ops.SoftmaxCrossEntropy(logits, y))))
	if _, err := G.Grad(loss, params...); err != nil {
		b.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(params...))
	defer vm.Close()
	solver := G.NewAdamSolver(G.WithLearnRate(0.001), G.WithBeta1(0.9), G.WithBeta2(0.999), G.WithEps(1e-7))
	step := func() {
		if err := G.Let(x, xs); err != nil {
			b.Fatal(err)
		}
		if err := G.Let(y, ys); err != nil {
			b.Fatal(err)
		}
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
		if err := solver.Step(G.NodesToValueGrads(params)); err != nil {
			b.Fatal(err)
		}
		vm.Reset()
	}
	step()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		step()
	}
}
