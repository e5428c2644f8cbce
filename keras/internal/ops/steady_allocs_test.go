package ops

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/kerago/kerago/keras/internal/exec"
	"github.com/kerago/kerago/keras/internal/testenv"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Issue 10: a steady-state training step allocates nothing beyond the batch. kerago's machine
// (internal/exec) hands every op here the memory of its last run (UsePreallocDo), so a run of
// a graph of these ops, forward and backward, allocates only what the ops allocate
// themselves. Each case is a graph of the ops on a seed model's path, with its gradients,
// run on the machine once to build its memory, then counted over further runs. The bound is
// what the ops' goroutine forks still allocate with GOMAXPROCS 1, counted per case
// (closures): parallelFor and batchHalves take a closure that escapes, one allocation per
// call even when it runs inline. Everything else — shapes, headers, argument structs, the
// ops boxed into interfaces — must not allocate.
func TestOpsSteadyStateAllocs(t *testing.T) {
	if testenv.RaceEnabled {
		t.Skip("the race detector changes what allocates")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	r := rand.New(rand.NewPCG(4, 2))
	input := func(g *G.ExprGraph, name string, shape ...int) *G.Node {
		v := make([]float32, tensor.Shape(shape).TotalSize())
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		return G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))))
	}
	cases := []struct {
		name string
		// build returns the loss and the nodes to differentiate it by.
		build    func(t *testing.T, g *G.ExprGraph) (*G.Node, G.Nodes)
		closures float64
	}{
		{"sigmoid and binary cross-entropy", func(t *testing.T, g *G.ExprGraph) (*G.Node, G.Nodes) {
			must := mustOf(t)
			x, y := input(g, "x", 8, 3), input(g, "y", 8, 3)
			// The Conv1D model's head: a sigmoid output, the loss from its logits.
			z := must(Sigmoid(x))
			return must(MeanAll(must(SigmoidCrossEntropy(z, y)))), G.Nodes{x}
		}, 0},
		{"squared error", func(t *testing.T, g *G.ExprGraph) (*G.Node, G.Nodes) {
			must := mustOf(t)
			x, y := input(g, "x", 8, 3), input(g, "y", 8, 3)
			return must(MeanAll(must(SquaredError(must(Sigmoid(x)), y)))), G.Nodes{x}
		}, 0},
		{"concat and reshape", func(t *testing.T, g *G.ExprGraph) (*G.Node, G.Nodes) {
			must := mustOf(t)
			a, b := input(g, "a", 4, 3), input(g, "b", 4, 2)
			c := must(Concat(-1, must(Sigmoid(a)), must(Sigmoid(b))))
			return must(MeanAll(must(Reshape(c, tensor.Shape{2, 10})))), G.Nodes{a, b}
		}, 0},
		{"conv1d and max pooling", func(t *testing.T, g *G.ExprGraph) (*G.Node, G.Nodes) {
			must := mustOf(t)
			x, k, b := input(g, "x", 4, 20, 3), input(g, "k", 5, 3, 6), input(g, "bias", 6)
			h := must(Sigmoid(x)) // a computed input, so the convolution's input gradient too
			c := must(Conv(h, k, b, Window{KH: 1, KW: 5, SH: 1, SW: 1, DH: 1, DW: 1}, DenseRelu))
			p := must(Pool2D(c, Window{KH: 1, KW: 4, SH: 1, SW: 4, DH: 1, DW: 1}, false))
			// GlobalMaxPooling1D: the whole length as one window, then (batch, channels).
			q := must(Pool2D(p, Window{KH: 1, KW: 4, SH: 1, SW: 4, DH: 1, DW: 1}, false))
			return must(MeanAll(must(Reshape(q, tensor.Shape{4, 6})))), G.Nodes{x, k, b}
		}, 6}, // im2col and col2im, two poolings and their two gradients
		{"lstm", func(t *testing.T, g *G.ExprGraph) (*G.Node, G.Nodes) {
			must := mustOf(t)
			const units = 4
			x := input(g, "x", 3, 5, 2)
			w, u, b := input(g, "w", 2, 4*units), input(g, "u", units, 4*units), input(g, "bias", 4*units)
			spec := RNNSpec{Kind: KindLSTM, Units: units, Act: ActTanh, RecAct: ActSigmoid}
			out := must(RNN(spec, must(Sigmoid(x)), w, u, b, nil, true))
			return must(MeanAll(out)), G.Nodes{x, w, u, b}
		}, 4}, // the forward's and the backward's step closures and their batchHalves closures
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := G.NewGraph()
			loss, wrt := c.build(t, g)
			if _, err := G.Grad(loss, wrt...); err != nil {
				t.Fatal(err)
			}
			m, err := exec.New(g)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if err := m.RunAll(); err != nil { // builds every node's memory
				t.Fatal(err)
			}
			got := testing.AllocsPerRun(20, func() {
				if err := m.RunAll(); err != nil {
					t.Fatal(err)
				}
			})
			t.Logf("%v allocations per run", got)
			if got > c.closures {
				t.Errorf("a run allocates %v times, want at most %v (the closures handed to the goroutine forks)", got, c.closures)
			}
		})
	}
}
