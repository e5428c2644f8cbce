package keras_test

import (
	"errors"
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/losses"
	"gorgonia.org/tensor"
)

// Fit checks every option before it trains and reports all the problems at once; each is an
// *ArgumentError, of kind ErrInvalidArgument.
func ExampleArgumentError() {
	in := keras.Input(keras.Shape{3})
	model, _ := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Dense(1).Call(in)))
	_ = model.Compile("sgd", "mse")
	x := tensor.New(tensor.WithShape(4, 3), tensor.Of(tensor.Float32))
	y := tensor.New(tensor.WithShape(4, 1), tensor.Of(tensor.Float32))

	_, err := model.Fit(x, y, keras.Epochs(-1), keras.BatchSize(0), keras.ValidationSplit(1.5))
	fmt.Println(err)
	var ae *keras.ArgumentError
	if errors.As(err, &ae) {
		fmt.Println("first:", ae.Call, ae.Arg, errors.Is(err, keras.ErrInvalidArgument))
	}
	// Output:
	// keras: Fit: batch_size: must be positive, got 0
	// keras: Fit: epochs: must not be negative, got -1
	// keras: Fit: validation_split: must be in [0, 1), got 1.5
	// first: Fit batch_size true
}

// The error kinds are shared by every package: an unknown loss is an ErrUnknownName, as an
// unknown metric, optimizer, initializer, activation or layer class is, and still the losses
// package's own ErrUnknownLoss.
func ExampleErrUnknownName() {
	in := keras.Input(keras.Shape{3})
	model, _ := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Dense(1, layers.Name("price")).Call(in)))
	err := model.Compile("sgd", "mean_squared_eror")
	fmt.Println(errors.Is(err, keras.ErrUnknownName), errors.Is(err, losses.ErrUnknownLoss))
	var ae *keras.ArgumentError
	if errors.As(err, &ae) {
		fmt.Println(ae.Call, ae.Arg)
	}
	// Output:
	// true true
	// Compile loss of output "price"
}
