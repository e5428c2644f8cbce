// Command mlp trains the first model of the Keras functional API guide, a multi-layer
// perceptron (Input, two Dense layers with relu, a softmax Dense), on the scikit-learn
// handwritten digits embedded in kerago: 1,797 images of 8×8 pixels. It prints the model
// summary, the training log and the accuracy on held-out digits beside the accuracy of always
// answering the most common digit.
//
//	go run ./examples/mlp
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/datasets"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// options are the example's settings; the smoke test runs it with small ones.
type options struct {
	epochs  int
	verbose int
}

func main() {
	var o options
	flag.IntVar(&o.epochs, "epochs", 40, "training epochs")
	flag.IntVar(&o.verbose, "verbose", 2, "0 silent, 1 progress bar, 2 a line per epoch")
	flag.Parse()
	if err := run(os.Stdout, o); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer, o options) error {
	keras.SetRandomSeed(42)
	x, oneHot, err := datasets.DigitsPrepared(0) // shuffled, pixels in [0, 1], one-hot targets
	if err != nil {
		return err
	}
	const nTrain = 1437 // 80% of 1,797
	xTrain, xTest, err := datasets.Split(x, nTrain)
	if err != nil {
		return err
	}
	yTrain, yTest, err := datasets.Split(oneHot, nTrain)
	if err != nil {
		return err
	}

	inputTensor := keras.Input(keras.Shape{64})
	h := layers.Dense(32, layers.Activation("relu")).Call(inputTensor)
	h = layers.Dense(32, layers.Activation("relu")).Call(h)
	outputTensor := layers.Dense(10, layers.Activation("softmax")).Call(h)

	model, err := keras.NewModel(keras.Inputs(inputTensor), keras.Outputs(outputTensor))
	if err != nil {
		return err
	}
	model.Summary(w)
	if err := model.Compile("adam", "categorical_crossentropy", keras.Metrics("acc")); err != nil {
		return err
	}
	if _, err := model.Fit(xTrain, yTrain, keras.Epochs(o.epochs), keras.BatchSize(32),
		keras.ValidationSplit(0.1), keras.Verbose(o.verbose)); err != nil {
		return err
	}
	logs, err := model.Evaluate(xTest, yTest, keras.Verbose(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "held-out digits (%d): loss %.4f, accuracy %.4f; always answering the most common digit: %.4f\n",
		xTest.Shape()[0], logs["loss"], logs["acc"], majority(yTrain, yTest))
	return nil
}

// majority returns the accuracy on the one-hot rows of test of always answering the class
// most common in the one-hot rows of train.
func majority(train, test *tensor.Dense) float64 {
	counts := func(y *tensor.Dense) []int {
		k := y.Shape()[1]
		c := make([]int, k)
		for i, v := range y.Data().([]float32) {
			if v == 1 {
				c[i%k]++
			}
		}
		return c
	}
	tc := counts(train)
	best := 0
	for c := range tc {
		if tc[c] > tc[best] {
			best = c
		}
	}
	return float64(counts(test)[best]) / float64(test.Shape()[0])
}
