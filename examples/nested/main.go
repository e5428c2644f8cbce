// Command nested uses a model as a layer, as the Keras functional API guide does: an encoder
// model (two Dense layers turning an 8×8 digit into 16 features) is called inside a
// classifier model like any layer, and training the classifier trains the encoder. The
// encoder stays a model of its own: afterwards it predicts features by itself, and a
// nearest-centroid rule on those features (no further training) classifies held-out digits
// better than the same rule on raw pixels or on the untrained features. It prints both
// summaries, the classifier's held-out accuracy and the nearest-centroid accuracies, on the
// scikit-learn digits embedded in kerago.
//
//	go run ./examples/nested
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
	flag.IntVar(&o.epochs, "epochs", 30, "training epochs")
	flag.IntVar(&o.verbose, "verbose", 0, "0 silent, 1 progress bar, 2 a line per epoch")
	flag.Parse()
	if err := run(os.Stdout, o); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer, o options) error {
	x, y, err := datasets.DigitsPrepared(0) // shuffled, pixels in [0, 1], one-hot targets
	if err != nil {
		return err
	}
	const testAt = 1437 // the last 20% are held out
	xTrain, xTest, err := datasets.Split(x, testAt)
	if err != nil {
		return err
	}
	yTrain, yTest, err := datasets.Split(y, testAt)
	if err != nil {
		return err
	}

	keras.SetRandomSeed(8)
	pixels := keras.Input(keras.Shape{64}, keras.Name("pixels"))
	h := layers.Dense(32, layers.Activation("relu")).Call(pixels)
	features := layers.Dense(16, layers.Activation("relu")).Call(h)
	encoder, err := keras.NewModel(keras.Inputs(pixels), keras.Outputs(features), keras.Name("encoder"))
	if err != nil {
		return err
	}
	encoder.Summary(w)

	digit := keras.Input(keras.Shape{64}, keras.Name("digit"))
	encoded := encoder.Call(digit) // the whole encoder model, called as a layer
	probabilities := layers.Dense(10, layers.Activation("softmax")).Call(encoded)
	classifier, err := keras.NewModel(keras.Inputs(digit), keras.Outputs(probabilities), keras.Name("classifier"))
	if err != nil {
		return err
	}
	classifier.Summary(w)

	before, err := centroidAccuracy(encoder, xTrain, yTrain, xTest, yTest)
	if err != nil {
		return err
	}
	if err := classifier.Compile("adam", "categorical_crossentropy", keras.Metrics("acc")); err != nil {
		return err
	}
	if _, err := classifier.Fit(xTrain, yTrain, keras.Epochs(o.epochs), keras.BatchSize(32), keras.Verbose(o.verbose)); err != nil {
		return err
	}
	logs, err := classifier.Evaluate(xTest, yTest, keras.Verbose(0))
	if err != nil {
		return err
	}
	after, err := centroidAccuracy(encoder, xTrain, yTrain, xTest, yTest)
	if err != nil {
		return err
	}
	raw := nearestCentroid(xTrain, yTrain, xTest, yTest)
	fmt.Fprintf(w, "classifier (encoder inside), trained %d epochs; held-out digits (%d): accuracy %.4f\n",
		o.epochs, xTest.Shape()[0], logs["acc"])
	fmt.Fprintf(w, "the encoder alone, nearest centroid on its %d features:\n", features.Shape().Last())
	fmt.Fprintf(w, "  before training the classifier:  accuracy %.4f\n", before)
	fmt.Fprintf(w, "  after training the classifier:   accuracy %.4f\n", after)
	fmt.Fprintf(w, "  on the 64 raw pixels instead:    accuracy %.4f\n", raw)
	return nil
}

// centroidAccuracy runs the encoder model on its own over the training and test digits and
// scores a nearest-centroid rule on its features.
func centroidAccuracy(encoder *keras.Model, xTrain, yTrain, xTest, yTest *tensor.Dense) (float64, error) {
	fTrain, err := encoder.Predict(xTrain, keras.Verbose(0))
	if err != nil {
		return 0, err
	}
	fTest, err := encoder.Predict(xTest, keras.Verbose(0))
	if err != nil {
		return 0, err
	}
	return nearestCentroid(fTrain[0], yTrain, fTest[0], yTest), nil
}

// nearestCentroid returns the accuracy on test of answering the class whose mean training
// row (in the float32 rows of xTrain, one-hot classes in yTrain) is nearest.
func nearestCentroid(xTrain, yTrain, xTest, yTest *tensor.Dense) float64 {
	d, k := xTrain.Shape()[1], yTrain.Shape()[1]
	class := func(y []float32, i int) int {
		for c := range k {
			if y[i*k+c] == 1 {
				return c
			}
		}
		return -1
	}
	xs, ys := xTrain.Data().([]float32), yTrain.Data().([]float32)
	centroids := make([]float64, k*d)
	counts := make([]int, k)
	for i := range xTrain.Shape()[0] {
		c := class(ys, i)
		counts[c]++
		for j := range d {
			centroids[c*d+j] += float64(xs[i*d+j])
		}
	}
	for c := range k {
		for j := range d {
			centroids[c*d+j] /= float64(max(counts[c], 1))
		}
	}
	xt, yt := xTest.Data().([]float32), yTest.Data().([]float32)
	right := 0
	for i := range xTest.Shape()[0] {
		best, bestDist := 0, -1.0
		for c := range k {
			dist := 0.0
			for j := range d {
				diff := float64(xt[i*d+j]) - centroids[c*d+j]
				dist += diff * diff
			}
			if bestDist < 0 || dist < bestDist {
				best, bestDist = c, dist
			}
		}
		if best == class(yt, i) {
			right++
		}
	}
	return float64(right) / float64(xTest.Shape()[0])
}
