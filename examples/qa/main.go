// Command qa trains the two-input model of kerago's Seed §1.1 (question answering: an Embedding
// and an LSTM read a text, another pair reads a question, and a softmax over the concatenated
// encodings gives the answer) on the SpamAssassin public corpus: the e-mail body is the text,
// its subject the question, and the answer is ham or spam. It prints the model summary, the
// training log and the accuracy on held-out e-mails.
//
// The corpus is not shipped with kerago; -data names the directory that holds
// data/spamassassin/spamassassin.csv (default $KERAGO_SHARED, else ../shared):
//
//	go run ./examples/qa -data ../shared
package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/kerago/kerago/examples/internal/exampledata"
	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/preprocessing"
	"gorgonia.org/tensor"
)

func main() {
	dataDir := flag.String("data", cmp.Or(os.Getenv("KERAGO_SHARED"), "../shared"), "directory holding data/spamassassin/spamassassin.csv")
	epochs := flag.Int("epochs", 3, "training epochs")
	nTrain := flag.Int("train", 3000, "training e-mails (0: all of the 80% split)")
	verbose := flag.Int("verbose", 2, "0 silent, 1 progress bar, 2 a line per epoch")
	flag.Parse()
	if err := run(os.Stdout, *dataDir, *epochs, *nTrain, *verbose); err != nil {
		log.Fatal(err)
	}
}

const (
	textVocabularySize     = 2000
	questionVocabularySize = 1000
	textLength             = 60 // the first words of the body
	questionLength         = 12 // the first words of the subject
	answerVocabularySize   = 2  // ham, spam
)

func run(w io.Writer, dataDir string, epochs, nTrain, verbose int) error {
	path, err := exampledata.Find(dataDir, "spamassassin/spamassassin.csv")
	if err != nil {
		return err
	}
	emails, err := readEmails(path)
	if err != nil {
		return err
	}
	trainIdx, testIdx := split(len(emails), 0.2, 1)
	if nTrain > 0 && nTrain < len(trainIdx) {
		trainIdx = trainIdx[:nTrain]
	}
	texts := make([][]string, len(emails))
	questions := make([][]string, len(emails))
	answers := make([]float32, 2*len(emails)) // one-hot: ham, spam
	for i, e := range emails {
		texts[i] = preprocessing.TokenizeFirst(e.body, textLength)
		questions[i] = preprocessing.TokenizeFirst(e.subject, questionLength)
		if e.spam {
			answers[2*i+1] = 1
		} else {
			answers[2*i] = 1
		}
	}
	// The vocabularies come from the training e-mails only.
	textVocab, err := preprocessing.NewVocabulary(pick(texts, trainIdx), textVocabularySize)
	if err != nil {
		return err
	}
	questionVocab, err := preprocessing.NewVocabulary(pick(questions, trainIdx), questionVocabularySize)
	if err != nil {
		return err
	}
	data := func(idx []int) (keras.Named, *tensor.Dense, error) {
		y := make([]float32, 0, 2*len(idx))
		for _, i := range idx {
			y = append(y, answers[2*i:2*i+2]...)
		}
		text, err := encode(pick(texts, idx), textVocab, textLength)
		if err != nil {
			return nil, nil, err
		}
		question, err := encode(pick(questions, idx), questionVocab, questionLength)
		if err != nil {
			return nil, nil, err
		}
		return keras.Named{"text": text, "question": question}, tensor.New(tensor.WithShape(len(idx), 2), tensor.WithBacking(y)), nil
	}
	xTrain, yTrain, err := data(trainIdx)
	if err != nil {
		return err
	}
	xTest, yTest, err := data(testIdx)
	if err != nil {
		return err
	}

	keras.SetRandomSeed(1)
	text := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("text"))
	embeddedText := layers.Embedding(textVocabularySize, 64, layers.MaskZero(true)).Call(text)
	encodedText := layers.LSTM(32).Call(embeddedText)

	question := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("question"))
	embeddedQuestion := layers.Embedding(questionVocabularySize, 32, layers.MaskZero(true)).Call(question)
	encodedQuestion := layers.LSTM(16).Call(embeddedQuestion)

	concatenated := layers.Concatenate(layers.Axis(-1)).Call(encodedText, encodedQuestion)
	answer := layers.Dense(answerVocabularySize, layers.Activation("softmax")).Call(concatenated)

	model, err := keras.NewModel(keras.Inputs(text, question), keras.Outputs(answer))
	if err != nil {
		return err
	}
	model.Summary(w)
	if err := model.Compile("adam", "categorical_crossentropy", keras.Metrics("acc")); err != nil {
		return err
	}
	fmt.Fprintf(w, "training on %d e-mails, testing on %d\n", len(trainIdx), len(testIdx))
	start := time.Now()
	if _, err := model.Fit(xTrain, yTrain, keras.Epochs(epochs), keras.BatchSize(64), keras.Verbose(verbose)); err != nil {
		return err
	}
	fmt.Fprintf(w, "trained in %v\n", time.Since(start).Round(time.Millisecond))
	logs, err := model.Evaluate(xTest, yTest, keras.Verbose(0))
	if err != nil {
		return err
	}
	spam := 0
	for _, i := range testIdx {
		if emails[i].spam {
			spam++
		}
	}
	majority := float64(max(spam, len(testIdx)-spam)) / float64(len(testIdx))
	fmt.Fprintf(w, "held-out e-mails: loss %.4f, accuracy %.4f (always answering the majority class: %.4f)\n",
		logs["loss"], logs["acc"], majority)
	return nil
}
