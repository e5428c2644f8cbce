package realdata_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/textdata"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/optimizers"
	"github.com/kerago/kerago/keras/preprocessing"
	"gorgonia.org/tensor"
)

// Sizes of the pair task: short sequences and small layers keep it fast under -race.
const (
	pairVocabularySize = 2000
	pairLength         = 24 // the first tokens of each body
	pairUnits          = 16
	pairTrainEmails    = 1200
	pairTestEmails     = 400
	pairEpochs         = 6
)

// pairData holds pairs of real e-mail bodies, "left" and "right", labelled 1 when both are
// spam or both ham, 0 otherwise: a verification task, the siamese network's classic use.
type pairData struct {
	vocab                   *preprocessing.Vocabulary
	train, test             keras.Named // "left", "right"
	trainLabels, testLabels *tensor.Dense
	testY                   []int
}

// makePairs pairs every e-mail of idx with one e-mail of idx of its own class (label 1) and
// one of the other class (label 0), drawn with rng.
func makePairs(t *testing.T, es []textdata.Email, bodies *tensor.Dense, idx []int, rng *rand.Rand) (keras.Named, *tensor.Dense, []int) {
	t.Helper()
	var byLabel [2][]int
	for _, i := range idx {
		byLabel[es[i].Label] = append(byLabel[es[i].Label], i)
	}
	var left, right, y []int
	for _, i := range idx {
		same, other := byLabel[es[i].Label], byLabel[1-es[i].Label]
		left = append(left, i, i)
		right = append(right, same[rng.IntN(len(same))], other[rng.IntN(len(other))])
		y = append(y, 1, 0)
	}
	l, err := textdata.Rows(bodies, left)
	if err != nil {
		t.Fatal(err)
	}
	r, err := textdata.Rows(bodies, right)
	if err != nil {
		t.Fatal(err)
	}
	yf := make([]float64, len(y))
	for i, v := range y {
		yf[i] = float64(v)
	}
	return keras.Named{"left": l, "right": r}, textdata.Column(yf), y
}

// loadPairs prepares the pair task from a sample of the corpus; pairs are made within the
// training e-mails and within the test e-mails.
func loadPairs(t *testing.T, seed uint64) pairData {
	t.Helper()
	all := loadEmails(t)
	sample := textdata.Sample(len(all), pairTrainEmails+pairTestEmails, seed)
	trainIdx, testIdx := sample[:pairTrainEmails], sample[pairTrainEmails:]
	tk := tokenize(all, 0, pairLength)
	vocab, err := preprocessing.NewVocabulary(pick(tk.bodies, trainIdx), pairVocabularySize)
	if err != nil {
		t.Fatal(err)
	}
	bodies := mustPad(t, encodeAll(vocab, tk.bodies), pairLength)
	rng := rand.New(rand.NewPCG(seed, 7))
	d := pairData{vocab: vocab}
	d.train, d.trainLabels, _ = makePairs(t, all, bodies, trainIdx, rng)
	d.test, d.testLabels, d.testY = makePairs(t, all, bodies, testIdx, rng)
	return d
}

// snapshot copies weights.
func snapshot(ws []*tensor.Dense) [][]float64 {
	out := make([][]float64, len(ws))
	for i, w := range ws {
		switch d := w.Data().(type) {
		case []float32:
			for _, v := range d {
				out[i] = append(out[i], float64(v))
			}
		case []float64:
			out[i] = append([]float64(nil), d...)
		}
	}
	return out
}

// maxChange returns the largest absolute change of each weight between two snapshots.
func maxChange(before, after [][]float64) []float64 {
	out := make([]float64, len(before))
	for i := range before {
		for j := range before[i] {
			out[i] = math.Max(out[i], math.Abs(after[i][j]-before[i][j]))
		}
	}
	return out
}

var totalParams = regexp.MustCompile(`Total params: ([0-9,]+)`)

