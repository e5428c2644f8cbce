package keras_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// A zoo of models covering every layer class this library registers, for the saving tests:
// each case builds a compiled model and the data to train it and predict with.

type zooCase struct {
	name      string
	build     func(t *testing.T) *keras.Model
	x, y      func() []*tensor.Dense
	noCompile bool
	// stochastic marks models whose training draws random numbers (dropout) that a new
	// realisation of the model draws differently, so resumed training is not compared.
	stochastic bool
}

const zooBatch = 6

// floats returns a deterministic (batch, shape...) float32 tensor.
func floats(seed float64, shape ...int) *tensor.Dense {
	full := append([]int{zooBatch}, shape...)
	n := 1
	for _, d := range full {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(math.Sin(seed+0.37*float64(i)) * 0.9)
	}
	return tensor.New(tensor.WithShape(full...), tensor.WithBacking(v))
}

// padded zeroes the last (i mod 3) steps of example i of a (batch, steps, features) tensor, as
// padding that Masking(0) masks.
func padded(x *tensor.Dense) *tensor.Dense {
	s := x.Shape()
	v := x.Data().([]float32)
	for b := range s[0] {
		for step := s[1] - b%3; step < s[1]; step++ {
			clear(v[(b*s[1]+step)*s[2] : (b*s[1]+step+1)*s[2]])
		}
	}
	return x
}

// floats64 is floats in float64.
func floats64(seed float64, shape ...int) *tensor.Dense {
	full := append([]int{zooBatch}, shape...)
	n := 1
	for _, d := range full {
		n *= d
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = math.Sin(seed+0.37*float64(i)) * 0.9
	}
	return tensor.New(tensor.WithShape(full...), tensor.WithBacking(v))
}

// tokens returns (batch, steps) int32 ids in [0, vocab), with padding zeros at the start of
// some rows.
func tokens(seed, vocab, steps int) *tensor.Dense {
	v := make([]int32, zooBatch*steps)
	for b := 0; b < zooBatch; b++ {
		for s := 0; s < steps; s++ {
			id := (b*7+s*3+seed)%(vocab-1) + 1
			if s < b%3 {
				id = 0
			}
			v[b*steps+s] = int32(id)
		}
	}
	return tensor.New(tensor.WithShape(zooBatch, steps), tensor.WithBacking(v))
}

// positionIDs returns (batch, steps) int32 positions 0 … steps−1 for every example.
func positionIDs(steps int) *tensor.Dense {
	v := make([]int32, zooBatch*steps)
	for i := range v {
		v[i] = int32(i % steps)
	}
	return tensor.New(tensor.WithShape(zooBatch, steps), tensor.WithBacking(v))
}

// floatTokens is tokens as float32 values, as Keras's guide feeds a float32 Input.
func floatTokens(seed, vocab, steps int) *tensor.Dense {
	ids := tokens(seed, vocab, steps).Int32s()
	v := make([]float32, len(ids))
	for i, id := range ids {
		v[i] = float32(id)
	}
	return tensor.New(tensor.WithShape(zooBatch, steps), tensor.WithBacking(v))
}

// oneHot returns (batch, k) one-hot targets.
func oneHot(seed, k int) *tensor.Dense {
	v := make([]float32, zooBatch*k)
	for b := 0; b < zooBatch; b++ {
		v[b*k+(b*5+seed)%k] = 1
	}
	return tensor.New(tensor.WithShape(zooBatch, k), tensor.WithBacking(v))
}

// unit returns (batch, k) targets in [0, 1].
func unit(seed float64, k int) *tensor.Dense {
	t := floats(seed, k)
	for i, x := range t.Float32s() {
		t.Float32s()[i] = (x + 1) / 2
	}
	return t
}

func list(ts ...*tensor.Dense) func() []*tensor.Dense {
	return func() []*tensor.Dense { return ts }
}

// built holds NewModel's results until a test checks them: mk(keras.NewModel(...)).must(t).
type built struct {
	m   *keras.Model
	err error
}

func mk(m *keras.Model, err error) built { return built{m, err} }

func (b built) must(t *testing.T) *keras.Model {
	t.Helper()
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.m
}

func compile(t *testing.T, m *keras.Model, opt, loss any, opts ...keras.CompileOption) *keras.Model {
	t.Helper()
	if err := m.Compile(opt, loss, opts...); err != nil {
		t.Fatal(err)
	}
	return m
}

