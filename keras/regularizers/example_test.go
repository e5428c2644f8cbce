package regularizers_test

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/regularizers"
	"gorgonia.org/tensor"
)

// A Dense layer with kernel_regularizer=L2(0.1) and kernel_constraint=MaxNorm(1), as in
// Keras. The prediction is exact, so the loss is the penalty alone, 0.1·(1² + 1²); after an
// SGD step the constraint has scaled the kernel's column to norm at most 1.
func ExampleL2() {
	in := keras.Input(keras.Shape{2})
	out := layers.Dense(1, layers.KernelInitializer("ones"),
		layers.KernelRegularizer(regularizers.L2{L2: 0.1}),
		layers.KernelConstraint(regularizers.MaxNorm{MaxValue: 1})).Call(in)
	model, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := model.Compile("sgd", "mse"); err != nil {
		fmt.Println(err)
		return
	}
	x := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float32{1, 1}))
	y := tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float32{2}))
	logs, err := model.TrainOnBatch(x, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("loss %.4f\n", logs["loss"])
	k := model.Weights()[0].Data().([]float32)
	fmt.Printf("kernel %.4f %.4f\n", k[0], k[1])
	// Output:
	// loss 0.2000
	// kernel 0.7071 0.7071
}
