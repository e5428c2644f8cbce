package keras_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// TestBucketingRule: batches are bucketed only where padding provably changes nothing.
func TestBucketingRule(t *testing.T) {
	ids := func() *keras.Tensor { return keras.Input(keras.Shape{keras.None}, keras.DType("int32")) }
	emb := func(mask bool) *layers.EmbeddingLayer { return layers.Embedding(50, 8, layers.MaskZero(mask)) }
	cases := []struct {
		name  string
		build func() ([]*keras.Tensor, []*keras.Tensor)
		want  []bool
	}{
		{"masked ids into LSTM", func() ([]*keras.Tensor, []*keras.Tensor) {
			in := ids()
			return []*keras.Tensor{in}, []*keras.Tensor{layers.Dense(2).Call(layers.LSTM(4).Call(emb(true).Call(in)))}
		}, []bool{true}},
		{"unmasked ids", func() ([]*keras.Tensor, []*keras.Tensor) {
			in := ids()
			return []*keras.Tensor{in}, []*keras.Tensor{layers.LSTM(4).Call(emb(false).Call(in))}
		}, []bool{false}},
		{"sequence output", func() ([]*keras.Tensor, []*keras.Tensor) {
			in := ids()
			return []*keras.Tensor{in}, []*keras.Tensor{layers.LSTM(4, layers.ReturnSequences(true)).Call(emb(true).Call(in))}
		}, []bool{false}},
		{"stacked recurrent layers", func() ([]*keras.Tensor, []*keras.Tensor) {
			in := ids()
			x := layers.GRU(4, layers.ReturnSequences(true)).Call(emb(true).Call(in))
			return []*keras.Tensor{in}, []*keras.Tensor{layers.SimpleRNN(3).Call(x)}
		}, []bool{true}},
		{"go backwards sequences misalign the mask", func() ([]*keras.Tensor, []*keras.Tensor) {
			in := ids()
			x := layers.LSTM(4, layers.ReturnSequences(true), layers.GoBackwards(true)).Call(emb(true).Call(in))
			return []*keras.Tensor{in}, []*keras.Tensor{layers.LSTM(3).Call(x)}
		}, []bool{false}},
		{"bidirectional with states", func() ([]*keras.Tensor, []*keras.Tensor) {
			in := ids()
			return []*keras.Tensor{in}, layers.Bidirectional(layers.LSTM(4, layers.ReturnState(true))).CallAll(emb(true).Call(in))
		}, []bool{true}},
		{"convolution sees the padding", func() ([]*keras.Tensor, []*keras.Tensor) {
			in := ids()
			x := layers.Conv1D(4, 3).Call(emb(true).Call(in))
			return []*keras.Tensor{in}, []*keras.Tensor{layers.GlobalMaxPooling1D().Call(x)}
		}, []bool{false}},
		{"embedding read twice", func() ([]*keras.Tensor, []*keras.Tensor) {
			in := ids()
			e := emb(true).Call(in)
			return []*keras.Tensor{in}, []*keras.Tensor{layers.Concatenate().Call(layers.LSTM(4).Call(e), layers.GlobalAveragePooling1D().Call(e))}
		}, []bool{false}},
		{"a stepwise Dense between Embedding and LSTM", func() ([]*keras.Tensor, []*keras.Tensor) {
			in := ids()
			return []*keras.Tensor{in}, []*keras.Tensor{layers.LSTM(4).Call(layers.Dense(4).Call(emb(true).Call(in)))}
		}, []bool{true}},
		{"a layer that does not declare its role", func() ([]*keras.Tensor, []*keras.Tensor) {
			in := ids()
			// BatchNormalization's batch statistics would count the padded steps.
			return []*keras.Tensor{in}, []*keras.Tensor{layers.LSTM(4).Call(layers.BatchNormalization().Call(emb(true).Call(in)))}
		}, []bool{false}},
		{"fixed length", func() ([]*keras.Tensor, []*keras.Tensor) {
			in := keras.Input(keras.Shape{12}, keras.DType("int32"))
			return []*keras.Tensor{in}, []*keras.Tensor{layers.LSTM(4).Call(emb(true).Call(in))}
		}, []bool{false}},
		{"float sequences", func() ([]*keras.Tensor, []*keras.Tensor) {
			in := keras.Input(keras.Shape{keras.None, 3})
			return []*keras.Tensor{in}, []*keras.Tensor{layers.LSTM(4).Call(in)}
		}, []bool{false}},
		{"two inputs, one masked", func() ([]*keras.Tensor, []*keras.Tensor) {
			a, b := ids(), ids()
			x := layers.Concatenate().Call(layers.LSTM(4).Call(emb(true).Call(a)), layers.LSTM(4).Call(emb(false).Call(b)))
			return []*keras.Tensor{a, b}, []*keras.Tensor{layers.Dense(2).Call(x)}
		}, []bool{true, false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, out := c.build()
			m, err := keras.NewModel(in, out)
			if err != nil {
				t.Fatal(err)
			}
			got := keras.BucketedInputsForTest(m)
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("bucketed inputs %v, want %v", got, c.want)
			}
		})
	}
}

