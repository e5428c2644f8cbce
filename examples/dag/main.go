// Command dag trains a model whose layers form a graph, not a stack: an Inception-style module
// (three branches over the same input, concatenated) followed by residual connections (two
// convolutions whose output is added back to their input, three times), as in the Keras
// functional API guide, on the scikit-learn handwritten digits embedded in kerago seen as
// 8×8×1 images. It prints the model summary, then the held-out accuracy beside the
// most-common-digit baseline and beside the same model trained without its residual
// shortcuts (a plain stack of the same convolutions, from the same initial weights).
//
//	go run ./examples/dag
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
	nTrain  int // training images (at most 1,437)
	verbose int
}

func main() {
	var o options
	flag.IntVar(&o.epochs, "epochs", 12, "training epochs")
	flag.IntVar(&o.nTrain, "train", 1437, "training images (at most 1437)")
	flag.IntVar(&o.verbose, "verbose", 0, "0 silent, 1 progress bar, 2 a line per epoch")
	flag.Parse()
	if err := run(os.Stdout, o); err != nil {
		log.Fatal(err)
	}
}

// inceptionModule is the guide's Inception-style module with f filters per branch: a strided
// 1×1 convolution, a 1×1 then a strided 3×3 convolution, and a strided average pooling then a
// 3×3 convolution, concatenated on the channel axis (3f channels, half the height and width).
func inceptionModule(x *keras.Tensor, f int) *keras.Tensor {
	branchA := layers.Conv2D(f, 1, layers.Activation("relu"), layers.Strides(2)).Call(x)
	branchB := layers.Conv2D(f, 1, layers.Activation("relu")).Call(x)
	branchB = layers.Conv2D(f, 3, layers.Activation("relu"), layers.Strides(2), layers.Padding("same")).Call(branchB)
	branchC := layers.AveragePooling2D(3, layers.Strides(2), layers.Padding("same")).Call(x)
	branchC = layers.Conv2D(f, 3, layers.Activation("relu"), layers.Padding("same")).Call(branchC)
	return layers.Concatenate(layers.Axis(-1)).Call(branchA, branchB, branchC)
}

// residualBlock is the guide's residual connection: two 3×3 convolutions with as many filters
// as x has channels, so that their output can be added to x. Without the shortcut it is a
// plain stack of the same two convolutions.
func residualBlock(x *keras.Tensor, shortcut bool) *keras.Tensor {
	f := x.Shape().Last()
	y := layers.Conv2D(f, 3, layers.Activation("relu"), layers.Padding("same")).Call(x)
	y = layers.Conv2D(f, 3, layers.Activation("relu"), layers.Padding("same")).Call(y)
	if !shortcut {
		return y
	}
	return layers.Add().Call(y, x)
}

// residualBlocks is how many residual blocks follow the Inception module: deep enough that
// the plain stack (without shortcuts) trains noticeably slower than the residual one.
const residualBlocks = 3

// buildModel returns the digits classifier: Inception module, residual block (with or
// without its shortcut), global average pooling and a softmax over the 10 digits.
func buildModel(shortcut bool) (*keras.Model, error) {
	images := keras.Input(keras.Shape{8, 8, 1}, keras.Name("images"))
	x := inceptionModule(images, 8) // (4, 4, 24)
	for range residualBlocks {
		x = residualBlock(x, shortcut) // (4, 4, 24)
	}
	x = layers.GlobalAveragePooling2D().Call(x)
	digit := layers.Dense(10, layers.Activation("softmax")).Call(x)
	return keras.NewModel(keras.Inputs(images), keras.Outputs(digit))
}

func run(w io.Writer, o options) error {
	x, y, err := datasets.DigitsPrepared(0) // shuffled, pixels in [0, 1], one-hot targets
	if err != nil {
		return err
	}
	// The 64 pixels of a row are an 8×8 image with one channel, as Conv2D expects them.
	images := tensor.New(tensor.WithShape(x.Shape()[0], 8, 8, 1), tensor.WithBacking(x.Data()))
	const testAt = 1437 // the last 20% are held out
	xTrain, xTest, err := datasets.Split(images, testAt)
	if err != nil {
		return err
	}
	yTrain, yTest, err := datasets.Split(y, testAt)
	if err != nil {
		return err
	}
	if o.nTrain > 0 && o.nTrain < testAt {
		if xTrain, _, err = datasets.Split(xTrain, o.nTrain); err != nil {
			return err
		}
		if yTrain, _, err = datasets.Split(yTrain, o.nTrain); err != nil {
			return err
		}
	}

	accuracy := map[bool]float64{}
	for _, shortcut := range []bool{true, false} {
		keras.SetRandomSeed(3) // the same initial weights for both models
		model, err := buildModel(shortcut)
		if err != nil {
			return err
		}
		if shortcut {
			model.Summary(w)
		}
		if err := model.Compile("adam", "categorical_crossentropy", keras.Metrics("acc")); err != nil {
			return err
		}
		if _, err := model.Fit(xTrain, yTrain, keras.Epochs(o.epochs), keras.BatchSize(32), keras.Verbose(o.verbose)); err != nil {
			return err
		}
		logs, err := model.Evaluate(xTest, yTest, keras.Verbose(0))
		if err != nil {
			return err
		}
		accuracy[shortcut] = logs["acc"]
	}
	fmt.Fprintf(w, "trained on %d digits for %d epochs; held-out digits (%d):\n", xTrain.Shape()[0], o.epochs, xTest.Shape()[0])
	for _, r := range []struct {
		what string
		acc  float64
	}{
		{fmt.Sprintf("Inception module + %d residual blocks", residualBlocks), accuracy[true]},
		{"the same without the residual shortcuts", accuracy[false]},
		{"always answering the most common digit", majority(yTrain, yTest)},
	} {
		fmt.Fprintf(w, "  %-40s accuracy %.4f\n", r.what+":", r.acc)
	}
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
