package ops

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BenchmarkSoftmaxLoss times what a classifier's training step spends on its output: the
// softmax activation, the cross-entropy from the logits and the gradient with respect to the
// logits, for a (128, 10) float32 batch. "gorgonia" is how kerago built it before these ops
// (G.SoftMax, and G.LogSoftMax in the loss: the kernels that mix rows, kept here only as the
// reference); "kerago" is ops.Softmax with ops.SoftmaxCrossEntropy.
//
//	go test -run '^$' -bench SoftmaxLoss -benchmem ./keras/internal/ops
func BenchmarkSoftmaxLoss(b *testing.B) {
	const n, c = 128, 10
	r := rand.New(rand.NewPCG(1, 1))
	z := make([]float32, n*c)
	y := make([]float32, n*c)
	for i := range n {
		for j := range c {
			z[i*c+j] = float32(r.NormFloat64() * 3)
		}
		y[i*c+r.IntN(c)] = 1
	}
	variants := []struct {
		name string
		loss func(logits, y *G.Node) (out, loss *G.Node)
	}{
		{"gorgonia", func(logits, y *G.Node) (*G.Node, *G.Node) {
			out := G.Must(G.SoftMax(logits))
			logp := G.Must(G.LogSoftMax(logits, 1))
			return out, G.Must(G.Neg(G.Must(G.Mean(G.Must(G.Sum(G.Must(G.HadamardProd(y, logp)), 1))))))
		}},
		{"kerago", func(logits, y *G.Node) (*G.Node, *G.Node) {
			return G.Must(Softmax(logits)), G.Must(G.Mean(G.Must(SoftmaxCrossEntropy(logits, y))))
		}},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			g := G.NewGraph()
			logits := G.NewMatrix(g, tensor.Float32, G.WithShape(n, c), G.WithName("z"),
				G.WithValue(tensor.New(tensor.WithShape(n, c), tensor.WithBacking(z))))
			yn := G.NewMatrix(g, tensor.Float32, G.WithShape(n, c), G.WithName("y"),
				G.WithValue(tensor.New(tensor.WithShape(n, c), tensor.WithBacking(y))))
			out, loss := v.loss(logits, yn)
			grads, err := G.Grad(loss, logits)
			if err != nil {
				b.Fatal(err)
			}
			var ov, gv G.Value
			G.Read(out, &ov)
			G.Read(grads[0], &gv)
			vm := G.NewTapeMachine(g)
			defer vm.Close()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := vm.RunAll(); err != nil {
					b.Fatal(err)
				}
				vm.Reset()
			}
		})
	}
}
