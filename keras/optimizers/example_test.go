package optimizers_test

import (
	"fmt"

	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// One SGD step moves each weight against its gradient by learning_rate * gradient.
func ExampleSGD() {
	opt := optimizers.SGD(optimizers.LearningRate(0.1))
	w := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{1, 2, 3}))
	g := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{1, -1, 0.5}))
	if err := opt.Apply([]*tensor.Dense{w}, []*tensor.Dense{g}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(w.Data())
	// Output: [0.9 2.1 2.95]
}

// Adam's first step moves every weight by about learning_rate, whatever the gradient's size.
func ExampleAdam() {
	opt := optimizers.Adam(optimizers.LearningRate(0.5))
	w := tensor.New(tensor.WithShape(4), tensor.WithBacking([]float64{1, 2, 3, 4}))
	g := tensor.New(tensor.WithShape(4), tensor.WithBacking([]float64{1, 6, 7, 2}))
	if err := opt.Apply([]*tensor.Dense{w}, []*tensor.Dense{g}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4f\n", w.Data())
	fmt.Println("iterations:", opt.Iterations())
	// Output:
	// [0.5000 1.5000 2.5000 3.5000]
	// iterations: 1
}

// Get resolves the string identifiers that Compile accepts.
func ExampleGet() {
	opt, err := optimizers.Get("rmsprop")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(opt.Name(), opt.LearningRate(), opt.Config()["rho"])

	_, err = optimizers.Get("adafactor")
	fmt.Println(err)
	// Output:
	// rmsprop 0.001 0.9
	// optimizers: Get: unknown optimizer "adafactor"; known optimizers: adadelta, adagrad, adam, adamax, adamw, ftrl, lion, nadam, rmsprop, sgd
}

// A bad option value does not panic: the optimizer keeps the error, and Apply returns it.
func ExampleAdam_invalidOption() {
	opt := optimizers.Adam(optimizers.Beta1(1.5))
	fmt.Println(opt.(*optimizers.AdamOptimizer).Err())
	// Output: optimizers: adam: option: beta_1 must be in [0, 1), got 1.5
}

// Variables and SetVariables save and restore the optimizer state; the restored optimizer
// continues exactly as the original would.
func ExampleOptimizer_variables() {
	w := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 1}))
	g := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0.5, -0.5}))
	params, grads := []*tensor.Dense{w}, []*tensor.Dense{g}

	opt := optimizers.SGD(optimizers.LearningRate(0.1), optimizers.Momentum(0.9))
	_ = opt.Apply(params, grads)
	saved := opt.Variables() // iteration, learning_rate, then one momentum per parameter

	restored := optimizers.SGD(optimizers.LearningRate(0.1), optimizers.Momentum(0.9))
	if err := restored.SetVariables(saved); err != nil {
		fmt.Println(err)
		return
	}
	_ = restored.Apply(params, grads)
	fmt.Println(len(saved), restored.Iterations())
	fmt.Printf("%.3f\n", w.Data())
	// Output:
	// 3 2
	// [0.855 1.145]
}

// FromConfig rebuilds an optimizer from the config that Keras stores in a saved model.
func ExampleFromConfig() {
	cfg := map[string]any{"name": "adam", "learning_rate": 0.01, "beta_1": 0.8, "amsgrad": false}
	opt, err := optimizers.FromConfig("Adam", cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(opt.Name(), opt.LearningRate(), opt.Config()["beta_1"], opt.Config()["beta_2"])
	// Output: adam 0.01 0.8 0.999
}
