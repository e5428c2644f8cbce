package keras

import (
	"fmt"

	"github.com/kerago/kerago/keras/initializers"
	"gorgonia.org/tensor"
)

// Variable is one weight of a layer: a *tensor.Dense that every realisation of the model binds
// as the value of its weight node, so an optimizer step updates them all.
type Variable struct {
	Name      string        // the weight's name in its layer: "kernel", "bias", "moving_mean"
	Path      string        // layer/name, as Keras 3's variable.path: "dense/kernel"
	Value     *tensor.Dense // the numbers, updated in place
	Trainable bool          // false for statistics such as BatchNormalization's moving mean

	// Regularizer, when set, adds its penalty of the weight to the loss (regularization.go).
	Regularizer Regularizer
	// Constraint, when set, is applied to the weight after each optimizer step
	// (regularization.go).
	Constraint Constraint
}

// Shape returns the variable's shape.
func (v *Variable) Shape() Shape {
	s := v.Value.Shape()
	out := make(Shape, len(s))
	copy(out, s)
	return out
}

// newVariable allocates and initialises a weight.
func newVariable(layer, name string, shape Shape, dtype string, init initializers.Initializer, trainable bool) (*Variable, error) {
	if !shape.Known() {
		return nil, ShapeError("weight %q needs a known shape, got %v", name, shape)
	}
	dt, err := floatDType(dtype)
	if err != nil {
		return nil, err
	}
	if init == nil {
		return nil, fmt.Errorf("weight %q: %w: nil initializer", name, ErrInvalidArgument)
	}
	ts := tensor.Shape(append([]int(nil), shape...))
	if len(ts) == 0 {
		ts = tensor.ScalarShape()
	}
	t := tensor.New(tensor.WithShape(ts...), tensor.Of(dt))
	if err := init.Initialize(t, newRand()); err != nil {
		return nil, fmt.Errorf("weight %q: %w", name, err)
	}
	return &Variable{Name: name, Path: layer + "/" + name, Value: t, Trainable: trainable}, nil
}

// floatDType maps a Keras float dtype name to Gorgonia's.
func floatDType(name string) (tensor.Dtype, error) {
	switch name {
	case "float32", "":
		return tensor.Float32, nil
	case "float64":
		return tensor.Float64, nil
	}
	return tensor.Dtype{}, fmt.Errorf("%w: %q (weights are float32 or float64)", ErrDType, name)
}
