package layers_test

import (
	"math/rand/v2"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// BenchmarkSeed is the benchmark suite of the seed models, the same models, shapes,
// optimizers and losses as bench/keras_bench.py and bench/torch_bench.py run in Keras 3 and
// PyTorch (keep them in step). Each sub-benchmark times one training step (TrainOnBatch:
// forward, backward, optimizer update) or one Predict after a first call that builds the
// graph, and reports allocations and peak memory (testenv.ReportMemory). The driver runs one
// per process, interleaved with the Python ones, and prints the side-by-side table:
//
//	go run ./bench                              # the table (see docs/performance.md)
//	go test -run '^$' -bench 'Seed' -benchmem ./keras/layers/
//	go test -tags openblas -run '^$' -bench 'Seed' -benchmem ./keras/layers/
func BenchmarkSeed(b *testing.B) {
	for _, s := range seedModels {
		b.Run(s.name, func(b *testing.B) {
			m := s.build(b)
			x, y := s.data()
			step := func() error {
				_, err := m.TrainOnBatch(x, y)
				return err
			}
			if s.predictBatch > 0 {
				step = func() error {
					_, err := m.Predict(x, keras.BatchSize(s.predictBatch), keras.Verbose(0))
					return err
				}
			}
			if err := step(); err != nil { // builds the graph outside the timing
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := step(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			testenv.ReportMemory(b)
		})
	}
}

// seedModel is one entry of the suite.
type seedModel struct {
	name         string
	build        func(testing.TB) *keras.Model
	data         func() (x, y any)
	predictBatch int // > 0: time Predict at this batch size instead of a training step
}

var seedModels = []seedModel{
	{name: "mlp", build: seedMLP, data: seedMLPData(128)},
	{name: "qa", build: seedQA, data: seedQAData},
	{name: "conv1d", build: newBenchConv1DModel, data: func() (any, any) { return benchData() }},
	{name: "three_outputs", build: seedThreeOutputs, data: seedThreeOutputsData},
	{name: "residual_conv2d", build: seedResidual, data: seedResidualData},
	{name: "predict_mlp_b1", build: seedMLP, data: seedMLPData(1), predictBatch: 1},
	{name: "predict_mlp_b128", build: seedMLP, data: seedMLPData(128), predictBatch: 128},
}

// compiledModel builds the model from in to out and compiles it.
func compiledModel(tb testing.TB, in []*keras.Tensor, out []*keras.Tensor, opt, loss any, opts ...keras.CompileOption) *keras.Model {
	tb.Helper()
	m, err := keras.NewModel(keras.Inputs(in...), keras.Outputs(out...))
	if err != nil {
		tb.Fatal(err)
	}
	if err := m.Compile(opt, loss, opts...); err != nil {
		tb.Fatal(err)
	}
	return m
}

// uniform returns a float32 tensor of the shape with values in [0, 1).
func uniform(r *rand.Rand, shape ...int) *tensor.Dense {
	n := 1
	for _, d := range shape {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = r.Float32()
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// oneHot returns rows one-hot rows of width classes.
func oneHot(r *rand.Rand, rows, classes int) *tensor.Dense {
	v := make([]float32, rows*classes)
	for i := range rows {
		v[i*classes+r.IntN(classes)] = 1
	}
	return tensor.New(tensor.WithShape(rows, classes), tensor.WithBacking(v))
}

// tokens returns a (rows, steps) int tensor of ids in [1, vocab).
func tokens(r *rand.Rand, rows, steps, vocab int) *tensor.Dense {
	v := make([]int, rows*steps)
	for i := range v {
		v[i] = 1 + r.IntN(vocab-1)
	}
	return tensor.New(tensor.WithShape(rows, steps), tensor.WithBacking(v))
}

// seedMLP is the Seed §1 MLP at MNIST size: 784-256-128-10, Adam, categorical cross-entropy.
func seedMLP(tb testing.TB) *keras.Model {
	keras.SetRandomSeed(1)
	in := keras.Input(keras.Shape{784})
	x := layers.Dense(256, layers.Activation("relu")).Call(in)
	x = layers.Dense(128, layers.Activation("relu")).Call(x)
	out := layers.Dense(10, layers.Activation("softmax")).Call(x)
	return compiledModel(tb, []*keras.Tensor{in}, []*keras.Tensor{out}, "adam", "categorical_crossentropy")
}

func seedMLPData(batch int) func() (any, any) {
	return func() (any, any) {
		r := rand.New(rand.NewPCG(1, 2))
		return uniform(r, batch, 784), oneHot(r, batch, 10)
	}
}

// seedQA is the Seed §1.1 question-answering model: vocabularies of 10,000 words, texts of
// 100 steps (Embedding 64, LSTM 32), questions of 20 (Embedding 32, LSTM 16), 500 answers,
// batch 32, Adam.
func seedQA(tb testing.TB) *keras.Model {
	keras.SetRandomSeed(1)
	ti := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("text"))
	qi := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("question"))
	et := layers.LSTM(32).Call(layers.Embedding(10000, 64).Call(ti))
	eq := layers.LSTM(16).Call(layers.Embedding(10000, 32).Call(qi))
	out := layers.Dense(500, layers.Activation("softmax")).Call(layers.Concatenate(layers.Axis(-1)).Call(et, eq))
	return compiledModel(tb, []*keras.Tensor{ti, qi}, []*keras.Tensor{out}, "adam", "categorical_crossentropy")
}

func seedQAData() (any, any) {
	r := rand.New(rand.NewPCG(3, 3))
	x := keras.Named{"text": tokens(r, 32, 100, 10000), "question": tokens(r, 32, 20, 10000)}
	return x, oneHot(r, 32, 500)
}

// seedThreeOutputs is the Seed §1.2 model with three heads on the Conv1D stack of
// BenchmarkConv1DStep (vocabulary 5000, T 200, batch 32, widths narrowed the same way):
// age (linear, MSE), income (10 classes, softmax, categorical cross-entropy), gender
// (sigmoid, binary cross-entropy), RMSprop, loss weights 0.25, 1, 10.
func seedThreeOutputs(tb testing.TB) *keras.Model {
	keras.SetRandomSeed(1)
	in := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("posts"))
	x := layers.Embedding(benchVocab, benchDim).Call(in)
	x = layers.Conv1D(benchF1, 5, layers.Activation("relu")).Call(x)
	x = layers.MaxPooling1D(5).Call(x)
	x = layers.Conv1D(benchF2, 5, layers.Activation("relu")).Call(x)
	x = layers.MaxPooling1D(5).Call(x)
	x = layers.Conv1D(benchF2, 5, layers.Activation("relu")).Call(x)
	x = layers.GlobalMaxPooling1D().Call(x)
	x = layers.Dense(benchDense, layers.Activation("relu")).Call(x)
	age := layers.Dense(1, layers.Name("age")).Call(x)
	income := layers.Dense(10, layers.Activation("softmax"), layers.Name("income")).Call(x)
	gender := layers.Dense(1, layers.Activation("sigmoid"), layers.Name("gender")).Call(x)
	return compiledModel(tb, []*keras.Tensor{in}, []*keras.Tensor{age, income, gender}, "rmsprop",
		map[string]string{"age": "mse", "income": "categorical_crossentropy", "gender": "binary_crossentropy"},
		keras.LossWeights(map[string]float64{"age": 0.25, "income": 1, "gender": 10}))
}

func seedThreeOutputsData() (any, any) {
	r := rand.New(rand.NewPCG(5, 5))
	gender := make([]float32, benchBatch)
	for i := range gender {
		gender[i] = float32(r.IntN(2))
	}
	y := keras.Named{
		"age":    uniform(r, benchBatch, 1),
		"income": oneHot(r, benchBatch, 10),
		"gender": tensor.New(tensor.WithShape(benchBatch, 1), tensor.WithBacking(gender)),
	}
	return tokens(r, benchBatch, benchSteps, benchVocab), y
}

// seedResidual is a small Seed §1.3 residual network on 16×16 RGB images, batch 32: a
// Conv2D(16, 3) stem, two residual blocks (two Conv2D(16, 3, same, relu) and Add) with a
// MaxPooling2D(2) between, GlobalAveragePooling2D, Dense(10, softmax); Adam.
func seedResidual(tb testing.TB) *keras.Model {
	keras.SetRandomSeed(1)
	in := keras.Input(keras.Shape{16, 16, 3})
	conv := func(x *keras.Tensor) *keras.Tensor {
		return layers.Conv2D(16, 3, layers.Padding("same"), layers.Activation("relu")).Call(x)
	}
	block := func(x *keras.Tensor) *keras.Tensor { return layers.Add().Call(conv(conv(x)), x) }
	x := block(conv(in))
	x = layers.MaxPooling2D(2).Call(x)
	x = block(x)
	x = layers.GlobalAveragePooling2D().Call(x)
	out := layers.Dense(10, layers.Activation("softmax")).Call(x)
	return compiledModel(tb, []*keras.Tensor{in}, []*keras.Tensor{out}, "adam", "categorical_crossentropy")
}

func seedResidualData() (any, any) {
	r := rand.New(rand.NewPCG(7, 7))
	return uniform(r, 32, 16, 16, 3), oneHot(r, 32, 10)
}