// paddedIDs returns n sequences of random lengths in [1, maxLen] (uniform, or with mean > 0
// exponential with that mean) and ids in [1, vocab), padded with 0 to width, at the end
// (post) or, for odd rows, at the start (pre).
func paddedIDs(r *rand.Rand, n, maxLen, width, vocab int, mean float64) (*tensor.Dense, []int) {
	data := make([]int32, n*width)
	lens := make([]int, n)
	for i := range n {
		l := 1 + r.IntN(maxLen)
		if mean > 0 {
			l = min(1+int(r.ExpFloat64()*mean), maxLen)
		}
		lens[i] = l
		off := 0
		if i%2 == 1 {
			off = width - l
		}
		for j := range l {
			data[i*width+off+j] = int32(1 + r.IntN(vocab-1))
		}
	}
	return tensor.New(tensor.WithShape(n, width), tensor.WithBacking(data)), lens
}

// unpadded returns row i of x without its padding, as a (1, len) tensor.
func unpadded(x *tensor.Dense, i, l int) *tensor.Dense {
	width := x.Shape()[1]
	row := x.Data().([]int32)[i*width : (i+1)*width]
	off := 0
	if i%2 == 1 {
		off = width - l
	}
	return tensor.New(tensor.WithShape(1, l), tensor.WithBacking(append([]int32(nil), row[off:off+l]...)))
}

