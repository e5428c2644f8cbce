// Command customcallback writes a callback of its own, as Keras users subclass
// keras.callbacks.Callback: targetAccuracy embeds keras.BaseCallback, overrides two hooks, and
// so (1) times every epoch and adds the time to the epoch's logs, where the History records it
// beside the loss, (2) prints a line per epoch, and (3) stops training as soon as the
// validation accuracy reaches a target, instead of running every epoch asked for. It trains
// the multi-layer perceptron of examples/mlp on the scikit-learn digits embedded in kerago and
// prints where it stopped and the held-out accuracy against the most-common-digit baseline.
//
//	go run ./examples/customcallback
//	go run ./examples/customcallback -target 0.97
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
)

// targetAccuracy is the example's own callback. BaseCallback supplies every hook it does not
// override, and Model() gives the model being trained.
type targetAccuracy struct {
	keras.BaseCallback
	w       io.Writer
	monitor string  // the logs key to watch, e.g. "val_acc"
	target  float64 // stop once monitor reaches this
	started time.Time

	reachedAt int // the epoch (from 0) where the target was reached, -1 if never
}

// OnEpochBegin notes the time, to measure the epoch.
func (c *targetAccuracy) OnEpochBegin(epoch int, logs keras.Logs) error {
	c.started = time.Now()
	return nil
}

// OnEpochEnd adds the epoch's duration to the logs (History keeps it under "epoch_seconds"),
// prints a line, and asks the model to stop once the monitored value reaches the target.
func (c *targetAccuracy) OnEpochEnd(epoch int, logs keras.Logs) error {
	logs["epoch_seconds"] = time.Since(c.started).Seconds()
	v, ok := logs[c.monitor]
	if !ok {
		// A clear error stops Fit, which returns it: better than watching nothing.
		return fmt.Errorf("targetAccuracy: no %q in the epoch logs (keys %v); pass validation data", c.monitor, logs.SortedKeys())
	}
	fmt.Fprintf(c.w, "  epoch %2d: loss %.4f, %s %.4f (%.0f ms)\n", epoch+1, logs["loss"], c.monitor, v, 1000*logs["epoch_seconds"])
	if v >= c.target {
		fmt.Fprintf(c.w, "  %s reached %.4f >= %.2f: stopping\n", c.monitor, v, c.target)
		c.reachedAt = epoch
		c.Model().SetStopTraining(true)
	}
	return nil
}

// options are the example's settings; the smoke test runs it with small ones.
type options struct {
	epochs int     // the most epochs to run
	target float64 // the validation accuracy that ends training
}

func main() {
	var o options
	flag.IntVar(&o.epochs, "epochs", 100, "the most epochs to train")
	flag.Float64Var(&o.target, "target", 0.95, "validation accuracy at which the callback stops training")
	flag.Parse()
	if err := run(os.Stdout, o); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer, o options) error {
	keras.SetRandomSeed(42)
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

	inputs := keras.Input(keras.Shape{64})
	h := layers.Dense(32, layers.Activation("relu")).Call(inputs)
	h = layers.Dense(32, layers.Activation("relu")).Call(h)
	outputs := layers.Dense(10, layers.Activation("softmax")).Call(h)
	model, err := keras.NewModel(keras.Inputs(inputs), keras.Outputs(outputs))
	if err != nil {
		return err
	}
	if err := model.Compile("adam", "categorical_crossentropy", keras.Metrics("acc")); err != nil {
		return err
	}

	stopper := &targetAccuracy{w: w, monitor: "val_acc", target: o.target, reachedAt: -1}
	fmt.Fprintf(w, "training for at most %d epochs, until val_acc >= %.2f:\n", o.epochs, o.target)
	history, err := model.Fit(xTrain, yTrain, keras.Epochs(o.epochs), keras.BatchSize(32),
		keras.ValidationSplit(0.1), keras.Callbacks(stopper), keras.Verbose(0))
	if err != nil {
		return err
	}
	if stopper.reachedAt >= 0 {
		fmt.Fprintf(w, "the callback stopped training after epoch %d of %d\n", stopper.reachedAt+1, o.epochs)
	} else {
		fmt.Fprintf(w, "val_acc never reached %.2f in %d epochs\n", o.target, o.epochs)
	}
	total := 0.0
	for _, s := range history.History["epoch_seconds"] {
		total += s
	}
	fmt.Fprintf(w, "History has the callback's key: %d epoch_seconds values, %.2f s in all\n", len(history.History["epoch_seconds"]), total)
	logs, err := model.Evaluate(xTest, yTest, keras.Verbose(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "held-out digits (%d): accuracy %.4f; always answering the most common digit: %.4f\n",
		xTest.Shape()[0], logs["acc"], majority(yTrain.Data().([]float32), yTest.Data().([]float32)))
	return nil
}

// majority returns the accuracy on the one-hot rows test of always answering the class most
// common in the one-hot rows train (10 classes).
func majority(train, test []float32) float64 {
	var counts [10]int
	for i, v := range train {
		if v == 1 {
			counts[i%10]++
		}
	}
	best := 0
	for c := range counts {
		if counts[c] > counts[best] {
			best = c
		}
	}
	right := 0
	for i := best; i < len(test); i += 10 {
		if test[i] == 1 {
			right++
		}
	}
	return float64(right) / float64(len(test)/10)
}
