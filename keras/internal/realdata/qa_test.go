package realdata_test

import (
	"testing"
	"time"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/textdata"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/preprocessing"
	"gorgonia.org/tensor"
)

// TestQATwoInputsSpam trains the guide's question-answering model (two inputs, each an
// Embedding and an LSTM, concatenated into a softmax) on SpamAssassin: the body is the "text",
// the subject the "question", and the answer is ham or spam. Inputs go in as keras.Named. It
// trains on 2,000 of the 4,837 training e-mails (their first 60 body and 12 subject words) and
// must reach 90% accuracy on the 1,209 held-out e-mails (the majority class is 68%).
func TestQATwoInputsSpam(t *testing.T) {
	const (
		textVocabularySize     = 2000
		questionVocabularySize = 1000
		textLength             = 60
		questionLength         = 12
		answerVocabularySize   = 2
		epochs                 = 3
		nTrain                 = 2000
	)
	all := loadEmails(t)
	start := time.Now()
	trainIdx, testIdx, err := textdata.Split(len(all), 0.2, 1)
	if err != nil {
		t.Fatal(err)
	}
	trainIdx = pick(trainIdx, textdata.Sample(len(trainIdx), nTrain, 2))
	tk := tokenize(all, questionLength, textLength)
	textVocab, err := preprocessing.NewVocabulary(pick(tk.bodies, trainIdx), textVocabularySize)
	if err != nil {
		t.Fatal(err)
	}
	questionVocab, err := preprocessing.NewVocabulary(pick(tk.subjects, trainIdx), questionVocabularySize)
	if err != nil {
		t.Fatal(err)
	}
	textAll := mustPad(t, encodeAll(textVocab, tk.bodies), textLength)
	questionAll := mustPad(t, encodeAll(questionVocab, tk.subjects), questionLength)
	labels := labelsOf(all)
	answersAll, err := textdata.OneHot(labels, answerVocabularySize)
	if err != nil {
		t.Fatal(err)
	}
	rows := func(idx []int) (keras.Named, *tensor.Dense) {
		t.Helper()
		tx, err := textdata.Rows(textAll, idx)
		if err != nil {
			t.Fatal(err)
		}
		qx, err := textdata.Rows(questionAll, idx)
		if err != nil {
			t.Fatal(err)
		}
		y, err := textdata.Rows(answersAll, idx)
		if err != nil {
			t.Fatal(err)
		}
		return keras.Named{"text": tx, "question": qx}, y
	}
	xTrain, yTrain := rows(trainIdx)
	xTest, yTest := rows(testIdx)

	keras.SetRandomSeed(1)
	text := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("text"))
	embeddedText := layers.Embedding(textVocab.Size(), 64, layers.MaskZero(true)).Call(text)
	encodedText := layers.LSTM(32).Call(embeddedText)

	question := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("question"))
	embeddedQuestion := layers.Embedding(questionVocab.Size(), 32, layers.MaskZero(true)).Call(question)
	encodedQuestion := layers.LSTM(16).Call(embeddedQuestion)

	concatenated := layers.Concatenate(layers.Axis(-1)).Call(encodedText, encodedQuestion)
	answer := layers.Dense(answerVocabularySize, layers.Activation("softmax")).Call(concatenated)

	model, err := keras.NewModel(keras.Inputs(text, question), keras.Outputs(answer))
	if err != nil {
		t.Fatal(err)
	}
	if err := model.Compile("adam", "categorical_crossentropy", keras.Metrics("acc")); err != nil {
		t.Fatal(err)
	}
	prep := time.Since(start)
	start = time.Now()
	history, err := model.Fit(xTrain, yTrain, keras.Epochs(epochs), keras.BatchSize(64), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	fitTime := time.Since(start)
	t.Logf("prep %v, fit %v: loss %.4f, acc %.4f", prep, fitTime, history.History["loss"], history.History["acc"])
	logs, err := model.Evaluate(xTest, yTest, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	_, base := majority(pick(labels, trainIdx), pick(labels, testIdx))
	t.Logf("held-out (%d e-mails): loss %.4f, acc %.4f (majority class %.4f)", len(testIdx), logs["loss"], logs["acc"], base)
	if logs["acc"] < 0.9 {
		t.Errorf("held-out accuracy %.4f, want >= 0.9", logs["acc"])
	}
}
