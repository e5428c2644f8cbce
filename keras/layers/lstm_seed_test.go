package layers_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// randomIDs returns an (n, steps) int32 tensor of ids in [1, vocab).
func randomIDs(r *rand.Rand, n, steps, vocab int) *tensor.Dense {
	d := make([]int32, n*steps)
	for i := range d {
		d[i] = int32(1 + r.IntN(vocab-1))
	}
	return tensor.New(tensor.WithShape(n, steps), tensor.WithBacking(d))
}

// randomOneHot returns (n, classes) one-hot float32 targets.
func randomOneHot(r *rand.Rand, n, classes int) *tensor.Dense {
	d := make([]float32, n*classes)
	for i := range n {
		d[i*classes+r.IntN(classes)] = 1
	}
	return tensor.New(tensor.WithShape(n, classes), tensor.WithBacking(d))
}

// qaModel is the guide's question-answering model (docs/guide.md, chapter 2), written as
// shared/API.md writes it.
func qaModel(textVocabularySize, questionVocabularySize, answerVocabularySize int) (*keras.Model, error) {
	text := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("text"))
	embeddedText := layers.Embedding(textVocabularySize, 64).Call(text)
	encodedText := layers.LSTM(32).Call(embeddedText)

	question := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("question"))
	embeddedQuestion := layers.Embedding(questionVocabularySize, 32).Call(question)
	encodedQuestion := layers.LSTM(16).Call(embeddedQuestion)

	concatenated := layers.Concatenate(layers.Axis(-1)).Call(encodedText, encodedQuestion)
	answer := layers.Dense(answerVocabularySize, layers.Activation("softmax")).Call(concatenated)

	return keras.NewModel(keras.Inputs(text, question), keras.Outputs(answer))
}

// The question-answering model builds, summarises with Keras's parameter counts, and trains on
// synthetic ids of a different length per input.
func TestSeedQuestionAnswering(t *testing.T) {
	keras.SetRandomSeed(1)
	model, err := qaModel(10000, 10000, 500)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	model.Summary(&buf)
	summary := buf.String()
	for _, want := range []string{
		"(None, None, 64)", "640,000", // text embedding
		"(None, 32)", "12,416", // LSTM(32) on 64 features: 4·(32·(64+32) + 32)
		"320,000", "3,136", // question embedding, LSTM(16) on 32
		"24,500", // Dense(500) on 48
		"Total params: 1,000,052",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	if err := model.Compile("adam", "categorical_crossentropy", keras.Metrics("acc")); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	textData, questionData := randomIDs(r, 64, 100, 10000), randomIDs(r, 64, 20, 10000)
	answers := randomOneHot(r, 64, 500)
	history, err := model.Fit(keras.Named{"text": textData, "question": questionData}, answers,
		keras.Epochs(3), keras.BatchSize(32), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	loss := history.History["loss"]
	t.Logf("loss %v, acc %v", loss, history.History["acc"])
	if math.Abs(loss[0]-math.Log(500)) > 0.05 || !(loss[2] < loss[0]) {
		t.Errorf("loss went %v; want about ln(500) = 6.21 at first, then lower", loss)
	}
}

// The guide's shared-layer model (docs/guide.md, chapter 5): one LSTM called on two inputs has one
// set of weights, counted once, and both calls train it.
func TestSeedSharedLSTM(t *testing.T) {
	keras.SetRandomSeed(2)
	lstm := layers.LSTM(32)
	leftInput := keras.Input(keras.Shape{keras.None, 128})
	leftOutput := lstm.Call(leftInput)
	rightInput := keras.Input(keras.Shape{keras.None, 128})
	rightOutput := lstm.Call(rightInput)
	merged := layers.Concatenate(layers.Axis(-1)).Call(leftOutput, rightOutput)
	predictions := layers.Dense(1, layers.Activation("sigmoid")).Call(merged)
	model, err := keras.NewModel(keras.Inputs(leftInput, rightInput), keras.Outputs(predictions))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(model.Weights()); n != 5 {
		t.Fatalf("%d weights, want 3 (LSTM) + 2 (Dense)", n)
	}
	var buf bytes.Buffer
	model.Summary(&buf)
	if s := buf.String(); strings.Count(s, "20,608") != 1 || !strings.Contains(s, "Total params: 20,673") {
		t.Errorf("summary should count the LSTM's 20,608 weights once:\n%s", s)
	}
	before := make([]*tensor.Dense, 3)
	for i, w := range model.Weights()[:3] {
		before[i] = w.Clone().(*tensor.Dense)
	}
	if err := model.Compile("adam", "binary_crossentropy"); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(2, 2))
	left, right := make([]float32, 16*7*128), make([]float32, 16*5*128) // two lengths
	for i := range left {
		left[i] = float32(r.NormFloat64())
	}
	for i := range right {
		right[i] = float32(r.NormFloat64())
	}
	y := make([]float32, 16)
	for i := range y {
		y[i] = float32(i % 2)
	}
	x := []*tensor.Dense{
		tensor.New(tensor.WithShape(16, 7, 128), tensor.WithBacking(left)),
		tensor.New(tensor.WithShape(16, 5, 128), tensor.WithBacking(right)),
	}
	h, err := model.Fit(x, tensor.New(tensor.WithShape(16, 1), tensor.WithBacking(y)), keras.Epochs(5), keras.BatchSize(8), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range model.Weights()[:3] {
		changed := 0
		a, b := w.Data().([]float32), before[i].Data().([]float32)
		for j := range a {
			if a[j] != b[j] {
				changed++
			}
		}
		if changed < len(a)*9/10 {
			t.Errorf("%s: %d of %d values changed", model.Variables()[i].Path, changed, len(a))
		}
	}
	if loss := h.History["loss"]; !(loss[4] < loss[0]) {
		t.Errorf("loss went %v", loss)
	}
}
