package keras_test

import (
	"fmt"
	"os"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// The guide's first model (docs/guide.md, chapter 1): build it from symbolic tensors, then print
// Keras's summary table.
func ExampleNewModel() {
	keras.SetRandomSeed(42)
	keras.ClearSession() // default layer names count from "dense" again
	inputTensor := keras.Input(keras.Shape{64})
	x := layers.Dense(32, layers.Activation("relu")).Call(inputTensor)
	x = layers.Dense(32, layers.Activation("relu")).Call(x)
	outputTensor := layers.Dense(10, layers.Activation("softmax")).Call(x)

	model, err := keras.NewModel(keras.Inputs(inputTensor), keras.Outputs(outputTensor))
	if err != nil {
		fmt.Println(err)
		return
	}
	model.Summary(os.Stdout)
	// Output:
	// Model: "functional"
	// ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
	// ┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
	// ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
	// │ input_layer (InputLayer)             │ (None, 64)                  │               0 │
	// ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
	// │ dense (Dense)                        │ (None, 32)                  │           2,080 │
	// ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
	// │ dense_1 (Dense)                      │ (None, 32)                  │           1,056 │
	// ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
	// │ dense_2 (Dense)                      │ (None, 10)                  │             330 │
	// └──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
	//  Total params: 3,466 (13.54 KB)
	//  Trainable params: 3,466 (13.54 KB)
	//  Non-trainable params: 0 (0.00 B)
}

// A layer call that cannot work does not panic: the tensor carries the error, and NewModel
// returns it, naming the layer and the shapes.
func ExampleNewModel_error() {
	keras.SetRandomSeed(0)
	keras.ClearSession()
	a := keras.Input(keras.Shape{4})
	b := keras.Input(keras.Shape{3, 2})
	x := layers.Concatenate().Call(a, b)
	_, err := keras.NewModel(keras.Inputs(a, b), keras.Outputs(x))
	fmt.Println(err)
	// Output:
	// keras: concatenate (Concatenate): incompatible shape: inputs must have one rank: input 0 is (None, 4), input 1 is (None, 3, 2)
}

// Fit trains; History holds one value per epoch under Keras's names.
func ExampleModel_Fit() {
	keras.SetRandomSeed(1)
	in := keras.Input(keras.Shape{2})
	out := layers.Dense(1, layers.KernelInitializer("zeros")).Call(in)
	model, _ := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	_ = model.Compile(optimizers.SGD(optimizers.LearningRate(0.3)), "mse")

	// Learn y = x0 + 2·x1 from four points.
	x := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float32{0, 0, 1, 0, 0, 1, 1, 1}))
	y := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float32{0, 1, 2, 3}))
	history, err := model.Fit(x, y, keras.Epochs(200), keras.BatchSize(4), keras.Verbose(0))
	if err != nil {
		fmt.Println(err)
		return
	}
	losses := history.History["loss"]
	fmt.Printf("epochs: %d, first loss %.4f, last loss below 0.01: %v\n", len(losses), losses[0], losses[len(losses)-1] < 0.01)
	// Output:
	// epochs: 200, first loss 3.5000, last loss below 0.01: true
}
