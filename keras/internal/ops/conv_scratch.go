package ops

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// scratch is the memory a convolution op's output lives in, kept from one run of its graph
// to the next. Without it the im2col patches, their adjoint and the pooling gradient, the
// largest intermediates of a convolutional network, are allocated (and later swept by the
// GC) every training step; with it a step allocates them once per graph.
//
// Reuse is safe because a graph runs one batch at a time under its model's lock, and no
// value these ops produce is read after the run that produced it: they are never a model's
// output nor a weight's gradient, only inputs of the next ops of the same run. Each call
// still returns a new tensor header over the memory, because Gorgonia's Reshape and MatMul
// may change an operand's header in place (docs/gorgonia.md).
//
// A nil *scratch allocates every time, which is what an op built without one (in tests)
// does.
type scratch struct {
	f32 []float32
	f64 []float64
}

// dense returns a float tensor of the given dtype and shape over the scratch memory, zeroed
// when zero is set (for ops that accumulate into their output).
func (s *scratch) dense(dt tensor.Dtype, zero bool, shape ...int) *tensor.Dense {
	if s == nil {
		return tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	if dt == tensor.Float32 {
		s.f32 = grow(s.f32, n, zero)
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(s.f32))
	}
	s.f64 = grow(s.f64, n, zero)
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(s.f64))
}

// grow returns buf resized to n elements, reallocated only when too small; zero clears it
// (a fresh allocation is zero already).
func grow[T float32 | float64](buf []T, n int, zero bool) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	buf = buf[:n]
	if zero {
		clear(buf)
	}
	return buf
}

// output returns the tensor a convolution or pooling op writes its result into: prealloc
// when kerago's machine gave one (UsePreallocDo; see prealloc.go), checked against the
// result's dtype and shape and cleared when zero is set, else s.dense.
func (s *scratch) output(prealloc G.Value, dt tensor.Dtype, zero bool, shape ...int) (*tensor.Dense, error) {
	if prealloc == nil {
		return s.dense(dt, zero, append([]int(nil), shape...)...), nil
	}
	d, ok := prealloc.(*tensor.Dense)
	if !ok || d.Dtype() != dt || d.RequiresIterator() || !d.IsNativelyAccessible() || len(d.Shape()) != len(shape) {
		return nil, fmt.Errorf("memory given for a %v result of shape %v is a %T", dt, shape, prealloc)
	}
	for i, n := range d.Shape() {
		if n != shape[i] {
			return nil, fmt.Errorf("memory given for a %v result of shape %v has shape %v", dt, shape, d.Shape())
		}
	}
	if zero {
		switch dt {
		case tensor.Float32:
			clear(d.Float32s())
		default:
			clear(d.Float64s())
		}
	}
	return d, nil
}
