package optimizers

import (
	"testing"

	"gorgonia.org/tensor"
)

// mlpShapes are the weights of a 784-256-128-10 perceptron: 235,146 parameters.
var mlpShapes = [][]int{{784, 256}, {256}, {256, 128}, {128}, {128, 10}, {10}}

func benchmarkApply(b *testing.B, opt Optimizer) {
	var params, grads []*tensor.Dense
	n := 0
	for _, s := range mlpShapes {
		size := 1
		for _, d := range s {
			size *= d
		}
		n += size
		g := make([]float32, size)
		for i := range g {
			g[i] = float32(i%17)*0.01 - 0.08
		}
		params = append(params, tensor.New(tensor.WithShape(s...), tensor.WithBacking(make([]float32, size))))
		grads = append(grads, tensor.New(tensor.WithShape(s...), tensor.WithBacking(g)))
	}
	if err := opt.Apply(params, grads); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(4 * n))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := opt.Apply(params, grads); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAdamApply measures one Adam step on 235,146 float32 parameters.
func BenchmarkAdamApply(b *testing.B) { benchmarkApply(b, Adam()) }

// BenchmarkSGDMomentumApply measures one SGD-with-momentum step on 235,146 float32 parameters.
func BenchmarkSGDMomentumApply(b *testing.B) { benchmarkApply(b, SGD(Momentum(0.9))) }

// BenchmarkRMSpropApply measures one RMSprop step on 235,146 float32 parameters.
func BenchmarkRMSpropApply(b *testing.B) { benchmarkApply(b, RMSprop()) }