// summaryTotal returns the "Total params" count of the model's summary.
func summaryTotal(t *testing.T, m *keras.Model) int {
	t.Helper()
	var buf bytes.Buffer
	m.Summary(&buf)
	match := totalParams.FindStringSubmatch(buf.String())
	if match == nil {
		t.Fatalf("no Total params in the summary:\n%s", buf.String())
	}
	n, err := strconv.Atoi(strings.ReplaceAll(match[1], ",", ""))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// pairAccuracy is the accuracy of a (n, 1) sigmoid output on the test pairs.
func pairAccuracy(t *testing.T, pred *tensor.Dense, want []int) float64 {
	t.Helper()
	return accuracy(thresholds(t, pred), want)
}

// TestSiameseSharedLSTM trains a shared-layer model on real pairs: one Embedding and one LSTM
// (a single set of weights) read two e-mail bodies, and the model tells whether both are spam
// or both ham. The summary counts the shared weights once, training lowers the loss and moves
// the shared weights, and the model generalizes to pairs of unseen e-mails.
func TestSiameseSharedLSTM(t *testing.T) {
	d := loadPairs(t, 11)
	keras.SetRandomSeed(11)
	embedding := layers.Embedding(d.vocab.Size(), pairUnits, layers.MaskZero(true))
	lstm := layers.LSTM(pairUnits)
	leftInput := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("left"))
	leftOutput := lstm.Call(embedding.Call(leftInput))
	rightInput := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("right"))
	rightOutput := lstm.Call(embedding.Call(rightInput))
	merged := layers.Concatenate(layers.Axis(-1)).Call(leftOutput, rightOutput)
	// "Same class" is an XOR of the two encodings: one hidden layer more than the seed.
	hidden := layers.Dense(pairUnits, layers.Activation("relu")).Call(merged)
	predictions := layers.Dense(1, layers.Activation("sigmoid")).Call(hidden)
	model, err := keras.NewModel(keras.Inputs(leftInput, rightInput), keras.Outputs(predictions))
	if err != nil {
		t.Fatal(err)
	}

	v, u := d.vocab.Size(), pairUnits
	want := v*u + (u*4*u + u*4*u + 4*u) + (2*u*u + u) + (u + 1)
	if got := summaryTotal(t, model); got != want {
		t.Errorf("summary counts %d parameters, want %d (shared Embedding and LSTM counted once)", got, want)
	}
	if got := len(model.Weights()); got != 1+3+2+2 {
		t.Errorf("model has %d weight tensors, want 8 (embeddings, LSTM kernel/recurrent/bias, two Dense kernel/bias)", got)
	}
	sharedBefore := snapshot(append([]*tensor.Dense{embedding.Variables()[0].Value}, values(lstm.Variables())...))

	if err := model.Compile(optimizers.Adam(optimizers.LearningRate(0.003)), "binary_crossentropy", keras.Metrics("acc")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	history, err := model.Fit(d.train, d.trainLabels, keras.Epochs(pairEpochs), keras.BatchSize(32), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	loss := history.History["loss"]
	t.Logf("fit %v on %d pairs: loss %.4f, acc %.4f", time.Since(start), d.trainLabels.Shape()[0], loss, history.History["acc"])
	if loss[len(loss)-1] > 0.9*loss[0] {
		t.Errorf("training loss went from %.4f to %.4f, want a fall of at least 10%%", loss[0], loss[len(loss)-1])
	}
	changes := maxChange(sharedBefore, snapshot(append([]*tensor.Dense{embedding.Variables()[0].Value}, values(lstm.Variables())...)))
	for i, name := range []string{"embeddings", "lstm kernel", "lstm recurrent_kernel", "lstm bias"} {
		if changes[i] < 1e-3 {
			t.Errorf("shared %s moved by at most %.2g in training", name, changes[i])
		}
	}
	t.Logf("largest change of the shared embeddings, LSTM kernel, recurrent kernel, bias: %.4f", changes)

	pred, err := model.Predict(d.test, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	acc := pairAccuracy(t, pred[0], d.testY)
	t.Logf("held-out (%d pairs of unseen e-mails, half of one class): accuracy %.4f (chance 0.5)", len(d.testY), acc)
	if acc < 0.75 {
		t.Errorf("held-out pair accuracy %.4f, want >= 0.75", acc)
	}
	logs, err := model.Evaluate(d.test, d.testLabels, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(logs["acc"]-acc) > 1e-9 {
		t.Errorf("Evaluate's acc %.6f differs from the accuracy of Predict's outputs %.6f", logs["acc"], acc)
	}
}

// values returns the variables' tensors.
func values(vs []*keras.Variable) []*tensor.Dense {
	out := make([]*tensor.Dense, len(vs))
	for i, v := range vs {
		out[i] = v.Value
	}
	return out
}

// TestNestedEncoder uses a model as a layer: an encoder model (Embedding and
// LSTM) is called on both bodies of the pair task inside an outer model, which trains it. Its
// weights change, it still predicts on its own, and its own predictions, fed through the outer
// model's Dense layers by hand, give the outer model's predictions.
func TestNestedEncoder(t *testing.T) {
	d := loadPairs(t, 12)
	keras.SetRandomSeed(12)
	tokens := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("tokens"))
	features := layers.LSTM(pairUnits).Call(layers.Embedding(d.vocab.Size(), pairUnits, layers.MaskZero(true)).Call(tokens))
	encoder, err := keras.NewModel(keras.Inputs(tokens), keras.Outputs(features), keras.ModelName("encoder"))
	if err != nil {
		t.Fatal(err)
	}
	left := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("left"))
	right := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("right"))
	leftFeatures := encoder.Call(left)
	rightFeatures := encoder.Call(right)
	merged := layers.Concatenate(layers.Axis(-1)).Call(leftFeatures, rightFeatures)
	hiddenLayer := layers.Dense(pairUnits, layers.Activation("relu"))
	outLayer := layers.Dense(1, layers.Activation("sigmoid"))
	model, err := keras.NewModel(keras.Inputs(left, right), keras.Outputs(outLayer.Call(hiddenLayer.Call(merged))))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := summaryTotal(t, model), summaryTotal(t, encoder)+(2*pairUnits*pairUnits+pairUnits)+(pairUnits+1); got != want {
		t.Errorf("outer summary counts %d parameters, want %d (the encoder's once, plus the two Dense)", got, want)
	}
	encBefore := snapshot(encoder.Weights())
	predBefore, err := encoder.Predict(d.test["left"], keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}

	if err := model.Compile(optimizers.Adam(optimizers.LearningRate(0.003)), "binary_crossentropy", keras.Metrics("acc")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	history, err := model.Fit(d.train, d.trainLabels, keras.Epochs(pairEpochs), keras.BatchSize(32), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	loss := history.History["loss"]
	t.Logf("fit %v on %d pairs: loss %.4f, acc %.4f", time.Since(start), d.trainLabels.Shape()[0], loss, history.History["acc"])
	if loss[len(loss)-1] > 0.9*loss[0] {
		t.Errorf("training loss went from %.4f to %.4f, want a fall of at least 10%%", loss[0], loss[len(loss)-1])
	}
	changes := maxChange(encBefore, snapshot(encoder.Weights()))
	t.Logf("largest change of the encoder's weights: %.4f", changes)
	for i, c := range changes {
		if c < 1e-3 {
			t.Errorf("encoder weight %d moved by at most %.2g in training", i, c)
		}
	}

	// The inner model on its own, after training.
	leftPred, err := encoder.Predict(d.test["left"], keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	rightPred, err := encoder.Predict(d.test["right"], keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if s := leftPred[0].Shape(); len(s) != 2 || s[0] != len(d.testY) || s[1] != pairUnits {
		t.Fatalf("encoder predicts shape %v, want (%d, %d)", s, len(d.testY), pairUnits)
	}
	if moved := maxChange(snapshot(predBefore), snapshot(leftPred))[0]; moved < 1e-3 {
		t.Errorf("the encoder's own predictions moved by at most %.2g in training", moved)
	}
	outer, err := model.Predict(d.test, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	byHand := denseByHand(t, concatRows(t, leftPred[0], rightPred[0]), hiddenLayer, "relu")
	byHand = denseByHand(t, byHand, outLayer, "sigmoid")
	got := floats(t, outer[0])
	worst := 0.0
	for i := range got {
		worst = math.Max(worst, math.Abs(got[i]-byHand[i][0]))
	}
	t.Logf("outer predictions vs the encoder's predictions through the Dense layers by hand: max difference %.2g", worst)
	if worst > 1e-4 {
		t.Errorf("outer model and encoder disagree by %.2g", worst)
	}
	acc := pairAccuracy(t, outer[0], d.testY)
	t.Logf("held-out (%d pairs of unseen e-mails, half of one class): accuracy %.4f (chance 0.5)", len(d.testY), acc)
	if acc < 0.75 {
		t.Errorf("held-out pair accuracy %.4f, want >= 0.75", acc)
	}
}

// concatRows joins two (n, a) and (n, b) tensors into rows of a+b values.
func concatRows(t *testing.T, a, b *tensor.Dense) [][]float64 {
	t.Helper()
	av, bv := floats(t, a), floats(t, b)
	wa, wb := a.Shape()[1], b.Shape()[1]
	out := make([][]float64, a.Shape()[0])
	for i := range out {
		out[i] = append(append([]float64(nil), av[i*wa:(i+1)*wa]...), bv[i*wb:(i+1)*wb]...)
	}
	return out
}

// denseByHand applies a built Dense layer (kernel, bias) and its activation to rows.
func denseByHand(t *testing.T, rows [][]float64, l keras.Layer, activation string) [][]float64 {
	t.Helper()
	vs := l.Variables()
	if len(vs) != 2 {
		t.Fatalf("%s has %d weights, want kernel and bias", l.Name(), len(vs))
	}
	kernel, bias := floats(t, vs[0].Value), floats(t, vs[1].Value)
	in, units := vs[0].Value.Shape()[0], vs[0].Value.Shape()[1]
	out := make([][]float64, len(rows))
	for i, r := range rows {
		if len(r) != in {
			t.Fatalf("row of %d values for a kernel of %d inputs", len(r), in)
		}
		out[i] = make([]float64, units)
		for u := range units {
			z := bias[u]
			for k, x := range r {
				z += x * kernel[k*units+u]
			}
			switch activation {
			case "relu":
				z = math.Max(z, 0)
			case "sigmoid":
				z = 1 / (1 + math.Exp(-z))
			default:
				panic(fmt.Sprintf("denseByHand: activation %q", activation))
			}
			out[i][u] = z
		}
	}
	return out
}
