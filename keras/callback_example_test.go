package keras_test

import (
	"fmt"
	"sync"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// weightWatcher is a callback that reads the model's weights and optimizer state at every
// epoch end the safe way: Weights (copies taken under the model's lock) and the optimizer's
// own methods, never the live Variable values.
type weightWatcher struct {
	keras.BaseCallback
	lines []string
}

func (w *weightWatcher) OnEpochEnd(epoch int, _ keras.Logs) error {
	kernel := w.Model().Weights()[0].Float32s()
	opt := w.Model().Optimizer()
	opt.SetLearningRate(opt.LearningRate() / 2) // as ReduceLROnPlateau does
	w.lines = append(w.lines, fmt.Sprintf("epoch %d: %d kernel values, %d steps, learning rate now %g",
		epoch, len(kernel), opt.Iterations(), opt.LearningRate()))
	return nil
}

// A callback reads weights and optimizer state while another goroutine predicts with the same
// model.
func ExampleCallback_safeReads() {
	in := keras.Input(keras.Shape{2})
	model, _ := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Dense(1).Call(in)))
	_ = model.Compile(optimizers.SGD(optimizers.LearningRate(0.1)), "mse")
	x := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float32{0, 0, 1, 0, 0, 1, 1, 1}))
	y := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float32{0, 1, 2, 3}))

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // another user of the model: steps take turns with Fit's
		defer wg.Done()
		for range 20 {
			_, _ = model.Predict(x, keras.Verbose(0))
		}
	}()
	w := &weightWatcher{}
	_, err := model.Fit(x, y, keras.Epochs(3), keras.BatchSize(2), keras.Verbose(0), keras.Callbacks(w))
	wg.Wait()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range w.lines {
		fmt.Println(l)
	}
	// Output:
	// epoch 0: 2 kernel values, 2 steps, learning rate now 0.05
	// epoch 1: 2 kernel values, 4 steps, learning rate now 0.025
	// epoch 2: 2 kernel values, 6 steps, learning rate now 0.0125
}
