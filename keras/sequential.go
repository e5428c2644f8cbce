package keras

import (
	"fmt"
)

// InputShape declares the input of a Sequential model: put it first in NewSequential.
func InputShape(shape Shape, opts ...InputOption) Layer {
	t := Input(shape, opts...)
	if t.err != nil {
		l := &InputLayer{}
		l.Init("InputLayer", "")
		l.err = t.err
		return l
	}
	return t.node.layer
}

// NewSequential stacks layers into a model, each called on the output of the one before, as
// Keras's Sequential does. The first layer must be an input: InputShape(...) or the Layer()
// of a tensor from Input. The model is named "sequential" (then "sequential_1", ...); to name
// it as Keras's Sequential(name=...) does, call SetName on the result before using it (an
// input is named with InputShape(shape, Name("...")), a layer with layers.Name).
func NewSequential(layers ...Layer) (m *Model, err error) {
	defer recoverErr("NewSequential", &err)
	if len(layers) == 0 {
		return nil, fmt.Errorf("keras: NewSequential: %w: no layers", ErrGraph)
	}
	in, ok := layers[0].(*InputLayer)
	if !ok {
		return nil, fmt.Errorf("keras: NewSequential: %w: the first layer must be keras.InputShape(...), got %s (%s)", ErrGraph, layers[0].Name(), layers[0].ClassName())
	}
	if in.err != nil {
		return nil, in.err
	}
	x := in.nodes[0].outputs[0]
	for _, l := range layers[1:] {
		if l == nil {
			return nil, fmt.Errorf("keras: NewSequential: %w: nil layer", ErrGraph)
		}
		x = CallOne(l, x)
		if x.err != nil {
			return nil, x.err
		}
	}
	m, err = NewModel(Inputs(in.nodes[0].outputs[0]), Outputs(x), ModelName(UniqueName("sequential")))
	if err != nil {
		return nil, err
	}
	m.sequential = true
	return m, nil
}
