// Command tensorboard runs Seed §3 of kerago's design: it trains the Seed §1 multi-layer
// perceptron on the scikit-learn handwritten digits that ship with kerago, with Keras's
// TensorBoard callback, and leaves a log directory that TensorBoard shows as it shows a
// Keras run: loss, accuracy and learning-rate curves for the train and validation runs,
// weight histograms and the model graph.
//
//	go run ./examples/tensorboard -logdir my_log_dir
//	tensorboard --logdir my_log_dir    # pip install tensorboard; then open http://localhost:6006
package main

import (
	"flag"
	"fmt"
	"log"
	"strconv"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/callbacks"
	"github.com/kerago/kerago/keras/datasets"
	"github.com/kerago/kerago/keras/layers"
)

func main() {
	logDir := flag.String("logdir", "./my_log_dir", "directory for the TensorBoard runs (train and validation)")
	epochs := flag.Int("epochs", 20, "training epochs")
	updateFreq := flag.String("update_freq", "epoch", `"epoch", "batch" or a number of batches between batch-level points`)
	histogramFreq := flag.Int("histogram_freq", 1, "epochs between weight histograms (0: none)")
	verbose := flag.Int("verbose", 2, "0 silent, 1 progress bar, 2 a line per epoch")
	flag.Parse()
	keras.SetRandomSeed(42)

	// Shuffled with a fixed seed: ValidationSplit holds out the last rows.
	x, y, err := datasets.DigitsPrepared(0)
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
	if err := model.Compile("adam", "categorical_crossentropy", keras.Metrics("acc")); err != nil {
		log.Fatal(err)
	}

	var freq any = *updateFreq
	if n, err := strconv.Atoi(*updateFreq); err == nil {
		freq = n
	}
	tb := callbacks.TensorBoard(*logDir, callbacks.HistogramFreq(*histogramFreq), callbacks.UpdateFreq(freq))
	history, err := model.Fit(x, y, keras.Epochs(*epochs), keras.BatchSize(128),
		keras.ValidationSplit(0.2), keras.Callbacks(tb), keras.Verbose(*verbose))
	if err != nil {
		log.Fatal(err)
	}
	last := len(history.Epoch) - 1
	fmt.Printf("final loss %.4f, acc %.4f, val_loss %.4f, val_acc %.4f\n",
		history.History["loss"][last], history.History["acc"][last],
		history.History["val_loss"][last], history.History["val_acc"][last])
	fmt.Printf("TensorBoard logs in %s; view them with: tensorboard --logdir %s\n", *logDir, *logDir)
}
