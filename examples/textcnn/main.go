// Command textcnn trains the text convolution network of the Keras functional API guide's
// multi-output example (Embedding, three Conv1D with max pooling between them, a global max
// pooling and a Dense, then three heads) on the SpamAssassin e-mails embedded in kerago. From
// the first 150 words of an e-mail's body it predicts three things at once: the length of
// the body (regression, mse: the log of its length in characters, standardized), the corpus
// folder it came from (softmax over 5 groups: easy ham, hard ham, spam...) and whether it is
// spam (sigmoid), with per-output losses and loss weights. It prints the summary, the training
// log and each head's held-out score beside its trivial baseline.
//
//	go run ./examples/textcnn
//	go run ./examples/textcnn -data /path/to/data    # the full corpus (or set $KERAGO_DATA)
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"slices"
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
	flag.IntVar(&o.epochs, "epochs", 5, "training epochs")
	flag.IntVar(&o.nTrain, "train", 0, "training e-mails (0: all of them)")
	flag.IntVar(&o.verbose, "verbose", 2, "0 silent, 1 progress bar, 2 a line per epoch")
	flag.Parse()
	if err := run(os.Stdout, o); err != nil {
		log.Fatal(err)
	}
}

const (
	vocabularySize = 2000
	length         = 150 // words: 146 → 29 → 25 → 5 → 1 steps through the convolutions and poolings
)

// targets are the three heads' targets for a set of e-mails.
type targets struct {
	logLength []float64 // standardized log of the body's length
	group     []int     // index into the sorted group names
	spam      []int
}