func maskedLSTMModel(t testing.TB) *keras.Model {
	t.Helper()
	in := keras.Input(keras.Shape{keras.None}, keras.DType("int32"))
	x := layers.Embedding(30, 8, layers.MaskZero(true)).Call(in)
	x = layers.LSTM(6).Call(x)
	out := layers.Dense(3, layers.Activation("softmax")).Call(x)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("adam", "categorical_crossentropy"); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBucketingIsResultNeutral: predictions on bucketed, trimmed and padded batches equal the
// predictions on each sequence alone at its exact length, and the graphs built are those of
// bucket lengths, not of the data's width.
func TestBucketingIsResultNeutral(t *testing.T) {
	keras.SetRandomSeed(7)
	m := maskedLSTMModel(t)
	r := rand.New(rand.NewPCG(3, 4))
	x, lens := paddedIDs(r, 40, 13, 50, 30, 0)
	bulk, err := m.Predict(x, keras.BatchSize(8), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	got := bulk[0].Data().([]float32)
	worst := 0.0
	for i, l := range lens {
		one, err := m.Predict(unpadded(x, i, l), keras.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		for j, v := range one[0].Data().([]float32) {
			worst = math.Max(worst, math.Abs(float64(v-got[i*3+j])))
		}
	}
	if worst > 1e-6 {
		t.Errorf("bucketed predictions differ from exact-length ones by %.3g", worst)
	}
	for _, k := range keras.ProgramKeysForTest(m) {
		if strings.HasSuffix(k, "x50") {
			t.Errorf("a graph was built for the padded width 50: %s", k)
		}
	}
	// More padding changes nothing either, in training mode too.
	wide := tensor.New(tensor.WithShape(40, 80), tensor.Of(tensor.Int32))
	for i := range 40 {
		copy(wide.Data().([]int32)[i*80+30:], x.Data().([]int32)[i*50:(i+1)*50])
	}
	y := tensor.New(tensor.WithShape(40, 3), tensor.WithBacking(make([]float32, 120)))
	for i := range 40 {
		y.Data().([]float32)[i*3+i%3] = 1
	}
	a, err := m.Evaluate(x, y, keras.BatchSize(8), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Evaluate(wide, y, keras.BatchSize(8), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(a["loss"]-b["loss"]) > 1e-6 {
		t.Errorf("loss %v on width 50, %v on width 80", a["loss"], b["loss"])
	}
}

// TestBucketedTrainingBuildsFewGraphs: epochs over sequences of 1 to 150 steps (25 on
// average) padded to 200 train on a few graphs of bucket lengths, none of the padded width.
func TestBucketedTrainingBuildsFewGraphs(t *testing.T) {
	keras.SetRandomSeed(8)
	m := maskedLSTMModel(t)
	r := rand.New(rand.NewPCG(5, 6))
	x, lens := paddedIDs(r, 256, 150, 200, 30, 25)
	// The class is the parity of the first id: learnable from the sequence.
	y := tensor.New(tensor.WithShape(256, 3), tensor.WithBacking(make([]float32, 256*3)))
	for i, l := range lens {
		first := unpadded(x, i, l).Data().([]int32)[0]
		y.Data().([]float32)[i*3+int(first%2)] = 1
	}
	h, err := m.Fit(x, y, keras.Epochs(3), keras.BatchSize(32), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	var train []string
	for _, k := range keras.ProgramKeysForTest(m) {
		if strings.HasPrefix(k, "train") {
			train = append(train, k)
			var b, l int
			if _, err := fmt.Sscanf(k, "train|%dx%d", &b, &l); err != nil {
				t.Fatal(err)
			}
			if l != bucketOf(l) || l > 150 {
				t.Errorf("graph %s is not of a bucket length", k)
			}
		}
	}
	t.Logf("train graphs: %v; loss %v", train, h.History["loss"])
	if len(train) > 6 {
		t.Errorf("%d training graphs for 8 batches of one width", len(train))
	}
}

// bucketOf is the smallest bucket length ≥ n: 1, 2, 3, 4, 6, 8, 12, 16, 24, ...
func bucketOf(n int) int {
	for _, b := range []int{1, 2, 3, 4} {
		if n <= b {
			return b
		}
	}
	for p := 4; ; p *= 2 {
		if n <= p*3/2 {
			return p * 3 / 2
		}
		if n <= 2*p {
			return 2 * p
		}
	}
}

func lstmSeqData(n, steps, features int) (*tensor.Dense, *tensor.Dense) {
	r := rand.New(rand.NewPCG(9, 10))
	x := make([]float32, n*steps*features)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	y := make([]float32, n)
	for i := range y {
		y[i] = float32(r.NormFloat64())
	}
	return tensor.New(tensor.WithShape(n, steps, features), tensor.WithBacking(x)),
		tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(y))
}

func lstmBuildModel(tb testing.TB, features int) *keras.Model {
	tb.Helper()
	in := keras.Input(keras.Shape{keras.None, features})
	out := layers.Dense(1).Call(layers.LSTM(32).Call(in))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		tb.Fatal(err)
	}
	if err := m.Compile("adam", "mse"); err != nil {
		tb.Fatal(err)
	}
	return m
}

// TestLSTMLengthReuse: an LSTM(32) over T=200, batch 32 is ready to train well within a
// second, and every later batch of that length reuses its graph.
func TestLSTMLengthReuse(t *testing.T) {
	x, y := lstmSeqData(128, 200, 32)
	x1, y1 := lstmSeqData(32, 200, 32)
	start := time.Now()
	m := lstmBuildModel(t, 32)
	if _, err := m.Fit(x1, y1, keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	ready := time.Since(start)
	t.Logf("LSTM(32), T=200, batch 32: graph, gradients, machine and first step in %v", ready)
	if ready > 5*time.Second { // the target is 1 s; the bound leaves room for -race and slow runners
		t.Errorf("ready to train after %v", ready)
	}
	if _, err := m.Fit(x, y, keras.Epochs(3), keras.BatchSize(32), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	keys := keras.ProgramKeysForTest(m)
	if len(keys) != 1 || keys[0] != "train|32x200x32" {
		t.Errorf("cached graphs %v, want the one train|32x200x32", keys)
	}
}

// BenchmarkLSTMBuild measures how long a new LSTM(32) model over T=200, batch 32, takes to be
// ready to train: the model, its graph, gradients and machine, and the first step.
//
//	go test -run '^$' -bench LSTMBuild ./keras/
func BenchmarkLSTMBuild(b *testing.B) {
	x, y := lstmSeqData(32, 200, 32)
	for b.Loop() {
		m := lstmBuildModel(b, 32)
		if _, err := m.Fit(x, y, keras.Verbose(0)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSequenceLengthsGetOneGraphEach: a None time axis takes batches of any length; each
// (batch size, length) is built once and reused.
func TestSequenceLengthsGetOneGraphEach(t *testing.T) {
	m := lstmBuildModel(t, 3)
	for _, steps := range []int{5, 9, 5, 9, 1} {
		x, _ := lstmSeqData(4, steps, 3)
		out, err := m.Predict(x, keras.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		if s := out[0].Shape(); s[0] != 4 || s[1] != 1 {
			t.Fatalf("output shape %v", s)
		}
	}
	keys := keras.ProgramKeysForTest(m)
	want := "predict|4x1x3 predict|4x9x3 predict|4x5x3"
	if got := strings.Join(keys, " "); got != want {
		t.Errorf("cached graphs %q, want %q", got, want)
	}
}
