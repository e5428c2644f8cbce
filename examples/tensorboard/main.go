// Command tensorboard trains the multi-layer perceptron of examples/mlp on the scikit-learn
// handwritten digits embedded in kerago, with Keras's TensorBoard callback, and leaves a log
// directory that TensorBoard shows as it shows a Keras run: loss, accuracy and learning-rate
// curves for the train and validation runs, weight histograms and the model graph. It prints
// the last epoch's results and the command that opens the logs.
//
//	go run ./examples/tensorboard                # writes ./my_log_dir
//	tensorboard --logdir ./my_log_dir            # pip install tensorboard; open http://localhost:6006
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/callbacks"
	"github.com/kerago/kerago/keras/datasets"
	"github.com/kerago/kerago/keras/layers"
)

// options are the example's settings; the smoke test runs it with small ones.
type options struct {
	logDir        string
	epochs        int
	updateFreq    string // "epoch", "batch" or a number of batches
	histogramFreq int
	verbose       int
}

func main() {
	var o options
	flag.StringVar(&o.logDir, "logdir", "./my_log_dir", "directory for the TensorBoard runs (train and validation)")
	flag.IntVar(&o.epochs, "epochs", 20, "training epochs")
	flag.StringVar(&o.updateFreq, "update_freq", "epoch", `"epoch", "batch" or a number of batches between batch-level points`)
	flag.IntVar(&o.histogramFreq, "histogram_freq", 1, "epochs between weight histograms (0: none)")
	flag.IntVar(&o.verbose, "verbose", 2, "0 silent, 1 progress bar, 2 a line per epoch")
	flag.Parse()
	if err := run(os.Stdout, o); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer, o options) error {
	keras.SetRandomSeed(42)
	// Shuffled with a fixed seed: ValidationSplit holds out the last rows.
	x, y, err := datasets.DigitsPrepared(0)
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
	if err := model.Compile("adam", "categorical_crossentropy", keras.Metrics("acc")); err != nil {
		return err
	}

	var freq any = o.updateFreq
	if n, err := strconv.Atoi(o.updateFreq); err == nil {
		freq = n
	}
	tb := callbacks.TensorBoard(o.logDir, callbacks.HistogramFreq(o.histogramFreq), callbacks.UpdateFreq(freq))
	history, err := model.Fit(x, y, keras.Epochs(o.epochs), keras.BatchSize(128),
		keras.ValidationSplit(0.2), keras.Callbacks(tb), keras.Verbose(o.verbose))
	if err != nil {
		return err
	}
	last := len(history.Epoch) - 1
	fmt.Fprintf(w, "epoch %d: loss %.4f, acc %.4f, val_loss %.4f, val_acc %.4f (a guess among 10 digits: 0.1)\n",
		last+1, history.History["loss"][last], history.History["acc"][last],
		history.History["val_loss"][last], history.History["val_acc"][last])
	fmt.Fprintf(w, "TensorBoard logs are in %s (runs train and validation); view them with:\n    tensorboard --logdir %s\n", o.logDir, o.logDir)
	return nil
}
