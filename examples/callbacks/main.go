// Command callbacks trains a binary classifier of handwritten digits (0-4 against 5-9, the
// scikit-learn 8×8 digits embedded in kerago) with Keras's three everyday callbacks together,
// EarlyStopping, ModelCheckpoint and ReduceLROnPlateau, and shows each of them act: where
// training stopped and why, which epochs saved the best model (which then loads back and
// scores as it did), and when the learning rate fell.
//
//	go run ./examples/callbacks
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/callbacks"
	"github.com/kerago/kerago/keras/datasets"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// options are the example's settings; the smoke test runs it with small ones.
type options struct {
	epochs int // the first run's epochs, which EarlyStopping cuts short
	more   int // epochs of the second run, without EarlyStopping
}

func main() {
	var o options
	flag.IntVar(&o.epochs, "epochs", 60, "epochs of the first run (EarlyStopping usually stops it sooner)")
	flag.IntVar(&o.more, "more", 30, "epochs of the second run, without EarlyStopping")
	flag.Parse()
	if err := run(os.Stdout, o); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer, o options) error {
	start := time.Now()
	keras.SetRandomSeed(1)
	x, y, xVal, yVal, err := digits()
	if err != nil {
		return err
	}

	inputs := keras.Input(keras.Shape{64})
	h := layers.Dense(64, layers.Activation("relu")).Call(inputs)
	h = layers.Dense(64, layers.Activation("relu")).Call(h)
	outputs := layers.Dense(1, layers.Activation("sigmoid")).Call(h)
	model, err := keras.NewModel(keras.Inputs(inputs), keras.Outputs(outputs))
	if err != nil {
		return err
	}

	dir, err := os.MkdirTemp("", "kerago-callbacks")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	checkpointPath := filepath.Join(dir, "my_model.keras")

	earlyStopping := callbacks.EarlyStopping(callbacks.Monitor("acc"), callbacks.Patience(2))
	checkpoint := callbacks.ModelCheckpoint(checkpointPath, callbacks.Monitor("val_loss"), callbacks.SaveBestOnly(true))
	reduceLR := callbacks.ReduceLROnPlateau(callbacks.Monitor("val_loss"), callbacks.Factor(0.1), callbacks.Patience(10))
	callbacksList := []keras.Callback{earlyStopping, checkpoint, reduceLR}

	if err := model.Compile("rmsprop", "binary_crossentropy", keras.Metrics("acc")); err != nil {
		return err
	}
	history, err := model.Fit(x, y, keras.Epochs(o.epochs), keras.BatchSize(128),
		keras.Callbacks(callbacksList...), keras.ValidationData(xVal, yVal), keras.Verbose(0))
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "Callbacks: EarlyStopping(acc, patience 2), ModelCheckpoint(val_loss, best only), ReduceLROnPlateau(val_loss, factor 0.1, patience 10)")
	printHistory(w, history, math.Inf(1))
	stopped := earlyStopping.StoppedEpoch()
	fmt.Fprintf(w, "EarlyStopping: acc did not improve for 2 epochs, so training stopped after epoch %d of %d.\n", stopped+1, o.epochs)
	best, _ := checkpoint.Best()
	fmt.Fprintf(w, "ModelCheckpoint: saved %s at every new lowest val_loss (*), last at %.4f.\n\n", filepath.Base(checkpointPath), best)

	// Keep training without early stopping: once val_loss has not improved for 10 epochs,
	// ReduceLROnPlateau divides the learning rate by 10.
	more, err := model.Fit(x, y, keras.Epochs(stopped+1+o.more), keras.InitialEpoch(stopped+1), keras.BatchSize(128),
		keras.Callbacks(checkpoint, reduceLR), keras.ValidationData(xVal, yVal), keras.Verbose(0))
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "Training on with ModelCheckpoint and ReduceLROnPlateau only:")
	printHistory(w, more, best)
	lrs := more.History["learning_rate"]
	fmt.Fprintf(w, "ReduceLROnPlateau: learning rate %g at first, %g at the end.\n", lrs[0], model.Optimizer().LearningRate())

	saved, err := keras.LoadModel(checkpointPath)
	if err != nil {
		return err
	}
	logs, err := saved.Evaluate(xVal, yVal, keras.Verbose(0))
	if err != nil {
		return err
	}
	best, _ = checkpoint.Best()
	fmt.Fprintf(w, "ModelCheckpoint: the best model (val_loss %.4f) loads back from %s and scores val_loss %.4f, val_acc %.4f.\n",
		best, filepath.Base(checkpointPath), logs["loss"], logs["acc"])
	fmt.Fprintf(w, "Always answering the most common class of the training digits scores val_acc %.4f.\n", majority(y, yVal))
	fmt.Fprintf(w, "(%.1fs)\n", time.Since(start).Seconds())
	return nil
}

// printHistory prints one line per epoch; * marks a new lowest val_loss (below best before
// the run), where ModelCheckpoint saved.
func printHistory(w io.Writer, h *keras.History, best float64) {
	fmt.Fprintf(w, "  %5s  %6s  %6s  %7s  %8s  %s\n", "epoch", "acc", "loss", "val_acc", "val_loss", "learning_rate")
	for i, e := range h.Epoch {
		vl := h.History["val_loss"][i]
		mark := " "
		if vl < best {
			mark, best = "*", vl
		}
		fmt.Fprintf(w, "  %5d  %.4f  %.4f  %7.4f  %.4f%s  %g\n", e+1, h.History["acc"][i], h.History["loss"][i],
			h.History["val_acc"][i], vl, mark, h.History["learning_rate"][i])
	}
}

// digits returns the 8x8 digits scaled to [0, 1] with the label "digit >= 5", shuffled with a
// fixed seed and split 80/20 into training and validation sets.
func digits() (x, y, xVal, yVal *tensor.Dense, err error) {
	xs, labels, err := datasets.Digits()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if xs, labels, err = datasets.Shuffle(xs, labels, 0); err != nil {
		return nil, nil, nil, nil, err
	}
	px := xs.Data().([]float32)
	for i := range px {
		px[i] /= 16
	}
	ids := labels.Data().([]int)
	ys := make([]float32, len(ids))
	for i, d := range ids {
		if d >= 5 {
			ys[i] = 1
		}
	}
	yAll := tensor.New(tensor.WithShape(len(ids), 1), tensor.WithBacking(ys))
	at := len(ids) * 4 / 5
	if x, xVal, err = datasets.Split(xs, at); err != nil {
		return nil, nil, nil, nil, err
	}
	if y, yVal, err = datasets.Split(yAll, at); err != nil {
		return nil, nil, nil, nil, err
	}
	return x, y, xVal, yVal, nil
}

// majority returns the accuracy on the 0/1 targets yVal of always answering the value more
// common in y.
func majority(y, yVal *tensor.Dense) float64 {
	ones := 0
	for _, v := range y.Data().([]float32) {
		ones += int(v)
	}
	answer := float32(0)
	if 2*ones > y.Shape()[0] {
		answer = 1
	}
	right := 0
	for _, v := range yVal.Data().([]float32) {
		if v == answer {
			right++
		}
	}
	return float64(right) / float64(yVal.Shape()[0])
}
