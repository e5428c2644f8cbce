package initializers

import (
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// constant fills with one value. class is "Zeros", "Ones" or "Constant".
type constant struct {
	class string
	value float64
}

// Zeros returns Keras's Zeros initializer: every element 0. Keras's default bias initializer.
func Zeros() Initializer { return constant{class: "Zeros", value: 0} }

// Ones returns Keras's Ones initializer: every element 1.
func Ones() Initializer { return constant{class: "Ones", value: 1} }

// Constant returns Keras's Constant initializer: every element value (converted to the
// tensor's dtype). Keras's default value is 0.
func Constant(value float64) Initializer { return constant{class: "Constant", value: value} }

// Initialize fills t with the constant; rng is not used and may be nil.
func (c constant) Initialize(t *tensor.Dense, _ *rand.Rand) error {
	f32, f64, err := target(c.class, t)
	if err != nil {
		return err
	}
	v := c.value
	fillWith(f32, f64, func() float64 { return v })
	return nil
}

func (c constant) kerasConfig() (string, map[string]any) {
	if c.class == "Constant" {
		return c.class, map[string]any{"value": c.value}
	}
	return c.class, map[string]any{}
}

// identity fills a matrix with gain times the identity.
type identity struct {
	gain float64
	err  error
}

// Identity returns Keras's Identity initializer: gain times the identity matrix (ones on the
// main diagonal, zeros elsewhere; a non-square matrix gets min(rows, cols) ones). Only 2-D
// tensors are accepted. Keras's default gain is 1. A non-finite gain is reported by
// Initialize.
func Identity(gain float64) Initializer {
	var err error
	if math.IsNaN(gain) || math.IsInf(gain, 0) {
		err = newError("Identity", ErrInvalidArgument, "gain must be finite, got %v", gain)
	}
	return identity{gain: gain, err: err}
}

// Initialize fills the 2-D tensor t with gain times the identity; rng is not used.
func (id identity) Initialize(t *tensor.Dense, _ *rand.Rand) error {
	if id.err != nil {
		return id.err
	}
	f32, f64, err := target("Identity", t)
	if err != nil {
		return err
	}
	shape := t.Shape()
	if len(shape) != 2 {
		return newError("Identity", ErrTensor, "needs a 2-D tensor, got shape %v of rank %d", shape, len(shape))
	}
	cols, i := shape[1], 0
	fillWith(f32, f64, func() float64 {
		r, c := i/cols, i%cols
		i++
		if r == c {
			return id.gain
		}
		return 0
	})
	return nil
}

func (id identity) kerasConfig() (string, map[string]any) {
	return "Identity", map[string]any{"gain": id.gain}
}
