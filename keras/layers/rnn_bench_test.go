package layers

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Benchmarks of the recurrent layers. Run them in one process so that the machine's noise
// affects all variants alike:
//
//	go test -run '^$' -bench 'QAStep|LSTMVariants' ./keras/layers/

// The guide's question-answering model (docs/guide.md, chapter 2) with vocabularies of 10,000 words
// (answers: 500), texts of 100 steps and questions of 20, batch 32.
const (
	qaVocab, qaAnswers = 10000, 500
	qaText, qaQuestion = 100, 20
	qaBatch            = 32
)

func qaData() (text, question, answers *tensor.Dense) {
	r := rand.New(rand.NewPCG(3, 3))
	ids := func(steps int) *tensor.Dense {
		d := make([]int, qaBatch*steps)
		for i := range d {
			d[i] = 1 + r.IntN(qaVocab-1)
		}
		return tensor.New(tensor.WithShape(qaBatch, steps), tensor.WithBacking(d))
	}
	text, question = ids(qaText), ids(qaQuestion)
	y := make([]float32, qaBatch*qaAnswers)
	for i := range qaBatch {
		y[i*qaAnswers+r.IntN(qaAnswers)] = 1
	}
	return text, question, tensor.New(tensor.WithShape(qaBatch, qaAnswers), tensor.WithBacking(y))
}

// BenchmarkQAStep times one training step (forward, backward, Adam) of the question-answering
// model: through the facade (TrainOnBatch), and on raw Gorgonia built by hand, once with the LSTMs
// unrolled over the steps as Gorgonia's own examples do (fused gate matrix, the faster of the two
// unrolled forms, see BenchmarkLSTMVariants) and once with the facade's recurrent op.
func BenchmarkQAStep(b *testing.B) {
	text, question, answers := qaData()
	b.Run("keras", func(b *testing.B) {
		keras.SetRandomSeed(1)
		ti := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("text"))
		qi := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("question"))
		et := LSTM(32).Call(Embedding(qaVocab, 64).Call(ti))
		eq := LSTM(16).Call(Embedding(qaVocab, 32).Call(qi))
		out := Dense(qaAnswers, Activation("softmax")).Call(Concatenate(Axis(-1)).Call(et, eq))
		m, err := keras.NewModel(keras.Inputs(ti, qi), keras.Outputs(out))
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Compile("adam", "categorical_crossentropy"); err != nil {
			b.Fatal(err)
		}
		x := keras.Named{"text": text, "question": question}
		start := time.Now()
		if _, err := m.TrainOnBatch(x, answers); err != nil {
			b.Fatal(err)
		}
		build := time.Since(start)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := m.TrainOnBatch(x, answers); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(build.Milliseconds()), "build+first-ms")
	})
	for _, unrolled := range []bool{true, false} {
		name := "raw-gorgonia-op"
		if unrolled {
			name = "raw-gorgonia-unrolled"
		}
		b.Run(name, func(b *testing.B) {
			start := time.Now()
			step := rawQA(b, unrolled, text, question, answers)
			step()
			build := time.Since(start)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				step()
			}
			b.ReportMetric(float64(build.Milliseconds()), "build+first-ms")
		})
	}
}

