package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// lastAxisOp either reduces the last axis to size 1 (a scaled sum: the mean with scale 1/n)
// or copies a last axis of size 1 n times (scaled). The two are each other's gradient.
//
// The kit used to build both as products with constant matrices of ones, (…, n)×(n, 1) and
// (…, 1)×(1, n), through Gorgonia's MatMul. Gorgonia names an unnamed constant by printing it,
// eliding the middle of longer tensors, and merges constants of one name, so in ConvNeXtTiny
// the 192-wide block's ones became the 96-wide block's and Predict failed ("(16, 1) × (1, 96)
// … Expected (16, 96). Got 3072"). The kit's constants are now named by shape and value
// (keras/ops filled); this op needs no constant at all, no reshape of a rank ≥ 3 input to
// rows and back, and returns a new tensor from Do.
type lastAxisOp struct {
	Base
	reduce bool
	n      int
	scale  float64
	from   tensor.Shape
}

var _ G.SDOp = lastAxisOp{}

// Type keeps the rank.
func (op lastAxisOp) Type() hm.Type {
	t := rankType(len(op.from))
	return hm.NewFnType(t, t)
}

// DiffWRT: differentiable with respect to its one input.
func (lastAxisOp) DiffWRT(int) []bool { return []bool{true} }

// InferShape replaces the last axis with 1 (reduce) or n (broadcast).
func (op lastAxisOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	s := op.from.Clone()
	if op.reduce {
		s[len(s)-1] = 1
	} else {
		s[len(s)-1] = op.n
	}
	return s, nil
}

// Do computes the scaled row sums or the scaled copies into a new tensor.
func (op lastAxisOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	x, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	if !x.Shape().Eq(op.from) {
		return nil, fmt.Errorf("%v: input of shape %v, want %v", op, x.Shape(), op.from)
	}
	s, _ := op.InferShape()
	out := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(s...))
	if x.Dtype() == tensor.Float32 {
		lastAxis(op, data[float32](x), data[float32](out))
	} else {
		lastAxis(op, data[float64](x), data[float64](out))
	}
	return out, nil
}

// lastAxis fills y from x; sums run in float64 so that a float32 mean of a long row keeps its
// digits.
func lastAxis[T float](op lastAxisOp, x, y []T) {
	if op.reduce {
		for r := range y {
			var s float64
			for _, v := range x[r*op.n : (r+1)*op.n] {
				s += float64(v)
			}
			y[r] = T(s * op.scale)
		}
		return
	}
	for r, v := range x {
		c := T(float64(v) * op.scale)
		row := y[r*op.n : (r+1)*op.n]
		for j := range row {
			row[j] = c
		}
	}
}

// SymDiff: the gradient of a scaled reduction is the scaled broadcast of the gradient, and
// the other way round.
func (op lastAxisOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	var dx *G.Node
	var err error
	if op.reduce {
		dx, err = BroadcastLast(grad, op.n, op.scale)
	} else {
		dx, err = SumLast(grad, op.scale)
	}
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

// SumLast returns scale·Σ x along the last axis, kept as an axis of size 1: (…, n) to (…, 1).
// With scale 1/n it is the mean.
func SumLast(x *G.Node, scale float64) (*G.Node, error) {
	s := x.Shape()
	if x.Dims() < 1 || s[len(s)-1] < 1 || (x.Dtype() != tensor.Float32 && x.Dtype() != tensor.Float64) {
		return nil, fmt.Errorf("sum_last: want a float tensor with a last axis, got %v of shape %v", x.Dtype(), s)
	}
	n := s[len(s)-1]
	op := lastAxisOp{Base: Base{Name: "sum_last", Params: fmt.Sprintf("from=%v,scale=%v", []int(s), scale), Inputs: 1}, reduce: true, n: n, scale: scale, from: s.Clone()}
	return G.ApplyOp(op, x)
}

// BroadcastLast returns x's last axis, of size 1, copied n times and scaled: (…, 1) to (…, n).
func BroadcastLast(x *G.Node, n int, scale float64) (*G.Node, error) {
	s := x.Shape()
	if x.Dims() < 1 || s[len(s)-1] != 1 || n < 1 || (x.Dtype() != tensor.Float32 && x.Dtype() != tensor.Float64) {
		return nil, fmt.Errorf("broadcast_last: cannot broadcast %v of shape %v to %d along its last axis", x.Dtype(), s, n)
	}
	op := lastAxisOp{Base: Base{Name: "broadcast_last", Params: fmt.Sprintf("from=%v,n=%d,scale=%v", []int(s), n, scale), Inputs: 1}, n: n, scale: scale, from: s.Clone()}
	return G.ApplyOp(op, x)
}
