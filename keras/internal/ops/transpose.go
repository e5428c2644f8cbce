package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// transposeOp permutes the axes of its input into a tensor of its own: axis i of the result
// is axis perm[i] of the input. Gorgonia's Transpose copies too, but declares that it may
// overwrite its input's register (OverwritesInput 0) and runs through the tensor package's
// iterator; this op reads its input only and writes a new tensor, so the register reuse that
// made Gorgonia's Reshape unsafe (docs/gorgonia.md) cannot reach it. Its gradient is the
// same op with the inverse permutation. It carries channels_first layers to and from the
// channels_last layout their kernels compute in.
type transposeOp struct {
	Base
	perm []int
	from tensor.Shape
}

var _ G.SDOp = transposeOp{}

// Type maps a tensor to one of the same rank.
func (op transposeOp) Type() hm.Type {
	t := G.TensorType{Dims: len(op.perm), Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t)
}

// DiffWRT: the transpose is differentiable with respect to its one input.
func (transposeOp) DiffWRT(int) []bool { return []bool{true} }

// InferShape permutes the input's shape.
func (op transposeOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return permuted(op.from, op.perm), nil
}

// permuted returns s with its axes permuted: axis i of the result is axis perm[i] of s.
func permuted(s tensor.Shape, perm []int) tensor.Shape {
	out := make(tensor.Shape, len(perm))
	for i, p := range perm {
		out[i] = s[p]
	}
	return out
}

// Do copies the input's values into a new tensor of the permuted shape.
func (op transposeOp) Do(in ...G.Value) (G.Value, error) { return op.do(nil, in) }

// UsePreallocDo writes the permuted values into prealloc; every element is written.
func (op transposeOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return op.do(prealloc, in)
}

func (op transposeOp) do(prealloc G.Value, in []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	x, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	if !x.Shape().Eq(op.from) {
		return nil, fmt.Errorf("%v: input of shape %v, want %v", op, x.Shape(), op.from)
	}
	out, err := output(op, prealloc, x.Dtype(), permuted(op.from, op.perm))
	if err != nil {
		return nil, err
	}
	switch x.Dtype() {
	case tensor.Float32:
		permute(data[float32](out), data[float32](x), op.from, op.perm)
	default:
		permute(data[float64](out), data[float64](x), op.from, op.perm)
	}
	return out, nil
}

// permute writes src (row-major, of shape from) into dst with its axes permuted by perm,
// walking dst in order and src by the strides of the axes it reads.
func permute[T float](dst, src []T, from tensor.Shape, perm []int) {
	n := len(perm)
	if len(dst) == 0 {
		return
	}
	srcStride := make([]int, n)
	s := 1
	for i := n - 1; i >= 0; i-- {
		srcStride[i] = s
		s *= from[i]
	}
	shape := permuted(from, perm)
	stride := make([]int, n) // the source stride of each destination axis
	for i, p := range perm {
		stride[i] = srcStride[p]
	}
	idx := make([]int, n)
	off := 0
	inner := shape[n-1]
	innerStride := stride[n-1]
	for d := 0; d < len(dst); d += inner {
		o := off
		for j := 0; j < inner; j++ {
			dst[d+j] = src[o]
			o += innerStride
		}
		// advance the outer axes like an odometer
		for a := n - 2; a >= 0; a-- {
			idx[a]++
			off += stride[a]
			if idx[a] < shape[a] {
				break
			}
			off -= stride[a] * shape[a]
			idx[a] = 0
		}
	}
}

// SymDiff transposes the gradient back with the inverse permutation.
func (op transposeOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	inv := make([]int, len(op.perm))
	for i, p := range op.perm {
		inv[p] = i
	}
	dx, err := Transpose(grad, inv...)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

// Transpose returns x with its axes permuted, as a new tensor: axis i of the result is axis
// perm[i] of x. perm must be a permutation of 0 … rank−1 of a float tensor; see transposeOp
// for why Gorgonia's Transpose is not used.
func Transpose(x *G.Node, perm ...int) (*G.Node, error) {
	from := x.Shape().Clone()
	if len(perm) != len(from) || len(perm) == 0 {
		return nil, fmt.Errorf("transpose: axes %v are not a permutation of the axes of shape %v", perm, from)
	}
	seen := make([]bool, len(perm))
	for _, p := range perm {
		if p < 0 || p >= len(perm) || seen[p] {
			return nil, fmt.Errorf("transpose: axes %v are not a permutation of the axes of shape %v", perm, from)
		}
		seen[p] = true
	}
	if x.Dtype() != tensor.Float32 && x.Dtype() != tensor.Float64 {
		return nil, fmt.Errorf("transpose: a %v tensor, want float32 or float64", x.Dtype())
	}
	identity := true
	for i, p := range perm {
		identity = identity && i == p
	}
	if identity {
		return x, nil
	}
	op := transposeOp{Base: Base{Name: "transpose", Params: fmt.Sprintf("from=%v,perm=%v", []int(from), perm), Inputs: 1},
		perm: append([]int(nil), perm...), from: from}
	return G.ApplyOp(op, x)
}
