package optimizers

import (
	"testing"

	"gorgonia.org/tensor"
)

// mlpShapes are the weights of a 784-256-128-10 perceptron: 235,146 parameters.
var mlpShapes = [][]int{{784, 256}, {256}, {256, 128}, {128}, {128, 10}, {10}}

// qaShapes are the trainable weights of the seed QA model (docs/performance.md): two
// Embedding tables (10000×64, 10000×32), LSTM 32 and LSTM 16 over them, Dense 500 on the
// concatenation: 985,300 parameters, of which the tables are 97%.
var qaShapes = [][]int{
	{10000, 64}, {10000, 32},
	{64, 128}, {32, 128}, {128},
	{32, 64}, {16, 64}, {64},
	{48, 500}, {500},
}

// tableShapes is one 5000×128 embedding table: 640,000 parameters.
var tableShapes = [][]int{{5000, 128}}

func benchmarkApply(b *testing.B, opt Optimizer) { benchmarkApplyShapes(b, opt, mlpShapes) }

func benchmarkApplyShapes(b *testing.B, opt Optimizer, shapes [][]int) {
	var params, grads []*tensor.Dense
	n := 0
	for _, s := range shapes {
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

// BenchmarkAdamApplyQA measures one Adam step on the QA model's 985,300 float32 parameters,
// the update a QA training step ends with.
func BenchmarkAdamApplyQA(b *testing.B) { benchmarkApplyShapes(b, Adam(), qaShapes) }

// BenchmarkAdamApplyTable measures one Adam step on a 5000×128 float32 embedding table.
func BenchmarkAdamApplyTable(b *testing.B) { benchmarkApplyShapes(b, Adam(), tableShapes) }

// BenchmarkAdamWApply measures one AdamW step (decay pass, then Adam) on 235,146 float32
// parameters.
func BenchmarkAdamWApply(b *testing.B) { benchmarkApply(b, AdamW()) }

// BenchmarkNadamApply measures one Nadam step (a plain Go loop) on 235,146 float32 parameters.
func BenchmarkNadamApply(b *testing.B) { benchmarkApply(b, Nadam()) }

// BenchmarkLionApply measures one Lion step (a plain Go loop) on 235,146 float32 parameters.
func BenchmarkLionApply(b *testing.B) { benchmarkApply(b, Lion()) }

// BenchmarkAdamClipNormApply measures one Adam step with clipnorm (copy, norm and scale of
// every gradient first) on 235,146 float32 parameters.
func BenchmarkAdamClipNormApply(b *testing.B) { benchmarkApply(b, Adam(ClipNorm(1))) }
