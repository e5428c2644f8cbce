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
