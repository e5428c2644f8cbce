package ops

import (
	"fmt"
	"unsafe"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The ops of this package implement gorgonia.UsePreallocDoer where they compute a new
// tensor: kerago's execution machine (keras/internal/exec) hands each op the value of its
// node from the last run, allocated once, and the op writes its result there instead of
// allocating. The contract the machine relies on: UsePreallocDo overwrites every element of
// the memory it is given (which holds the last run's numbers, not zeros) and returns it, or
// returns an error and leaves the run to Do.

// output returns the tensor an op writes its result of dtype dt and shape s into: prealloc
// when the machine gave one (UsePreallocDo), after checking it holds exactly such a result,
// else a new tensor (Do, prealloc nil).
func output[O fmt.Stringer](op O, prealloc G.Value, dt tensor.Dtype, s tensor.Shape) (*tensor.Dense, error) {
	if prealloc == nil {
		return tensor.New(tensor.WithShape(s.Clone()...), tensor.Of(dt)), nil
	}
	d, ok := prealloc.(*tensor.Dense)
	if !ok || d.Dtype() != dt || !d.Shape().Eq(s) || d.RequiresIterator() || !d.IsNativelyAccessible() {
		// A copy of s in the message: s itself then stays off the heap, so that callers may
		// build it on their stack every run.
		return nil, fmt.Errorf("%v: memory given for the result is a %T, want a contiguous %v %v tensor", op, prealloc, dt, s.Clone())
	}
	return d, nil
}

// outputSized is output for ops whose result's shape the machine took from the node
// (InferShape): it checks the element count only, which needs no shape built.
func outputSized[O fmt.Stringer](op O, prealloc G.Value, dt tensor.Dtype, n int) (*tensor.Dense, error) {
	d, ok := prealloc.(*tensor.Dense)
	if !ok || d.Dtype() != dt || d.Shape().TotalSize() != n || d.RequiresIterator() || !d.IsNativelyAccessible() {
		return nil, fmt.Errorf("%v: memory given for the result is a %T, want a contiguous %v tensor of %d elements", op, prealloc, dt, n)
	}
	return d, nil
}

// scratchSlice returns n elements of s's memory of element type T, with no tensor header:
// for intermediates an op reads only itself.
func scratchSlice[T float](s *scratch, n int) []T {
	var z T
	if _, ok := any(z).(float32); ok {
		s.f32 = grow(s.f32, n, false)
		return *(*[]T)(unsafe.Pointer(&s.f32))
	}
	s.f64 = grow(s.f64, n, false)
	return *(*[]T)(unsafe.Pointer(&s.f64))
}
