package callbacks

import (
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
)

// The built-in callbacks that read or change the model's state (TensorBoard with histograms
// reads the weights and the optimizer's iterations and learning rate; ReduceLROnPlateau and
// LearningRateScheduler set the learning rate), and a user callback reading weights, optimizer
// variables and the summary, run in one goroutine's Fit while other
// goroutines train, load, set and predict with the same model. Run with -race: the callbacks'
// reads and writes must not race with the steps, LoadWeights or SetWeights.
func TestCallbacksConcurrentWithOtherCalls(t *testing.T) {
	keras.SetRandomSeed(4)
	in := keras.Input(keras.Shape{2})
	h := layers.Dense(6, layers.Activation("relu")).Call(in)
	out := layers.Dense(1, layers.Activation("sigmoid")).Call(h)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("adam", "binary_crossentropy"); err != nil {
		t.Fatal(err)
	}
	x, y := binaryData(64, false)
	dir := t.TempDir()
	weights := filepath.Join(dir, "w.weights.h5")
	if _, err := m.Fit(x, y, keras.Epochs(1), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	if err := m.SaveWeights(weights); err != nil { // holds the optimizer's variables too
		t.Fatal(err)
	}
	start := m.Weights()

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	run := func(f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				errs <- err
			}
		}()
	}
	run(func() error {
		cbs := []keras.Callback{
			TensorBoard(filepath.Join(dir, "logs"), HistogramFreq(1)),
			ReduceLROnPlateau(Monitor("loss"), Patience(1), Factor(0.5), MinDelta(10)),
			LearningRateScheduler(func(epoch int, lr float64) float64 { return lr * 0.9 }),
			// A user callback reading state the ways the keras.Callback doc names as safe.
			Lambda(LambdaHooks{OnTrainBatchEnd: func(int, keras.Logs) error {
				if len(m.Weights()) != 4 || len(m.Optimizer().Variables()) < 2 {
					return fmt.Errorf("a snapshot lacks weights or optimizer variables")
				}
				m.Summary(io.Discard)
				return nil
			}}),
		}
		_, err := m.Fit(x, y, keras.Epochs(6), keras.BatchSize(16), keras.Verbose(0),
			keras.ValidationSplit(0.25), keras.Callbacks(cbs...))
		return err
	})
	run(func() error {
		for range 3 {
			if _, err := m.Fit(x, y, keras.Epochs(2), keras.BatchSize(16), keras.Verbose(0)); err != nil {
				return err
			}
		}
		return nil
	})
	run(func() error {
		for range 6 {
			if err := m.LoadWeights(weights); err != nil {
				return err
			}
			if err := m.SetWeights(start); err != nil {
				return err
			}
		}
		return nil
	})
	run(func() error {
		for range 6 {
			if _, err := m.Predict(x, keras.Verbose(0), keras.BatchSize(8)); err != nil {
				return err
			}
		}
		return nil
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
