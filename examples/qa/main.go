// Command qa trains the question-answering model of the Keras functional API guide: a model
// with two named inputs. An Embedding and an LSTM read a text, another pair reads a question,
// and a softmax over the two concatenated encodings gives the answer. Here the text is an
// e-mail's body, the question its subject, and the answer "ham" or "spam", on the
// SpamAssassin public corpus. It prints the model summary, the training log and the accuracy
// on held-out e-mails beside the accuracy of always answering the most common class.
//
// The 4,000 e-mails embedded in kerago are used by default, so this runs on a fresh clone:
//
//	go run ./examples/qa
//
// With -data (or $KERAGO_DATA) naming a directory holding spamassassin/spamassassin.csv, it
// trains on the full corpus of 6,046 e-mails instead:
//
//	go run ./examples/qa -data /path/to/data
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/datasets"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/preprocessing"
	"gorgonia.org/tensor"
)

// options are the example's settings; the smoke test runs it with small ones.
type options struct {
	dataDir string // the full corpus's directory; "" for the embedded e-mails
	epochs  int
	nTrain  int // training e-mails (0: all of them)
	verbose int
}

func main() {
	var o options
	flag.StringVar(&o.dataDir, "data", "", "directory holding spamassassin/spamassassin.csv (default: the e-mails embedded in kerago, or $KERAGO_DATA)")
	flag.IntVar(&o.epochs, "epochs", 4, "training epochs")
	flag.IntVar(&o.nTrain, "train", 0, "training e-mails (0: all of them)")
	flag.IntVar(&o.verbose, "verbose", 2, "0 silent, 1 progress bar, 2 a line per epoch")
	flag.Parse()
	if err := run(os.Stdout, o); err != nil {
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

// loadEmails returns the corpus split into training and test e-mails.
func loadEmails(dataDir string) (train, test []datasets.Email, err error) {
	if dataDir != "" {
		return datasets.SpamAssassin(datasets.FromDir(dataDir))
	}
	return datasets.SpamAssassin() // embedded, or $KERAGO_DATA's full corpus
}

func run(w io.Writer, o options) error {
	trainEmails, testEmails, err := loadEmails(o.dataDir)
	if err != nil {
		return err
	}
	if o.nTrain > 0 && o.nTrain < len(trainEmails) {
		trainEmails = trainEmails[:o.nTrain]
	}
	tokens := func(es []datasets.Email) (texts, questions [][]string, answers *tensor.Dense) {
		y := make([]float32, 2*len(es)) // one-hot: ham, spam
		for i, e := range es {
			texts = append(texts, preprocessing.TokenizeFirst(e.Body, textLength))
			questions = append(questions, preprocessing.TokenizeFirst(e.Subject, questionLength))
			y[2*i+e.Label] = 1
		}
		return texts, questions, tensor.New(tensor.WithShape(len(es), 2), tensor.WithBacking(y))
	}
	trainTexts, trainQuestions, yTrain := tokens(trainEmails)
	testTexts, testQuestions, yTest := tokens(testEmails)
	// The vocabularies come from the training e-mails only.
	textVocab, err := preprocessing.NewVocabulary(trainTexts, textVocabularySize)
	if err != nil {
		return err
	}
	questionVocab, err := preprocessing.NewVocabulary(trainQuestions, questionVocabularySize)
	if err != nil {
		return err
	}
	inputs := func(texts, questions [][]string) (keras.Named, error) {
		text, err := encode(texts, textVocab, textLength)
		if err != nil {
			return nil, err
		}
		question, err := encode(questions, questionVocab, questionLength)
		if err != nil {
			return nil, err
		}
		// Inputs by name: the order of the model's inputs does not matter.
		return keras.Named{"text": text, "question": question}, nil
	}
	xTrain, err := inputs(trainTexts, trainQuestions)
	if err != nil {
		return err
	}
	xTest, err := inputs(testTexts, testQuestions)
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
	fmt.Fprintf(w, "training on %d e-mails (body: first %d words, subject: first %d), testing on %d\n",
		len(trainEmails), textLength, questionLength, len(testEmails))
	start := time.Now()
	if _, err := model.Fit(xTrain, yTrain, keras.Epochs(o.epochs), keras.BatchSize(64), keras.Verbose(o.verbose)); err != nil {
		return err
	}
	fmt.Fprintf(w, "trained in %v\n", time.Since(start).Round(time.Second))
	logs, err := model.Evaluate(xTest, yTest, keras.Verbose(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "held-out e-mails (%d): loss %.4f, accuracy %.4f; always answering the majority class: %.4f\n",
		len(testEmails), logs["loss"], logs["acc"], majority(trainEmails, testEmails))
	return nil
}

// majority returns the accuracy on test of always answering the most common training label.
func majority(train, test []datasets.Email) float64 {
	spam := 0
	for _, e := range train {
		spam += e.Label
	}
	answer := 0
	if 2*spam > len(train) {
		answer = 1
	}
	right := 0
	for _, e := range test {
		if e.Label == answer {
			right++
		}
	}
	return float64(right) / float64(len(test))
}