func run(w io.Writer, o options) error {
	var opts []datasets.Option
	if o.dataDir != "" {
		opts = append(opts, datasets.FromDir(o.dataDir))
	}
	trainEmails, testEmails, err := datasets.SpamAssassin(opts...)
	if err != nil {
		return err
	}
	if o.nTrain > 0 && o.nTrain < len(trainEmails) {
		trainEmails = trainEmails[:o.nTrain]
	}
	var groups []string
	for _, e := range trainEmails {
		if !slices.Contains(groups, e.Group) {
			groups = append(groups, e.Group)
		}
	}
	slices.Sort(groups)

	tokens := func(es []datasets.Email) [][]string {
		out := make([][]string, len(es))
		for i, e := range es {
			out[i] = preprocessing.TokenizeFirst(e.Body, length)
		}
		return out
	}
	trainTokens, testTokens := tokens(trainEmails), tokens(testEmails)
	vocab, err := preprocessing.NewVocabulary(trainTokens, vocabularySize) // training e-mails only
	if err != nil {
		return err
	}
	// The length target is standardized with the training e-mails' mean and deviation.
	var mean, std float64
	for _, e := range trainEmails {
		mean += logLen(e)
	}
	mean /= float64(len(trainEmails))
	for _, e := range trainEmails {
		std += (logLen(e) - mean) * (logLen(e) - mean)
	}
	std = math.Sqrt(std / float64(len(trainEmails)))
	prepare := func(es []datasets.Email, toks [][]string) (*tensor.Dense, keras.Named, targets, error) {
		var t targets
		var lengthY, groupY, spamY []float32
		for _, e := range es {
			l := (logLen(e) - mean) / std
			t.logLength = append(t.logLength, l)
			lengthY = append(lengthY, float32(l))
			g := slices.Index(groups, e.Group)
			if g < 0 {
				return nil, nil, t, fmt.Errorf("group %q of e-mail %s is not among the training groups %v", e.Group, e.ID, groups)
			}
			t.group = append(t.group, g)
			oneHot := make([]float32, len(groups))
			oneHot[g] = 1
			groupY = append(groupY, oneHot...)
			t.spam = append(t.spam, e.Label)
			spamY = append(spamY, float32(e.Label))
		}
		seqs := make([][]int, len(toks))
		for i, d := range toks {
			seqs[i] = vocab.Encode(d)
		}
		x, err := preprocessing.PadSequences(seqs, length, preprocessing.Post, preprocessing.Post)
		if err != nil {
			return nil, nil, t, err
		}
		n := len(es)
		return x, keras.Named{
			"length": tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(lengthY)),
			"group":  tensor.New(tensor.WithShape(n, len(groups)), tensor.WithBacking(groupY)),
			"spam":   tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(spamY)),
		}, t, nil
	}
	xTrain, yTrain, trainT, err := prepare(trainEmails, trainTokens)
	if err != nil {
		return err
	}
	xTest, _, testT, err := prepare(testEmails, testTokens)
	if err != nil {
		return err
	}

	keras.SetRandomSeed(4)
	posts := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("posts"))
	embeddedPosts := layers.Embedding(vocabularySize, 16).Call(posts)
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

	model, err := keras.NewModel(keras.Inputs(posts), keras.Outputs(lengthPrediction, groupPrediction, spamPrediction))
	if err != nil {
		return err
	}
	model.Summary(w)
	// One loss per head, by output name; the weights balance their scales as the guide's do.
	err = model.Compile("rmsprop",
		map[string]string{"length": "mse", "group": "categorical_crossentropy", "spam": "binary_crossentropy"},
		keras.LossWeights(map[string]float64{"length": 0.25, "group": 1, "spam": 10}))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "training on %d e-mails (first %d words of the body), testing on %d\n", len(trainEmails), length, len(testEmails))
	start := time.Now()
	if _, err := model.Fit(xTrain, yTrain, keras.Epochs(o.epochs), keras.BatchSize(64), keras.Verbose(o.verbose)); err != nil {
		return err
	}
	fmt.Fprintf(w, "trained in %v\n", time.Since(start).Round(time.Second))

	pred, err := model.Predict(xTest, keras.Verbose(0))
	if err != nil {
		return err
	}
	var lengthMSE, meanMSE float64 // the training mean of a standardized target is 0
	for i, p := range pred[0].Data().([]float32) {
		lengthMSE += (float64(p) - testT.logLength[i]) * (float64(p) - testT.logLength[i])
		meanMSE += testT.logLength[i] * testT.logLength[i]
	}
	n := float64(len(testEmails))
	groupProbs := pred[1].Data().([]float32)
	spamProbs := pred[2].Data().([]float32)
	groupRight, spamRight := 0, 0
	k := len(groups)
	for i := range testEmails {
		row := groupProbs[i*k : (i+1)*k]
		if slices.Index(row, slices.Max(row)) == testT.group[i] {
			groupRight++
		}
		if (spamProbs[i] > 0.5) == (testT.spam[i] == 1) {
			spamRight++
		}
	}
	fmt.Fprintf(w, "held-out e-mails (%d):\n", len(testEmails))
	fmt.Fprintf(w, "  length  mse %.4f (predicting the training mean: %.4f)\n", lengthMSE/n, meanMSE/n)
	fmt.Fprintf(w, "  group   accuracy %.4f (majority class: %.4f)\n", float64(groupRight)/n, majority(trainT.group, testT.group))
	fmt.Fprintf(w, "  spam    accuracy %.4f (majority class: %.4f)\n", float64(spamRight)/n, majority(trainT.spam, testT.spam))
	return nil
}

// logLen is the log of the body's length in characters (bytes), plus one.
func logLen(e datasets.Email) float64 { return math.Log(float64(len(e.Body)) + 1) }

// majority returns the accuracy on test of always answering the most frequent training label.
func majority(train, test []int) float64 {
	counts := map[int]int{}
	best := train[0]
	for _, l := range train {
		counts[l]++
		if counts[l] > counts[best] {
			best = l
		}
	}
	right := 0
	for _, l := range test {
		if l == best {
			right++
		}
	}
	return float64(right) / float64(len(test))
}
