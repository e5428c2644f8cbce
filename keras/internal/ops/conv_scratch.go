package ops

import (
	"unsafe"

	"gorgonia.org/tensor"
)

// scratch is the memory a convolution op's output lives in, kept from one run of its graph
// to the next. Without it the im2col patches, their adjoint and the pooling gradient, the
// largest intermediates of a convolutional network, are allocated (and later swept by the
// GC) every training step; with it a step allocates them once per graph.
//
// Reuse is safe because a graph runs one batch at a time under its model's lock, and no
// value these ops produce is read after the run that produced it: they are never a model's
// output nor a weight's gradient, only inputs of the next ops of the same run.
//
// The tensor header over the memory is kept too (hdr), and handed out again only while it
// still describes exactly that memory as a plain row-major tensor of the shape asked for:
// Gorgonia's Reshape and MatMul may change an operand's header in place (docs/gorgonia.md),
// and a header something left transposed, sliced or reshaped is replaced by a new one. A
// header made anew every call was 5 allocations (the header, its shape and strides) per op
// per step.
//
// A nil *scratch allocates every time, which is what an op built without one (in tests)
// does.
//
// The scratch also keeps the split state of the op's kernel (sp, parallel.go), so that its
// parts reach the helper goroutines without an allocation.
type scratch struct {
	f32 []float32
	f64 []float64
	hdr *tensor.Dense
	sp  split
}

// splitter returns the split state kept with s; nil for a nil s (jobOf then makes a fresh
// one).
func (s *scratch) splitter() *split {
	if s == nil {
		return nil
	}
	return &s.sp
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
		if !s.kept(dt, unsafe.Pointer(unsafe.SliceData(s.f32)), n, shape) {
			s.hdr = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(s.f32))
		}
		return s.hdr
	}
	s.f64 = grow(s.f64, n, zero)
	if !s.kept(dt, unsafe.Pointer(unsafe.SliceData(s.f64)), n, shape) {
		s.hdr = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(s.f64))
	}
	return s.hdr
}

// kept reports whether the last header is still a plain row-major tensor of dtype dt and the
// given shape over exactly the n elements at p.
func (s *scratch) kept(dt tensor.Dtype, p unsafe.Pointer, n int, shape []int) bool {
	h := s.hdr
	return h != nil && h.Dtype() == dt && h.Uintptr() == uintptr(p) && h.DataSize() == n &&
		h.Shape().Eq(tensor.Shape(shape)) && !h.RequiresIterator() && !h.IsMaterializable() &&
		h.DataOrder().IsRowMajor()
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

// scratchKept returns the first n elements of the scratch's memory of element type T as the last
// run left them, and false when it holds fewer.
func scratchKept[T float](s *scratch, n int) ([]T, bool) {
	var z T
	var e any
	switch any(z).(type) {
	case float32:
		if len(s.f32) < n {
			return nil, false
		}
		e = s.f32[:n]
	default:
		if len(s.f64) < n {
			return nil, false
		}
		e = s.f64[:n]
	}
	return e.([]T), true
}
