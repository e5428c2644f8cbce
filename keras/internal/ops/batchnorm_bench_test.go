package ops

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BenchmarkBatchNormTraining is one training-mode forward and backward pass of batch
// normalisation over (6272, 32) float32 values (MobileNet's first blocks at batch 2) on
// Gorgonia's TapeMachine: the fused ops against the Gorgonia chain they replaced. On a loaded
// machine compare them in alternating runs (-bench 'BatchNormTraining/fused', then /chain, …).
func BenchmarkBatchNormTraining(b *testing.B) {
	shape := []int{6272, 32}
	for _, v := range []struct {
		name  string
		build func(x, gamma, beta *G.Node, eps float64) (*G.Node, error)
	}{{"fused", bnFused}, {"chain", bnGorgoniaChain}} {
		b.Run(v.name, func(b *testing.B) {
			xs, gs, bs, rs := bnAccuracyData(shape)
			c := shape[1]
			dt := tensor.Float32
			g := G.NewGraph()
			x := G.NewTensor(g, dt, 2, G.WithShape(shape...), G.WithValue(bnTensor(dt, shape, xs)), G.WithName("x"))
			gamma := G.NewTensor(g, dt, 1, G.WithShape(c), G.WithValue(bnTensor(dt, []int{c}, gs)), G.WithName("gamma"))
			beta := G.NewTensor(g, dt, 1, G.WithShape(c), G.WithValue(bnTensor(dt, []int{c}, bs)), G.WithName("beta"))
			r := G.NewTensor(g, dt, 2, G.WithShape(shape...), G.WithValue(bnTensor(dt, shape, rs)), G.WithName("r"))
			y, err := v.build(x, gamma, beta, 1e-3)
			if err != nil {
				b.Fatal(err)
			}
			prod, err := G.HadamardProd(y, r)
			if err != nil {
				b.Fatal(err)
			}
			cost, err := G.Sum(prod)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := G.Grad(cost, x, gamma, beta); err != nil {
				b.Fatal(err)
			}
			vm := G.NewTapeMachine(g)
			defer vm.Close()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := vm.RunAll(); err != nil {
					b.Fatal(err)
				}
				vm.Reset()
			}
		})
	}
}
