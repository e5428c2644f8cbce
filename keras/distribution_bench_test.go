package keras_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// BenchmarkDataParallel times one training step (one Fit over one batch) on 1 and 2
// replicas: the digits MLP (64-32-32-10, batch 64), the MNIST-size MLP (784-256-128-10,
// batch 128) and the QA model (two Embedding+LSTM branches, T 100 and 20, batch 32). The
// machine is noisy: compare replicas in interleaved runs, e.g.
//
//	for i in 1 2 3 4 5; do for r in 1 2; do
//	  go test -run '^$' -bench "DataParallel/mnist_mlp/replicas=$r$" -count 1 ./keras/
//	done; done
func BenchmarkDataParallel(b *testing.B) {
	for _, bm := range []struct {
		name  string
		build func(testing.TB) (*keras.Model, any, any, int)
	}{
		{"digits_mlp", dpBenchDigits},
		{"mnist_mlp", dpBenchMNIST},
		{"qa", dpBenchQA},
	} {
		for _, replicas := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/replicas=%d", bm.name, replicas), func(b *testing.B) {
				m, x, y, batch := bm.build(b)
				opts := []keras.FitOption{keras.BatchSize(batch), keras.Verbose(0)}
				if replicas > 1 {
					opts = append(opts, keras.Distribution(keras.DataParallel(replicas)))
				}
				if _, err := m.Fit(x, y, opts...); err != nil { // builds the programs
					b.Fatal(err)
				}
				b.ResetTimer()
				for range b.N {
					if _, err := m.Fit(x, y, opts...); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func dpBenchDigits(tb testing.TB) (*keras.Model, any, any, int) {
	x, y := dpDigits(tb, 64)
	return dpModel(tb, 1, 0), x, y, 64
}

func dpBenchMNIST(tb testing.TB) (*keras.Model, any, any, int) {
	keras.SetRandomSeed(1)
	in := keras.Input(keras.Shape{784})
	h := layers.Dense(256, layers.Activation("relu")).Call(in)
	h = layers.Dense(128, layers.Activation("relu")).Call(h)
	out := layers.Dense(10, layers.Activation("softmax")).Call(h)
	m := dpCompiled(tb, []*keras.Tensor{in}, out)
	r := rand.New(rand.NewPCG(1, 1))
	return m, dpUniform(r, 128, 784), dpOneHot(r, 128, 10), 128
}

func dpBenchQA(tb testing.TB) (*keras.Model, any, any, int) {
	keras.SetRandomSeed(1)
	ti := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("text"))
	qi := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("question"))
	et := layers.LSTM(32).Call(layers.Embedding(10000, 64).Call(ti))
	eq := layers.LSTM(16).Call(layers.Embedding(10000, 32).Call(qi))
	out := layers.Dense(500, layers.Activation("softmax")).Call(layers.Concatenate(layers.Axis(-1)).Call(et, eq))
	m := dpCompiled(tb, []*keras.Tensor{ti, qi}, out)
	r := rand.New(rand.NewPCG(3, 3))
	x := keras.Named{"text": dpTokens(r, 32, 100, 10000), "question": dpTokens(r, 32, 20, 10000)}
	return m, x, dpOneHot(r, 32, 500), 32
}

func dpCompiled(tb testing.TB, in []*keras.Tensor, out *keras.Tensor) *keras.Model {
	tb.Helper()
	m, err := keras.NewModel(keras.Inputs(in...), keras.Outputs(out))
	if err != nil {
		tb.Fatal(err)
	}
	if err := m.Compile("adam", "categorical_crossentropy"); err != nil {
		tb.Fatal(err)
	}
	return m
}

func dpUniform(r *rand.Rand, rows, cols int) *tensor.Dense {
	v := make([]float32, rows*cols)
	for i := range v {
		v[i] = r.Float32()
	}
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(v))
}

func dpOneHot(r *rand.Rand, rows, classes int) *tensor.Dense {
	v := make([]float32, rows*classes)
	for i := range rows {
		v[i*classes+r.IntN(classes)] = 1
	}
	return tensor.New(tensor.WithShape(rows, classes), tensor.WithBacking(v))
}

func dpTokens(r *rand.Rand, rows, steps, vocab int) *tensor.Dense {
	v := make([]int, rows*steps)
	for i := range v {
		v[i] = 1 + r.IntN(vocab-1)
	}
	return tensor.New(tensor.WithShape(rows, steps), tensor.WithBacking(v))
}
