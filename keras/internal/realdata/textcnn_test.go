package realdata_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/textdata"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/preprocessing"
	"gorgonia.org/tensor"
)

// TestThreeOutputsTextCNN trains the exact architecture of the guide's several-outputs chapter (Embedding, three Conv1D
// with two MaxPooling1D between them, GlobalMaxPooling1D, Dense, three heads) on SpamAssassin
// bodies, with smaller sizes (vocabulary 2,000, embeddings of 16, 16/32/64 filters, Dense 32;
// the first 150 words of 1,500 training e-mails): a regression head ("length": the log of the
// body's length in characters, standardized), a multi-class head ("group": the corpus folder,
// 5 classes) and a binary head ("spam"), with the seed's optimizer (rmsprop) and loss weights.
// Every head must beat its trivial baseline on the 1,209 held-out e-mails: the length's mse at
// most 0.8 of the mean predictor's, the accuracies 10 points above the majority class's.
func TestThreeOutputsTextCNN(t *testing.T) {
	const (
		vocabularySize = 2000
		length         = 150 // 146 → 29 → 25 → 5 → 1 steps through the valid convolutions and poolings
		nTrain         = 1500
		epochs         = 6
	)
	all := loadEmails(t)
	start := time.Now()
	trainIdx, testIdx, err := textdata.Split(len(all), 0.2, 4)
	if err != nil {
		t.Fatal(err)
	}
	trainIdx = pick(trainIdx, textdata.Sample(len(trainIdx), nTrain, 5))
	tk := tokenize(all, 0, length)
	vocab, err := preprocessing.NewVocabulary(pick(tk.bodies, trainIdx), vocabularySize)
	if err != nil {
		t.Fatal(err)
	}
	posts := mustPad(t, encodeAll(vocab, tk.bodies), length)
	var groups []string
	for _, e := range all {
		if !slices.Contains(groups, e.Group) {
			groups = append(groups, e.Group)
		}
	}
	slices.Sort(groups)
	logLength := make([]float64, len(all))
	group := make([]int, len(all))
	spam := make([]float64, len(all))
	for i, e := range all {
		logLength[i] = math.Log(float64(len(e.Body)) + 1)
		group[i] = slices.Index(groups, e.Group)
		spam[i] = float64(e.Label)
	}
	logLength = textdata.FitStandardizer(pick(logLength, trainIdx)).Apply(logLength)
	groupsOneHot, err := textdata.OneHot(group, len(groups))
	if err != nil {
		t.Fatal(err)
	}
	build := func(idx []int) (*tensor.Dense, keras.Named) {
		t.Helper()
		x, err := textdata.Rows(posts, idx)
		if err != nil {
			t.Fatal(err)
		}
		g, err := textdata.Rows(groupsOneHot, idx)
		if err != nil {
			t.Fatal(err)
		}
		return x, keras.Named{"length": textdata.Column(pick(logLength, idx)), "group": g, "spam": textdata.Column(pick(spam, idx))}
	}
	xTrain, yTrain := build(trainIdx)
	xTest, _ := build(testIdx)

	keras.SetRandomSeed(4)
	postsIn := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("posts"))
	embeddedPosts := layers.Embedding(vocab.Size(), 16).Call(postsIn)
	x := layers.Conv1D(16, 5, layers.Activation("relu")).Call(embeddedPosts)
	x = layers.MaxPooling1D(5).Call(x)
	x = layers.Conv1D(32, 5, layers.Activation("relu")).Call(x)
	x = layers.MaxPooling1D(5).Call(x)
	x = layers.Conv1D(64, 5, layers.Activation("relu")).Call(x)
	x = layers.GlobalMaxPooling1D().Call(x)
	x = layers.Dense(32, layers.Activation("relu")).Call(x)

	lengthPrediction := layers.Dense(1, layers.Name("length")).Call(x)
	groupPrediction := layers.Dense(len(groups), layers.Activation("softmax"), layers.Name("group")).Call(x)
	spamPrediction := layers.Dense(1, layers.Activation("sigmoid"), layers.Name("spam")).Call(x)

	model, err := keras.NewModel(keras.Inputs(postsIn), keras.Outputs(lengthPrediction, groupPrediction, spamPrediction))
	if err != nil {
		t.Fatal(err)
	}
	err = model.Compile("rmsprop",
		map[string]string{"length": "mse", "group": "categorical_crossentropy", "spam": "binary_crossentropy"},
		keras.LossWeights(map[string]float64{"length": 0.25, "group": 1, "spam": 10}))
	if err != nil {
		t.Fatal(err)
	}
	prep := time.Since(start)
	start = time.Now()
	history, err := model.Fit(xTrain, yTrain, keras.Epochs(epochs), keras.BatchSize(64), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	h := history.History
	t.Logf("prep %v, fit %v: loss %.4f, length_loss %.4f, group_loss %.4f, spam_loss %.4f",
		prep, time.Since(start), h["loss"], h["length_loss"], h["group_loss"], h["spam_loss"])

	pred, err := model.Predict(xTest, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	lengthMSE := mse(floats(t, pred[0]), pick(logLength, testIdx))
	lengthBase := meanBaseline(pick(logLength, trainIdx), pick(logLength, testIdx))
	groupAcc := accuracy(argmaxRows(t, pred[1]), pick(group, testIdx))
	_, groupBase := majority(pick(group, trainIdx), pick(group, testIdx))
	labels := labelsOf(all)
	spamAcc := accuracy(thresholds(t, pred[2]), pick(labels, testIdx))
	_, spamBase := majority(pick(labels, trainIdx), pick(labels, testIdx))
	t.Logf("held-out (%d e-mails): length mse %.4f (mean predictor %.4f), group acc %.4f (majority %.4f), spam acc %.4f (majority %.4f)",
		len(testIdx), lengthMSE, lengthBase, groupAcc, groupBase, spamAcc, spamBase)
	if lengthMSE > 0.8*lengthBase {
		t.Errorf("length mse %.4f, want at most 0.8 of the mean predictor's %.4f", lengthMSE, lengthBase)
	}
	if groupAcc < groupBase+0.1 {
		t.Errorf("group accuracy %.4f, want 0.1 above the majority class's %.4f", groupAcc, groupBase)
	}
	if spamAcc < spamBase+0.1 {
		t.Errorf("spam accuracy %.4f, want 0.1 above the majority class's %.4f", spamAcc, spamBase)
	}
}
