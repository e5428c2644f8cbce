package callbacks_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/callbacks"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/tensorboard"
	"gorgonia.org/tensor"
)

// Train with the TensorBoard callback (docs/guide.md, chapter 9), then look at what TensorBoard
// will show (`tensorboard --logdir <dir>`): here, the series of each run, read back with package
// tensorboard.
func ExampleTensorBoard() {
	keras.SetRandomSeed(1)
	x := tensor.New(tensor.WithShape(40, 2), tensor.WithBacking(tensor.Range(tensor.Float32, 0, 80).([]float32)))
	y := tensor.New(tensor.WithShape(40, 1), tensor.WithBacking(tensor.Range(tensor.Float32, 0, 40).([]float32)))
	in := keras.Input(keras.Shape{2})
	out := layers.Dense(1, layers.Name("regressor")).Call(in)
	model, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		log.Fatal(err)
	}
	if err := model.Compile("sgd", "mse", keras.Metrics("mae")); err != nil {
		log.Fatal(err)
	}

	logDir, err := os.MkdirTemp("", "my_log_dir")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(logDir)
	tb := callbacks.TensorBoard(logDir, callbacks.HistogramFreq(1))
	if _, err := model.Fit(x, y, keras.Epochs(3), keras.BatchSize(8), keras.Verbose(0),
		keras.ValidationSplit(0.2), keras.Callbacks(tb)); err != nil {
		log.Fatal(err)
	}

	for _, run := range []string{"train", "validation"} {
		events, err := tensorboard.ReadDir(filepath.Join(logDir, run))
		if err != nil {
			log.Fatal(err)
		}
		steps := map[string][]int64{}
		for _, ev := range events {
			if ev.Tag != "" {
				steps[ev.Tag] = append(steps[ev.Tag], ev.Step)
			}
		}
		var tags []string
		for tag := range steps {
			tags = append(tags, tag)
		}
		sort.Strings(tags)
		fmt.Println(run)
		for _, tag := range tags {
			fmt.Printf("  %-40s steps %v\n", tag, steps[tag])
		}
	}
	// Output:
	// train
	//   __run_graph__                            steps [0]
	//   epoch_learning_rate                      steps [0 1 2]
	//   epoch_loss                               steps [0 1 2]
	//   epoch_mae                                steps [0 1 2]
	//   keras                                    steps [0]
	//   regressor/bias/histogram                 steps [0 1 2]
	//   regressor/kernel/histogram               steps [0 1 2]
	// validation
	//   epoch_loss                               steps [0 1 2]
	//   epoch_mae                                steps [0 1 2]
	//   evaluation_loss_vs_iterations            steps [4 8 12]
	//   evaluation_mae_vs_iterations             steps [4 8 12]
}