func zoo() []zooCase {
	return []zooCase{
		{name: "mlp", build: func(t *testing.T) *keras.Model {
			in := keras.Input(keras.Shape{8})
			x := layers.Dense(16, layers.Activation("relu")).Call(in)
			out := layers.Dense(3, layers.Activation("softmax")).Call(x)
			m := mk(keras.NewModel(keras.Inputs(in), keras.Outputs(out))).must(t)
			return compile(t, m, "adam", "categorical_crossentropy", keras.Metrics("acc"))
		}, x: list(floats(0, 8)), y: list(oneHot(0, 3))},

		{name: "sequential", stochastic: true, build: func(t *testing.T) *keras.Model {
			m := mk(keras.NewSequential(keras.InputShape(keras.Shape{6}),
				layers.Dense(5, layers.Activation("tanh")), layers.Dropout(0.3),
				layers.Dense(2, layers.KernelInitializer("he_normal")))).must(t)
			return compile(t, m, optimizers.SGD(optimizers.LearningRate(0.05), optimizers.Momentum(0.9)), "mse", keras.Metrics("mae"))
		}, x: list(floats(1, 6)), y: list(floats(2, 2))},

		{name: "qa", build: func(t *testing.T) *keras.Model {
			text := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("text"))
			et := layers.Embedding(50, 8, layers.MaskZero(true)).Call(text)
			enc := layers.LSTM(6).Call(et)
			q := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("question"))
			eq := layers.Embedding(30, 4).Call(q)
			encq := layers.LSTM(3).Call(eq)
			c := layers.Concatenate(layers.Axis(-1)).Call(enc, encq)
			ans := layers.Dense(5, layers.Activation("softmax")).Call(c)
			m := mk(keras.NewModel(keras.Inputs(text, q), keras.Outputs(ans))).must(t)
			return compile(t, m, "adam", "categorical_crossentropy", keras.Metrics("acc"))
		}, x: list(tokens(1, 50, 7), tokens(2, 30, 5)), y: list(oneHot(1, 5))},

		{name: "three_outputs", build: func(t *testing.T) *keras.Model {
			posts := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("posts"))
			x := layers.Embedding(40, 8).Call(posts)
			x = layers.Conv1D(8, 3, layers.Activation("relu")).Call(x)
			x = layers.MaxPooling1D(2).Call(x)
			x = layers.Conv1D(8, 3, layers.Activation("relu"), layers.Padding("same")).Call(x)
			x = layers.GlobalMaxPooling1D().Call(x)
			x = layers.Dense(8, layers.Activation("relu")).Call(x)
			age := layers.Dense(1, layers.Name("age")).Call(x)
			income := layers.Dense(3, layers.Activation("softmax"), layers.Name("income")).Call(x)
			gender := layers.Dense(1, layers.Activation("sigmoid"), layers.Name("gender")).Call(x)
			m := mk(keras.NewModel(keras.Inputs(posts), keras.Outputs(age, income, gender))).must(t)
			return compile(t, m, "rmsprop",
				map[string]string{"age": "mse", "income": "categorical_crossentropy", "gender": "binary_crossentropy"},
				keras.LossWeights(map[string]float64{"age": 0.25, "income": 1, "gender": 10}))
		}, x: list(tokens(3, 40, 12)), y: list(floats(4, 1), oneHot(2, 3), unit(5, 1))},

		{name: "shared", build: func(t *testing.T) *keras.Model {
			lstm := layers.LSTM(5)
			left := keras.Input(keras.Shape{keras.None, 4})
			right := keras.Input(keras.Shape{keras.None, 4})
			merged := layers.Concatenate(layers.Axis(-1)).Call(lstm.Call(left), lstm.Call(right))
			out := layers.Dense(1, layers.Activation("sigmoid")).Call(merged)
			m := mk(keras.NewModel(keras.Inputs(left, right), keras.Outputs(out))).must(t)
			return compile(t, m, "adam", "binary_crossentropy")
		}, x: list(floats(6, 5, 4), floats(7, 5, 4)), y: list(unit(8, 1))},

		{name: "nested", build: func(t *testing.T) *keras.Model {
			ii := keras.Input(keras.Shape{5}, keras.Name("ii"))
			inner := mk(keras.NewModel(keras.Inputs(ii), keras.Outputs(layers.Dense(3).Call(ii)), keras.ModelName("inner"))).must(t)
			seq := mk(keras.NewSequential(keras.InputShape(keras.Shape{3}), layers.Dense(2), layers.BatchNormalization())).must(t)
			x := keras.Input(keras.Shape{7}, keras.Name("x"))
			h := layers.Dense(5, layers.Name("pre")).Call(x)
			s := layers.Add().Call(inner.Call(h), inner.Call(h))
			out := layers.Dense(1).Call(seq.Call(s))
			m := mk(keras.NewModel(keras.Inputs(x), keras.Outputs(out), keras.ModelName("outer"))).must(t)
			return compile(t, m, optimizers.SGD(optimizers.Momentum(0.9)), "mse")
		}, x: list(floats(9, 7)), y: list(floats(10, 1))},

		// Nested models as direct outputs: Keras numbers a functional model's calls from 1 in
		// output_layers (its construction is call 0), so these pin the call indices both ways.
		{name: "autoencoder", build: func(t *testing.T) *keras.Model {
			ei := keras.Input(keras.Shape{6}, keras.Name("enc_in"))
			encoder := mk(keras.NewModel(keras.Inputs(ei), keras.Outputs(layers.Dense(3, layers.Activation("relu")).Call(ei)), keras.ModelName("encoder"))).must(t)
			di := keras.Input(keras.Shape{3}, keras.Name("dec_in"))
			decoder := mk(keras.NewModel(keras.Inputs(di), keras.Outputs(layers.Dense(6).Call(di)), keras.ModelName("decoder"))).must(t)
			x := keras.Input(keras.Shape{6}, keras.Name("img"))
			m := mk(keras.NewModel(keras.Inputs(x), keras.Outputs(decoder.Call(encoder.Call(x))), keras.ModelName("autoencoder"))).must(t)
			return compile(t, m, "adam", "mse")
		}, x: list(floats(24, 6)), y: list(floats(24, 6))},

		{name: "nested_twice", build: func(t *testing.T) *keras.Model {
			ti := keras.Input(keras.Shape{4}, keras.Name("tower_in"))
			tower := mk(keras.NewModel(keras.Inputs(ti), keras.Outputs(layers.Dense(2).Call(ti)), keras.ModelName("tower"))).must(t)
			a := keras.Input(keras.Shape{4}, keras.Name("left"))
			b := keras.Input(keras.Shape{4}, keras.Name("right"))
			m := mk(keras.NewModel(keras.Inputs(a, b), keras.Outputs(tower.Call(a), tower.Call(b)), keras.ModelName("siamese"))).must(t)
			return compile(t, m, "sgd", "mse")
		}, x: list(floats(25, 4), floats(26, 4)), y: list(floats(27, 2), floats(28, 2))},

		{name: "nested_deep", build: func(t *testing.T) *keras.Model {
			i3 := keras.Input(keras.Shape{4}, keras.Name("in3"))
			level3 := mk(keras.NewModel(keras.Inputs(i3), keras.Outputs(layers.Dense(3, layers.Activation("tanh")).Call(i3)), keras.ModelName("level3"))).must(t)
			i2 := keras.Input(keras.Shape{5}, keras.Name("in2"))
			level2 := mk(keras.NewModel(keras.Inputs(i2), keras.Outputs(level3.Call(layers.Dense(4).Call(i2))), keras.ModelName("level2"))).must(t)
			x := keras.Input(keras.Shape{5}, keras.Name("in1"))
			m := mk(keras.NewModel(keras.Inputs(x), keras.Outputs(level2.Call(x)), keras.ModelName("level1"))).must(t)
			return compile(t, m, "adam", "mse")
		}, x: list(floats(29, 5)), y: list(floats(30, 3))},

		{name: "nested_mixed", build: func(t *testing.T) *keras.Model {
			hi := keras.Input(keras.Shape{4}, keras.Name("head_in"))
			head := mk(keras.NewModel(keras.Inputs(hi), keras.Outputs(layers.Dense(2).Call(hi)), keras.ModelName("head"))).must(t)
			x := keras.Input(keras.Shape{4}, keras.Name("features"))
			h := layers.Dense(4, layers.Activation("relu"), layers.Name("trunk")).Call(x)
			plain := layers.Dense(1, layers.Name("plain")).Call(h)
			// A nested Sequential is not a Functional: Keras numbers its calls from 0 everywhere.
			seq := mk(keras.NewSequential(keras.InputShape(keras.Shape{4}), layers.Dense(2)))
			side := seq.must(t)
			m := mk(keras.NewModel(keras.Inputs(x), keras.Outputs(head.Call(x), plain, head.Call(h), side.Call(h)), keras.ModelName("mixed"))).must(t)
			return compile(t, m, "adam", "mse")
		}, x: list(floats(31, 4)), y: list(floats(32, 2), floats(33, 1), floats(34, 2), floats(40, 2))},

		// The guide's ticket model: token inputs left at the default float32 dtype feed
		// Embedding, which casts the ids, as Keras's does.
		{name: "ticket", build: func(t *testing.T) *keras.Model {
			title := keras.Input(keras.Shape{keras.None}, keras.Name("title"))
			body := keras.Input(keras.Shape{keras.None}, keras.Name("body"))
			tags := keras.Input(keras.Shape{6}, keras.Name("tags"))
			tf := layers.LSTM(5).Call(layers.Embedding(30, 4).Call(title))
			bf := layers.LSTM(3).Call(layers.Embedding(30, 4).Call(body))
			x := layers.Concatenate().Call(tf, bf, tags)
			priority := layers.Dense(1, layers.Name("priority")).Call(x)
			department := layers.Dense(3, layers.Name("department")).Call(x)
			m := mk(keras.NewModel(keras.Inputs(title, body, tags), keras.Outputs(priority, department), keras.ModelName("ticket"))).must(t)
			return compile(t, m, "rmsprop", "mse")
		}, x: list(floatTokens(35, 30, 7), floatTokens(36, 30, 9), unit(37, 6)), y: list(floats(38, 1), floats(39, 3))},

		{name: "batchnorm", build: func(t *testing.T) *keras.Model {
			in := keras.Input(keras.Shape{6})
			x := layers.Dense(8, layers.Trainable(false)).Call(in)
			x = layers.BatchNormalization(layers.Momentum(0.9)).Call(x)
			x = layers.ActivationOf("relu").Call(x)
			out := layers.Dense(1).Call(x)
			m := mk(keras.NewModel(keras.Inputs(in), keras.Outputs(out))).must(t)
			return compile(t, m, optimizers.Adam(optimizers.LearningRate(0.01)), "mse")
		}, x: list(floats(11, 6)), y: list(floats(12, 1))},

		{name: "conv2d", build: func(t *testing.T) *keras.Model {
			in := keras.Input(keras.Shape{8, 8, 3})
			x := layers.ZeroPadding2D(1).Call(in)
			x = layers.Conv2D(4, 3, layers.Activation("relu")).Call(x)
			x = layers.MaxPooling2D(2).Call(x)
			a := layers.Conv2D(6, 3, layers.Padding("same"), layers.Strides(2)).Call(x)
			a = layers.Flatten().Call(a)
			a = layers.Reshape(keras.Shape{4, 6}).Call(a)
			a = layers.AveragePooling1D(2).Call(a)
			a = layers.GlobalAveragePooling1D().Call(a)
			b := layers.Conv2D(3, 1, layers.KernelSize2D(1, 3), layers.Padding("same")).Call(x)
			b = layers.AveragePooling2D(2, layers.Padding("same")).Call(b)
			c := layers.GlobalAveragePooling2D().Call(b)
			d := layers.GlobalMaxPooling2D().Call(b)
			out := layers.Dense(2).Call(layers.Concatenate().Call(a, c, d))
			m := mk(keras.NewModel(keras.Inputs(in), keras.Outputs(out))).must(t)
			return compile(t, m, "adam", "mse")
		}, x: list(floats(13, 8, 8, 3)), y: list(floats(14, 2))},

		// The depthwise, separable and transposed convolutions (branch convs).
		{name: "conv_variants", build: func(t *testing.T) *keras.Model {
			in := keras.Input(keras.Shape{8, 8, 3})
			x := layers.DepthwiseConv2D(3, layers.DepthMultiplier(2), layers.Padding("same"), layers.Activation("relu")).Call(in)
			x = layers.SeparableConv2D(4, 3, layers.Strides(2), layers.Padding("same")).Call(x)
			x = layers.Conv2DTranspose(3, 3, layers.Strides(2), layers.Padding("same")).Call(x)
			x = layers.Flatten().Call(x)
			s := layers.Reshape(keras.Shape{64, 3}).Call(x)
			s = layers.DepthwiseConv1D(3, layers.Strides(2)).Call(s)
			s = layers.SeparableConv1D(2, 3, layers.DepthMultiplier(2)).Call(s)
			s = layers.Conv1DTranspose(2, 3, layers.Strides(2), layers.OutputPadding(1)).Call(s)
			out := layers.Dense(2).Call(layers.Flatten().Call(s))
			m := mk(keras.NewModel(keras.Inputs(in), keras.Outputs(out))).must(t)
			return compile(t, m, "adam", "mse")
		}, x: list(floats(46, 8, 8, 3)), y: list(floats(47, 2))},

		// data_format "channels_first" in every layer that takes it, BatchNormalization(axis=1).
		{name: "channels_first", stochastic: true, build: func(t *testing.T) *keras.Model {
			cf := layers.DataFormat(layers.ChannelsFirst)
			in := keras.Input(keras.Shape{3, 8, 8})
			x := layers.Conv2D(4, 3, layers.Padding("same"), cf).Call(in)
			x = layers.ActivationOf("relu").Call(layers.BatchNormalization(layers.Axis(1)).Call(x))
			x = layers.SpatialDropout2D(0.1, cf).Call(layers.MaxPooling2D(2, cf).Call(x))
			x = layers.DepthwiseConv2D(3, layers.Padding("same"), cf).Call(layers.ZeroPadding2D(1, cf).Call(x))
			x = layers.SeparableConv2D(3, 3, cf).Call(x)
			x = layers.Conv2DTranspose(2, 2, layers.Strides(2), cf).Call(layers.Cropping2D(0, 1, 1, 0, cf).Call(x))
			x = layers.AveragePooling2D(2, cf).Call(layers.UpSampling2D(2, 2, cf).Call(x))
			s := layers.Conv1D(3, 2, cf).Call(layers.Reshape(keras.Shape{2, 36}).Call(x))
			s = layers.MaxPooling1D(2, cf).Call(layers.ZeroPadding1D(1, 1, cf).Call(s))
			h := layers.Concatenate().Call(layers.Flatten(cf).Call(x), layers.GlobalAveragePooling2D(cf).Call(x),
				layers.GlobalMaxPooling1D(cf).Call(s))
			out := layers.Dense(2).Call(h)
			m := mk(keras.NewModel(keras.Inputs(in), keras.Outputs(out))).must(t)
			return compile(t, m, "sgd", "mse")
		}, x: list(floats(48, 3, 8, 8)), y: list(floats(49, 2))},

		{name: "recurrent", build: func(t *testing.T) *keras.Model {
			in := keras.Input(keras.Shape{keras.None, 3})
			x := layers.GRU(4, layers.ReturnSequences(true)).Call(in)
			x = layers.SimpleRNN(3, layers.ReturnSequences(true)).Call(x)
			x = layers.Bidirectional(layers.LSTM(2)).Call(x)
			out := layers.Dense(1).Call(x)
			m := mk(keras.NewModel(keras.Inputs(in), keras.Outputs(out))).must(t)
			return compile(t, m, "adagrad", "mse")
		}, x: list(floats(15, 6, 3)), y: list(floats(16, 1))},

		{name: "masked_sequence", stochastic: true, build: func(t *testing.T) *keras.Model {
			in := keras.Input(keras.Shape{5, 3})
			x := layers.SpatialDropout1D(0.2).Call(layers.Masking(0).Call(in))
			out := layers.Dense(1).Call(layers.LSTM(3).Call(x))
			m := mk(keras.NewModel(keras.Inputs(in), keras.Outputs(out))).must(t)
			return compile(t, m, "adam", "mse")
		}, x: list(padded(floats(26, 5, 3))), y: list(floats(27, 1))},

		{name: "merges", build: func(t *testing.T) *keras.Model {
			a := keras.Input(keras.Shape{4})
			b := keras.Input(keras.Shape{4})
			parts := []*keras.Tensor{
				layers.Add().Call(a, b), layers.Subtract().Call(a, b), layers.Multiply().Call(a, b),
				layers.Average().Call(a, b), layers.Maximum().Call(a, b), layers.Minimum().Call(a, b),
			}
			out := layers.Dense(2).Call(layers.Concatenate().Call(parts...))
			m := mk(keras.NewModel(keras.Inputs(a, b), keras.Outputs(out))).must(t)
			return compile(t, m, "sgd", "mse")
		}, x: list(floats(17, 4), floats(18, 4)), y: list(floats(19, 2))},

		{name: "leaky_relu", build: func(t *testing.T) *keras.Model {
			in := keras.Input(keras.Shape{4})
			x := layers.LeakyReLU(0.2).Call(layers.Dense(5).Call(in))
			out := layers.Dense(2).Call(layers.LeakyReLU(0.3).Call(x))
			m := mk(keras.NewModel(keras.Inputs(in), keras.Outputs(out))).must(t)
			return compile(t, m, "sgd", "mse")
		}, x: list(floats(24, 4)), y: list(floats(25, 2))},

		{name: "float64", build: func(t *testing.T) *keras.Model {
			in := keras.Input(keras.Shape{4}, keras.DType("float64"))
			x := layers.Dense(3, layers.Activation("sigmoid")).Call(in)
			out := layers.Dense(1).Call(x)
			m := mk(keras.NewModel(keras.Inputs(in), keras.Outputs(out))).must(t)
			return compile(t, m, optimizers.RMSprop(optimizers.Momentum(0.5), optimizers.Centered(true)), "mae")
		}, x: list(floats64(20, 4)), y: list(floats64(21, 1))},

		// The attention layers on masked token embeddings: a causal MultiHeadAttention
		// (Keras's use_causal_mask call argument), a masked cross-attention with a key and
		// AdditiveAttention. (Attention is left out: Keras 3.15 cannot read its own legacy
		// .h5 config of it, turning score_mode "dot" into its dot function;
		// keras/layers/attention_test.go checks Keras loads a Go-saved .keras.)
		{name: "attention", build: func(t *testing.T) *keras.Model {
			// Each masked embedding feeds one MultiHeadAttention only: Keras's
			// MultiHeadAttention.call clears the masks of the tensors it is given, so a later
			// layer reading the same tensor sees it unmasked in Keras (kerago keeps the mask).
			text := keras.Input(keras.Shape{6}, keras.DType("int32"), keras.Name("text"))
			embed := func() *keras.Tensor { return layers.Embedding(20, 8, layers.MaskZero(true)).Call(text) }
			e := embed()
			self := layers.MultiHeadAttention(2, 4, layers.UseCausalMask(true)).Call(e, e)
			e2 := embed()
			k := layers.Dense(5).Call(e2)
			cross := layers.MultiHeadAttention(2, 3, layers.OutputShape(4)).Call(self, e2, k)
			add := layers.AdditiveAttention().Call(self, embed())
			x := layers.Concatenate().Call(layers.GlobalAveragePooling1D().Call(cross), layers.GlobalAveragePooling1D().Call(add))
			m := mk(keras.NewModel(keras.Inputs(text), keras.Outputs(layers.Dense(2).Call(x)))).must(t)
			return compile(t, m, "adam", "mse")
		}, x: list(tokens(28, 20, 6)), y: list(floats(29, 2))},

		// A Transformer encoder block in the Keras guide's style (ExampleMultiHeadAttention;
		// keras/transformer_keras_test.go loads Keras's own).
		{name: "transformer", stochastic: true, build: func(t *testing.T) *keras.Model {
			tok := keras.Input(keras.Shape{6}, keras.DType("int32"), keras.Name("tokens"))
			pos := keras.Input(keras.Shape{6}, keras.DType("int32"), keras.Name("positions"))
			x := layers.Add().Call(layers.Embedding(20, 16).Call(tok), layers.Embedding(6, 16).Call(pos))
			attn := layers.Dropout(0.1).Call(layers.MultiHeadAttention(2, 8).Call(x, x))
			x1 := layers.LayerNormalization(1e-6, true, true).Call(layers.Add().Call(x, attn))
			ff := layers.Dense(16).Call(layers.Dense(16, layers.Activation("relu")).Call(x1))
			x2 := layers.LayerNormalization(1e-6, true, true).Call(layers.Add().Call(x1, layers.Dropout(0.1).Call(ff)))
			out := layers.Dense(3, layers.Activation("softmax")).Call(layers.GlobalAveragePooling1D().Call(x2))
			m := mk(keras.NewModel(keras.Inputs(tok, pos), keras.Outputs(out))).must(t)
			return compile(t, m, "sgd", "categorical_crossentropy")
		}, x: list(tokens(30, 20, 6), positionIDs(6)), y: list(oneHot(31, 3))},

		{name: "uncompiled", noCompile: true, build: func(t *testing.T) *keras.Model {
			in := keras.Input(keras.Shape{3})
			return mk(keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Dense(2, layers.UseBias(false)).Call(in)))).must(t)
		}, x: list(floats(22, 3)), y: list(floats(23, 2))},
	}
}

// classes returns every layer class in m, nested models included.
func classes(m *keras.Model, into map[string]bool) {
	for _, l := range m.Layers() {
		into[l.ClassName()] = true
		if inner, ok := l.(*keras.Model); ok {
			classes(inner, into)
		}
	}
}
