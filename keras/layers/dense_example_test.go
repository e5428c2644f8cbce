package layers_test

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// Dense computes activation(x·kernel + bias) along the last axis. Here the weights are set by
// hand, so the output can be checked on paper: [1 2]·[[1 -1] [1 1]] + [0.5 0] = [3.5 1].
func ExampleDense() {
	in := keras.Input(keras.Shape{2})
	dense := layers.Dense(2, layers.Name("hidden"))
	model, err := keras.NewModel(keras.Inputs(in), keras.Outputs(dense.Call(in)))
	if err != nil {
		fmt.Println(err)
		return
	}
	kernel := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, -1, 1, 1}))
	bias := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{0.5, 0}))
	if err := model.SetWeights([]*tensor.Dense{kernel, bias}); err != nil {
		fmt.Println(err)
		return
	}
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 2, -3, 1}))
	y, err := model.Predict(x, keras.Verbose(0))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(y[0].Data())
	for _, v := range dense.Variables() {
		fmt.Println(v.Path, v.Shape())
	}
	// Output:
	// [3.5 1 -1.5 4]
	// hidden/kernel (2, 2)
	// hidden/bias (2,)
}
