package callbacks_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/callbacks"
)

// EarlyStopping watches val_loss; fed by hand here, as Fit would feed it, it stops at the
// second epoch without improvement (Patience(2)).
func ExampleEarlyStopping() {
	es := callbacks.EarlyStopping(callbacks.Patience(2), callbacks.Verbose(1))
	es.OnTrainBegin(keras.Logs{})
	for epoch, valLoss := range []float64{0.9, 0.7, 0.8, 0.75, 0.6} {
		es.OnEpochEnd(epoch, keras.Logs{"loss": 1, "val_loss": valLoss})
		if es.StoppedEpoch() > 0 {
			break
		}
	}
	es.OnTrainEnd(keras.Logs{})
	fmt.Println("best epoch:", es.BestEpoch())
	// Output:
	// Epoch 4: early stopping
	// best epoch: 1
}

// CSVLogger writes Keras's bytes: sorted columns, val_ columns reserved, NA for missing
// values, Python's float formatting and "\r\n" line ends.
func ExampleCSVLogger() {
	dir, _ := os.MkdirTemp("", "csv")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "training.log")
	logger := callbacks.CSVLogger(path)
	logger.OnTrainBegin(keras.Logs{})
	logger.OnEpochEnd(0, keras.Logs{"loss": 0.5, "acc": 0.75})
	logger.OnEpochEnd(1, keras.Logs{"loss": 0.25, "acc": 1, "val_loss": 1e-05, "val_acc": 1})
	logger.OnTrainEnd(keras.Logs{})
	b, _ := os.ReadFile(path)
	fmt.Printf("%q\n", b)
	// Output:
	// "epoch,acc,loss,val_acc,val_loss\r\n0,0.75,0.5,NA,NA\r\n1,1.0,0.25,1.0,1e-05\r\n"
}

// Lambda makes a callback from plain functions.
func ExampleLambda() {
	cb := callbacks.Lambda(callbacks.LambdaHooks{
		OnEpochEnd: func(epoch int, logs keras.Logs) error {
			fmt.Printf("epoch %d: loss %.2f\n", epoch, logs["loss"])
			return nil
		},
	})
	cb.OnEpochEnd(0, keras.Logs{"loss": 0.693})
	// Output:
	// epoch 0: loss 0.69
}
