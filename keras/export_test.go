package keras

import (
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// SGDForTest returns plain SGD with the given learning rate (0 freezes the weights).
func SGDForTest(lr float64) optimizers.Optimizer {
	return optimizers.SGD(optimizers.LearningRate(lr))
}

// OneHotForTest returns rows rows cycling through the given classes, one-hot encoded over
// len(classes) columns.
func OneHotForTest(classes []int, rows int) *tensor.Dense {
	k := len(classes)
	v := make([]float32, rows*k)
	for i := 0; i < rows; i++ {
		v[i*k+classes[i%k]] = 1
	}
	return tensor.New(tensor.WithShape(rows, k), tensor.WithBacking(v))
}
