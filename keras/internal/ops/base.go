package ops

import (
	"fmt"
	"hash"
	"hash/fnv"
	"runtime/debug"
	"unsafe"

	"github.com/chewxy/hm"
	"github.com/kerago/kerago/keras/internal/errs"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Base supplies the gorgonia.Op methods that depend only on what an op is: its name, the
// parameters that change its result, and its number of inputs. An op embeds Base and adds
// Type, InferShape and Do (and DiffWRT and SymDiff when it is differentiable).
//
// Ops built on Base call nothing outside Go (CallsExtern false), never overwrite an input
// (OverwritesInput -1) and return new tensors (ReturnsPtr false) unless SharesInput is set.
type Base struct {
	// Name identifies the kind of op: "softmax", "log_softmax" ... It must differ between
	// kinds whose parameters may coincide, since Gorgonia merges nodes by hash.
	Name string
	// Params lists every parameter that changes the result, e.g. "axis=-1".
	Params string
	// Inputs is the op's arity.
	Inputs int
	// SharesInput marks an op whose output is a view of its input's memory (ReturnsPtr
	// true), such as the recurrent gradient's per-input parts. Such an op must return only a
	// view (never a copy): kerago's machine (keras/internal/exec) reuses the view of the last
	// run while the input is the same tensor over the same memory, without calling Do.
	SharesInput bool
}

// Arity returns the number of inputs.
func (b Base) Arity() int { return b.Inputs }

// ReturnsPtr is SharesInput: false when Do returns a new tensor.
func (b Base) ReturnsPtr() bool { return b.SharesInput }

// CallsExtern is false: ops run in Go.
func (b Base) CallsExtern() bool { return false }

// OverwritesInput is -1: no input is overwritten.
func (b Base) OverwritesInput() int { return -1 }

// WriteHash writes the name and the parameters.
func (b Base) WriteHash(h hash.Hash) { fmt.Fprintf(h, "kerago.%s{%s}", b.Name, b.Params) }

// Hashcode is the FNV-1a hash of WriteHash's bytes.
func (b Base) Hashcode() uint32 {
	h := fnv.New32a()
	b.WriteHash(h)
	return h.Sum32()
}

// String returns the name with the parameters, as Gorgonia prints the op in graphs and
// errors.
func (b Base) String() string { return fmt.Sprintf("%s{%s}", b.Name, b.Params) }

// float is the element types the ops compute on.
type float interface{ float32 | float64 }

// tensorType is the Gorgonia type of a dims-dimensional tensor of element type a; a
// 0-dimensional one is a scalar of type a.
func tensorType(dims int, a hm.Type) hm.Type {
	if dims == 0 {
		return a
	}
	return G.TensorType{Dims: dims, Of: a}
}

// recoverDo turns a panic inside an op's Do into the op's error, wrapping keras.ErrInternal.
// Gorgonia's TapeMachine runs the tape in a goroutine of its own (RunAll), where no recover
// of the caller reaches: a panic there would end the program, not return from Fit.
// It is generic so that deferring it does not box a value-typed op into an interface on
// every run (an allocation per op per step); the op is only formatted after a panic.
func recoverDo[O fmt.Stringer](op O, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%v: %w: %v\n%s", op, errs.Internal, r, debug.Stack())
	}
}

// dense returns a value of op as a contiguous float32 or float64 *tensor.Dense, copying a
// strided view; every op of the package reads its inputs through it. A contiguous view (rows
// sliced off a batch) is not copied: its Data starts at the view's first element, and data
// trims it to the view's size. Like recoverDo it is generic, so that passing a value-typed op
// allocates nothing.
func dense[O fmt.Stringer](op O, v G.Value) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("%v: input is a %T, want a tensor", op, v)
	}
	if d.RequiresIterator() {
		m, ok := d.Materialize().(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("%v: cannot copy a strided %v view", op, d.Shape())
		}
		d = m
	}
	if dt := d.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("%v: %v values are not supported (float32, float64)", op, dt)
	}
	return d, nil
}

// data returns the elements of a contiguous tensor of element type T.
func data[T float](d *tensor.Dense) []T {
	e, ok := elems[T](d)
	if !ok {
		panic(fmt.Sprintf("ops: a %v tensor read as %T", d.Dtype(), *new(T)))
	}
	return e[:d.Shape().TotalSize()]
}

// elems returns the backing slice of d if it holds T. Dense.Data builds its result through
// reflect and allocates on every call, dozens of times per training step; Float32s and
// Float64s do not.
func elems[T float](d *tensor.Dense) ([]T, bool) {
	var z T
	switch any(z).(type) {
	case float32:
		if d.Dtype() != tensor.Float32 {
			return nil, false
		}
		s := d.Float32s()
		return *(*[]T)(unsafe.Pointer(&s)), true
	case float64:
		if d.Dtype() != tensor.Float64 {
			return nil, false
		}
		s := d.Float64s()
		return *(*[]T)(unsafe.Pointer(&s)), true
	}
	return nil, false
}

// rows returns the number of rows and the row length of a shape whose last axis is the row.
func rows(s tensor.Shape) (n, c int) {
	if len(s) == 0 {
		return 1, 1
	}
	c = s[len(s)-1]
	if c == 0 {
		return 0, 0
	}
	return s.TotalSize() / c, c
}
