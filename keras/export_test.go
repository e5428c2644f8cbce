package keras

import "github.com/kerago/kerago/keras/optimizers"

// SGDForTest returns plain SGD with the given learning rate (0 freezes the weights).
func SGDForTest(lr float64) optimizers.Optimizer {
	return optimizers.SGD(optimizers.LearningRate(lr))
}