// rawQA builds the question-answering model on raw Gorgonia and returns a training step.
func rawQA(b *testing.B, unrolled bool, textData, questionData, answers *tensor.Dense) func() {
	g := G.NewGraph()
	f32 := tensor.Float32
	param := func(name string, shape ...int) *G.Node {
		return G.NewTensor(g, f32, len(shape), G.WithShape(shape...), G.WithName(name), G.WithInit(G.GlorotU(1)))
	}
	text := G.NewMatrix(g, tensor.Int, G.WithShape(qaBatch, qaText), G.WithName("text"))
	question := G.NewMatrix(g, tensor.Int, G.WithShape(qaBatch, qaQuestion), G.WithName("question"))
	y := G.NewMatrix(g, f32, G.WithShape(qaBatch, qaAnswers), G.WithName("y"))
	var params G.Nodes
	encode := func(ids *G.Node, steps, dim, units int, name string) *G.Node {
		emb := param(name+"/embeddings", qaVocab, dim)
		w, u, bias := param(name+"/kernel", dim, 4*units), param(name+"/recurrent_kernel", units, 4*units), param(name+"/bias", 4*units)
		params = append(params, emb, w, u, bias)
		flat := G.Must(G.Reshape(ids, tensor.Shape{qaBatch * steps}))
		x := G.Must(G.Reshape(G.Must(G.ByIndices(emb, flat, 0)), tensor.Shape{qaBatch, steps, dim}))
		if !unrolled {
			spec := ops.RNNSpec{Kind: ops.KindLSTM, Units: units, Act: ops.ActTanh, RecAct: ops.ActSigmoid}
			out := G.Must(ops.RNN(spec, x, w, u, bias, nil, true))
			n := qaBatch * steps * units
			return G.Must(G.Reshape(G.Must(G.Slice(out, G.S(0), G.S(n, n+qaBatch*units))), tensor.Shape{qaBatch, units}))
		}
		zero := func() *G.Node {
			return G.NewMatrix(g, f32, G.WithShape(qaBatch, units), G.WithValue(tensor.New(tensor.WithShape(qaBatch, units), tensor.Of(f32))))
		}
		h, c := zero(), zero()
		gate := func(z *G.Node, k int) *G.Node { return G.Must(G.Slice(z, nil, G.S(k*units, (k+1)*units))) }
		for t := range steps {
			xt := G.Must(G.Slice(x, nil, G.S(t)))
			z := G.Must(G.Add(G.Must(G.Mul(xt, w)), G.Must(G.Mul(h, u))))
			z = G.Must(G.BroadcastAdd(z, bias, nil, []byte{0}))
			i, f := G.Must(G.Sigmoid(gate(z, 0))), G.Must(G.Sigmoid(gate(z, 1)))
			gg, o := G.Must(G.Tanh(gate(z, 2))), G.Must(G.Sigmoid(gate(z, 3)))
			c = G.Must(G.Add(G.Must(G.HadamardProd(f, c)), G.Must(G.HadamardProd(i, gg))))
			h = G.Must(G.HadamardProd(o, G.Must(G.Tanh(c))))
		}
		return h
	}
	et := encode(text, qaText, 64, 32, "text")
	eq := encode(question, qaQuestion, 32, 16, "question")
	dw, db := param("dense/kernel", 48, qaAnswers), param("dense/bias", qaAnswers)
	params = append(params, dw, db)
	logits := G.Must(G.BroadcastAdd(G.Must(G.Mul(G.Must(G.Concat(1, et, eq)), dw)), db, nil, []byte{0}))
	// kerago's fused cross-entropy: Gorgonia's LogSoftMax lets rows depend on their batch.
	loss := G.Must(G.Mean(G.Must(ops.SoftmaxCrossEntropy(logits, y))))
	if _, err := G.Grad(loss, params...); err != nil {
		b.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(params...))
	b.Cleanup(func() { vm.Close() })
	solver := G.NewAdamSolver(G.WithLearnRate(0.001), G.WithBeta1(0.9), G.WithBeta2(0.999), G.WithEps(1e-7))
	return func() {
		for _, in := range []struct {
			n *G.Node
			v *tensor.Dense
		}{{text, textData}, {question, questionData}, {y, answers}} {
			if err := G.Let(in.n, in.v); err != nil {
				b.Fatal(err)
			}
		}
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
		if err := solver.Step(G.NodesToValueGrads(params)); err != nil {
			b.Fatal(err)
		}
		vm.Reset()
	}
}

// BenchmarkLSTMVariants compares the ways of running an LSTM on Gorgonia (batch 32, 32
// features, 32 units, float32; loss mean(h_T²); one step is forward, backward and Adam):
// the facade's op, and the graph unrolled over the steps with one fused gate matrix sliced
// per gate after the product, or with the weights sliced per gate once and small products per
// gate and step. build-ms is graph + gradients + machine + first step.
func BenchmarkLSTMVariants(b *testing.B) {
	for _, steps := range []int{20, 80} {
		for _, v := range []string{"op", "unrolled-fused", "unrolled-per-gate"} {
			b.Run(fmt.Sprintf("%s/T=%d", v, steps), func(b *testing.B) {
				start := time.Now()
				step := lstmVariant(b, v, steps)
				step()
				build := time.Since(start)
				b.ResetTimer()
				for range b.N {
					step()
				}
				b.ReportMetric(float64(build.Milliseconds()), "build-ms")
			})
		}
	}
}

