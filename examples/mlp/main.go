// Command mlp trains the Seed §1 model of kerago's design, a multi-layer perceptron, on the
// scikit-learn handwritten digits that ship with kerago, and reports its test accuracy.
//
//	go run ./examples/mlp
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/datasets"
	"github.com/kerago/kerago/keras/layers"
)

func main() {
	epochs := flag.Int("epochs", 40, "training epochs")
	verbose := flag.Int("verbose", 2, "0 silent, 1 progress bar, 2 a line per epoch")
	flag.Parse()
	keras.SetRandomSeed(42)

	x, oneHot, err := datasets.DigitsPrepared(0) // shuffled, pixels in [0, 1], one-hot targets
	if err != nil {
		log.Fatal(err)
	}
	const nTrain = 1437 // 80% of 1,797
	xTrain, xTest, err := datasets.Split(x, nTrain)
	if err != nil {
		log.Fatal(err)
	}
	yTrain, yTest, err := datasets.Split(oneHot, nTrain)
	if err != nil {
		log.Fatal(err)
	}

	inputTensor := keras.Input(keras.Shape{64})
	h := layers.Dense(32, layers.Activation("relu")).Call(inputTensor)
	h = layers.Dense(32, layers.Activation("relu")).Call(h)
	outputTensor := layers.Dense(10, layers.Activation("softmax")).Call(h)

	model, err := keras.NewModel(keras.Inputs(inputTensor), keras.Outputs(outputTensor))
	if err != nil {
		log.Fatal(err)
	}
	model.Summary(os.Stdout)

	if err := model.Compile("adam", "categorical_crossentropy", keras.Metrics("acc")); err != nil {
		log.Fatal(err)
	}
	if _, err := model.Fit(xTrain, yTrain, keras.Epochs(*epochs), keras.BatchSize(32),
		keras.ValidationSplit(0.1), keras.Verbose(*verbose)); err != nil {
		log.Fatal(err)
	}
	logs, err := model.Evaluate(xTest, yTest, keras.Verbose(0))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("test loss %.4f, test accuracy %.4f\n", logs["loss"], logs["acc"])
}
