package layers

import (
	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
)

// checkOneInput checks that a layer got exactly one input of at least minRank dimensions
// (batch included).
func checkOneInput(in []keras.Shape, minRank int) error {
	if len(in) != 1 {
		return keras.ShapeError("expects 1 input, got %d", len(in))
	}
	if in[0].Rank() < minRank {
		return keras.ShapeError("expects an input of rank at least %d (batch included), got shape %v", minRank, in[0])
	}
	return nil
}

// initializerConfig is how Keras 3 writes an initializer in a layer config.
func initializerConfig(name string) any {
	init, err := initializers.Get(name)
	if err != nil {
		return name
	}
	return initializers.Serialize(init)
}