func lstmVariant(b *testing.B, variant string, steps int) func() {
	const batch, features, units = 32, 32, 32
	g := G.NewGraph()
	f32 := tensor.Float32
	r := rand.New(rand.NewPCG(1, 2))
	value := func(shape ...int) *tensor.Dense {
		t := tensor.New(tensor.WithShape(shape...), tensor.Of(f32))
		for i := range t.Data().([]float32) {
			t.Data().([]float32)[i] = float32(r.NormFloat64() * 0.1)
		}
		return t
	}
	x := G.NewTensor(g, f32, 3, G.WithShape(batch, steps, features), G.WithName("x"))
	w := G.NewMatrix(g, f32, G.WithShape(features, 4*units), G.WithValue(value(features, 4*units)), G.WithName("w"))
	u := G.NewMatrix(g, f32, G.WithShape(units, 4*units), G.WithValue(value(units, 4*units)), G.WithName("u"))
	bias := G.NewVector(g, f32, G.WithShape(4*units), G.WithValue(value(4*units)), G.WithName("b"))
	var h *G.Node
	switch variant {
	case "op":
		spec := ops.RNNSpec{Kind: ops.KindLSTM, Units: units, Act: ops.ActTanh, RecAct: ops.ActSigmoid}
		out := G.Must(ops.RNN(spec, x, w, u, bias, nil, true))
		n := batch * steps * units
		h = G.Must(G.Reshape(G.Must(G.Slice(out, G.S(0), G.S(n, n+batch*units))), tensor.Shape{batch, units}))
	default:
		zero := func() *G.Node {
			return G.NewMatrix(g, f32, G.WithShape(batch, units), G.WithValue(tensor.New(tensor.WithShape(batch, units), tensor.Of(f32))))
		}
		var c *G.Node
		h, c = zero(), zero()
		col := func(n *G.Node, k int) *G.Node { return G.Must(G.Slice(n, nil, G.S(k*units, (k+1)*units))) }
		var wg, ug, bg [4]*G.Node
		for k := range 4 {
			wg[k], ug[k], bg[k] = col(w, k), col(u, k), G.Must(G.Slice(bias, G.S(k*units, (k+1)*units)))
		}
		for t := range steps {
			xt := G.Must(G.Slice(x, nil, G.S(t)))
			var z [4]*G.Node
			if variant == "unrolled-fused" {
				zz := G.Must(G.BroadcastAdd(G.Must(G.Add(G.Must(G.Mul(xt, w)), G.Must(G.Mul(h, u)))), bias, nil, []byte{0}))
				for k := range 4 {
					z[k] = col(zz, k)
				}
			} else {
				for k := range 4 {
					z[k] = G.Must(G.BroadcastAdd(G.Must(G.Add(G.Must(G.Mul(xt, wg[k])), G.Must(G.Mul(h, ug[k])))), bg[k], nil, []byte{0}))
				}
			}
			i, f := G.Must(G.Sigmoid(z[0])), G.Must(G.Sigmoid(z[1]))
			gg, o := G.Must(G.Tanh(z[2])), G.Must(G.Sigmoid(z[3]))
			c = G.Must(G.Add(G.Must(G.HadamardProd(f, c)), G.Must(G.HadamardProd(i, gg))))
			h = G.Must(G.HadamardProd(o, G.Must(G.Tanh(c))))
		}
	}
	loss := G.Must(G.Mean(G.Must(G.Square(h))))
	params := G.Nodes{w, u, bias}
	if _, err := G.Grad(loss, params...); err != nil {
		b.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(params...))
	b.Cleanup(func() { vm.Close() })
	solver := G.NewAdamSolver()
	xs := value(batch, steps, features)
	return func() {
		if err := G.Let(x, xs); err != nil {
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
}
