// Command shared trains a siamese model, the Keras functional API guide's example of a shared
// layer: one layer called on two inputs, so both inputs are read with the same weights. Here
// the inputs are two handwritten digits (the scikit-learn 8×8 digits embedded in kerago) and
// the model tells whether they show the same digit. It prints the summary, where the shared
// layer's weights count once, and the held-out accuracy on pairs of unseen digits beside
// chance (half the pairs match) and beside the same model with two separate encoders.
//
//	go run ./examples/shared
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/datasets"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// options are the example's settings; the smoke test runs it with small ones.
type options struct {
	epochs  int
	nTrain  int // training digits (at most 1,437), each in two pairs
	verbose int
}

func main() {
	var o options
	flag.IntVar(&o.epochs, "epochs", 20, "training epochs")
	flag.IntVar(&o.nTrain, "train", 1437, "training digits (at most 1437), each in one matching and one non-matching pair")
	flag.IntVar(&o.verbose, "verbose", 0, "0 silent, 1 progress bar, 2 a line per epoch")
	flag.Parse()
	if err := run(os.Stdout, o); err != nil {
		log.Fatal(err)
	}
}

// buildModel returns the pair classifier. With shared, one Dense encoder reads both digits;
// without, each digit has its own encoder (twice the weights, each trained on half the views).
func buildModel(shared bool) (model *keras.Model, encoder keras.Layer, err error) {
	left := keras.Input(keras.Shape{64}, keras.Name("left"))
	right := keras.Input(keras.Shape{64}, keras.Name("right"))
	dense := layers.Dense(32, layers.Activation("relu"), layers.Name("encoder"))
	encoder = dense
	leftEncoded := dense.Call(left)
	rightEncoder := dense
	if !shared {
		rightEncoder = layers.Dense(32, layers.Activation("relu"), layers.Name("right_encoder"))
	}
	rightEncoded := rightEncoder.Call(right)
	merged := layers.Concatenate(layers.Axis(-1)).Call(leftEncoded, rightEncoded)
	// "Same digit" compares the encodings: one hidden layer does the comparing.
	hidden := layers.Dense(32, layers.Activation("relu")).Call(merged)
	same := layers.Dense(1, layers.Activation("sigmoid"), layers.Name("same")).Call(hidden)
	model, err = keras.NewModel(keras.Inputs(left, right), keras.Outputs(same))
	return model, encoder, err
}

func run(w io.Writer, o options) error {
	x, labels, err := datasets.Digits()
	if err != nil {
		return err
	}
	if x, labels, err = datasets.Shuffle(x, labels, 0); err != nil {
		return err
	}
	pixels := x.Data().([]float32)
	for i := range pixels {
		pixels[i] /= 16
	}
	digits := labels.Data().([]int)
	const testAt = 1437 // the last 20% of the digits are held out, and so are their pairs
	nTrain := testAt
	if o.nTrain > 0 && o.nTrain < testAt {
		nTrain = o.nTrain
	}
	rng := rand.New(rand.NewPCG(5, 5))
	xTrain, yTrain := pairs(pixels, digits, 0, nTrain, rng)
	xTest, yTest := pairs(pixels, digits, testAt, len(digits), rng)

	accuracy, params := map[bool]float64{}, map[bool]int{}
	for _, shared := range []bool{true, false} {
		keras.SetRandomSeed(5)
		model, encoder, err := buildModel(shared)
		if err != nil {
			return err
		}
		for _, v := range model.Variables() {
			params[shared] += v.Shape().Size()
		}
		if shared {
			model.Summary(w)
			fmt.Fprintf(w, "the shared encoder is one Dense layer (%d weight tensors) called on both inputs; the model has %d weight tensors\n",
				len(encoder.Variables()), len(model.Variables()))
		}
		if err := model.Compile("adam", "binary_crossentropy", keras.Metrics("acc")); err != nil {
			return err
		}
		if _, err := model.Fit(xTrain, yTrain, keras.Epochs(o.epochs), keras.BatchSize(32), keras.Verbose(o.verbose)); err != nil {
			return err
		}
		logs, err := model.Evaluate(xTest, yTest, keras.Verbose(0))
		if err != nil {
			return err
		}
		accuracy[shared] = logs["acc"]
	}
	fmt.Fprintf(w, "trained on %d pairs of %d digits for %d epochs; held-out pairs of unseen digits (%d):\n",
		yTrain.Shape()[0], nTrain, o.epochs, yTest.Shape()[0])
	fmt.Fprintf(w, "  one shared encoder:     accuracy %.4f (%d parameters)\n", accuracy[true], params[true])
	fmt.Fprintf(w, "  two separate encoders:  accuracy %.4f (%d parameters)\n", accuracy[false], params[false])
	fmt.Fprintf(w, "  chance:                 accuracy 0.5000\n")
	return nil
}

// pairs pairs every digit of rows [from, to) with a random digit of the same rows showing the
// same number (target 1) and one showing another number (target 0).
func pairs(pixels []float32, digits []int, from, to int, rng *rand.Rand) (keras.Named, *tensor.Dense) {
	byDigit := map[int][]int{}
	for i := from; i < to; i++ {
		byDigit[digits[i]] = append(byDigit[digits[i]], i)
	}
	var left, right, same []float32
	add := func(i, j int, target float32) {
		left = append(left, pixels[64*i:64*i+64]...)
		right = append(right, pixels[64*j:64*j+64]...)
		same = append(same, target)
	}
	for i := from; i < to; i++ {
		mates := byDigit[digits[i]]
		add(i, mates[rng.IntN(len(mates))], 1)
		j := from + rng.IntN(to-from)
		for digits[j] == digits[i] {
			j = from + rng.IntN(to-from)
		}
		add(i, j, 0)
	}
	n := len(same)
	return keras.Named{
			"left":  tensor.New(tensor.WithShape(n, 64), tensor.WithBacking(left)),
			"right": tensor.New(tensor.WithShape(n, 64), tensor.WithBacking(right)),
		},
		tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(same))
}
