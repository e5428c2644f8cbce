package losses_test

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/losses"
	"gorgonia.org/tensor"
)

// A classifier whose last layer has no activation is compiled with a cross-entropy from
// logits, with label smoothing, as in Keras:
// loss=keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1).
func ExampleCategoricalCrossentropy() {
	in := keras.Input(keras.Shape{2})
	logits := layers.Dense(3, layers.KernelInitializer("ones")).Call(in)
	model, err := keras.NewModel(keras.Inputs(in), keras.Outputs(logits))
	if err != nil {
		fmt.Println(err)
		return
	}
	loss := losses.CategoricalCrossentropy{FromLogits: true, LabelSmoothing: 0.1}
	if err := model.Compile("adam", loss); err != nil {
		fmt.Println(err)
		return
	}
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 2, 300, -1}))
	y := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 0, 0, 0, 0, 1}))
	logs, err := model.Evaluate(x, y, keras.Verbose(0))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Every logit of a row is equal, so each row's loss is log 3 whatever its scale.
	fmt.Printf("loss %.4f\n", logs["loss"])
	// Output: loss 1.0986
}

// A regression compiled with Keras's Huber loss with delta 2:
// loss=keras.losses.Huber(delta=2.0). An error of 3 lies beyond delta and counts linearly,
// 2·3 - ½·2² = 4; an error of 0.5 counts quadratically, ½·0.5² = 0.125.
func ExampleHuber() {
	in := keras.Input(keras.Shape{2})
	out := layers.Dense(1, layers.KernelInitializer("ones")).Call(in)
	model, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := model.Compile("sgd", losses.Huber{Delta: 2}); err != nil {
		fmt.Println(err)
		return
	}
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 2, 0, 0.5}))
	y := tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float32{0, 0}))
	logs, err := model.Evaluate(x, y, keras.Verbose(0))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("loss %.4f\n", logs["loss"])
	// Output: loss 2.0625
}
