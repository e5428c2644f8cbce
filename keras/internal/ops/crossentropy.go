package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SoftmaxCrossEntropy returns, per row of the last axis, the cross-entropy of the targets y
// against softmax(logits): -Σ y · log softmax(logits), with log softmax taken row by row
// through the row's log-sum-exp. The result has the logits' shape without its last axis.
// Its gradient with respect to the logits is (softmax(logits) Σy - y) times the incoming
// gradient, computed directly rather than through log-softmax; the targets get no gradient.
//
// logits and y must have one shape, of rank ≥ 2 (a batch axis and a class axis at least),
// and one float dtype.
func SoftmaxCrossEntropy(logits, y *G.Node) (*G.Node, error) {
	op := newCrossEntropyOp(logits.Dims())
	if logits.Dims() < 2 {
		return nil, fmt.Errorf("%v: logits %v have shape %v, want (batch, ..., classes)", op, logits.Name(), logits.Shape())
	}
	if err := checkTargets(op, "logits", logits, y); err != nil {
		return nil, err
	}
	n, err := G.ApplyOp(op, logits, y)
	if err != nil {
		return nil, fmt.Errorf("%v of %v: %w", op, logits.Name(), err)
	}
	return n, nil
}

// crossEntropyOp is SoftmaxCrossEntropy over dims-dimensional logits and targets.
type crossEntropyOp struct {
	Base
	dims int
}

var _ G.SDOp = crossEntropyOp{}

func newCrossEntropyOp(dims int) crossEntropyOp {
	return crossEntropyOp{Base: Base{Name: "softmax_cross_entropy", Params: fmt.Sprintf("axis=-1,dims=%d", dims), Inputs: 2}, dims: dims}
}

// Type returns logits → targets → per-row loss.
func (op crossEntropyOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := tensorType(op.dims, a)
	return hm.NewFnType(t, t, tensorType(op.dims-1, a))
}

// InferShape returns the logits' shape without the last axis.
func (op crossEntropyOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%v takes 2 inputs, got %d", op, len(in))
	}
	z, ok1 := in[0].(tensor.Shape)
	y, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 || len(z) < 2 || !z.Eq(y) {
		return nil, fmt.Errorf("%v: logits shape %v and targets shape %v: want one shape of rank ≥ 2", op, in[0], in[1])
	}
	return z[:len(z)-1].Clone(), nil
}

// Do computes the loss of every row.
func (op crossEntropyOp) Do(vals ...G.Value) (G.Value, error) { return op.do(nil, vals) }

// UsePreallocDo computes the loss of every row into prealloc.
func (op crossEntropyOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (G.Value, error) {
	return op.do(prealloc, vals)
}

func (op crossEntropyOp) do(prealloc G.Value, vals []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	z, y, err := logitsAndTargets(op, vals)
	if err != nil {
		return nil, err
	}
	s := z.Shape()
	out, err := output(op, prealloc, z.Dtype(), s[:len(s)-1])
	if err != nil {
		return nil, err
	}
	if z.Dtype() == tensor.Float32 {
		crossEntropyDo(data[float32](z), data[float32](y), data[float32](out), s)
	} else {
		crossEntropyDo(data[float64](z), data[float64](y), data[float64](out), s)
	}
	return out, nil
}

// logitsAndTargets reads and checks the first two inputs of the op and its backward op.
func logitsAndTargets[O fmt.Stringer](op O, vals []G.Value) (z, y *tensor.Dense, err error) {
	if len(vals) < 2 {
		return nil, nil, fmt.Errorf("%v takes logits and targets, got %d inputs", op, len(vals))
	}
	if z, err = dense(op, vals[0]); err != nil {
		return nil, nil, err
	}
	if y, err = dense(op, vals[1]); err != nil {
		return nil, nil, err
	}
	if s := z.Shape(); len(s) < 2 || !s.Eq(y.Shape()) || z.Dtype() != y.Dtype() {
		return nil, nil, fmt.Errorf("%v: logits %v %v and targets %v %v: want one shape of rank ≥ 2 and one dtype", op, s, z.Dtype(), y.Shape(), y.Dtype())
	}
	return z, y, nil
}

func crossEntropyDo[T float](z, y, out []T, s tensor.Shape) {
	n, c := rows(s)
	for r := range n {
		out[r] = crossEntropyRow(z[r*c:(r+1)*c], y[r*c:(r+1)*c])
	}
}

// DiffWRT: differentiable with respect to the logits, not the targets.
func (op crossEntropyOp) DiffWRT(int) []bool { return []bool{true, false} }

// SymDiff adds the backward op on the logits, the targets and the loss's gradient.
func (op crossEntropyOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 2 {
		return nil, fmt.Errorf("%v takes 2 inputs, got %d", op, len(inputs))
	}
	g := crossEntropyGradOp{Base: Base{Name: op.Name + "_grad", Params: op.Params, Inputs: 3}, dims: op.dims}
	dz, err := G.ApplyOp(g, inputs[0], inputs[1], grad)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", g, err)
	}
	return G.Nodes{dz, nil}, nil
}

// crossEntropyGradOp is the backward op of crossEntropyOp. Inputs: logits, targets and the
// gradient of the per-row loss. Output: the gradient with respect to the logits.
type crossEntropyGradOp struct {
	Base
	dims int
}

// Type returns logits → targets → dLoss → dLogits.
func (op crossEntropyGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := tensorType(op.dims, a)
	return hm.NewFnType(t, t, tensorType(op.dims-1, a), t)
}

// InferShape returns the logits' shape.
func (op crossEntropyGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("%v takes 3 inputs, got %d", op, len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%v: logits shape is a %T", op, in[0])
	}
	return s.Clone(), nil
}

// Do computes the logits' gradient row by row.
func (op crossEntropyGradOp) Do(vals ...G.Value) (G.Value, error) { return op.do(nil, vals) }

// UsePreallocDo computes the logits' gradient into prealloc.
func (op crossEntropyGradOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (G.Value, error) {
	return op.do(prealloc, vals)
}

func (op crossEntropyGradOp) do(prealloc G.Value, vals []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(vals) != 3 {
		return nil, fmt.Errorf("%v takes 3 inputs, got %d", op, len(vals))
	}
	z, y, err := logitsAndTargets(op, vals)
	if err != nil {
		return nil, err
	}
	g, err := dense(op, vals[2])
	if err != nil {
		return nil, err
	}
	s := z.Shape()
	if g.Shape().TotalSize() != s[:len(s)-1].TotalSize() || g.Dtype() != z.Dtype() {
		return nil, fmt.Errorf("%v: loss gradient %v %v for logits %v %v", op, g.Shape(), g.Dtype(), s, z.Dtype())
	}
	dz, err := output(op, prealloc, z.Dtype(), s)
	if err != nil {
		return nil, err
	}
	if z.Dtype() == tensor.Float32 {
		crossEntropyGradDo(data[float32](z), data[float32](y), data[float32](g), data[float32](dz), s)
	} else {
		crossEntropyGradDo(data[float64](z), data[float64](y), data[float64](g), data[float64](dz), s)
	}
	return dz, nil
}

func crossEntropyGradDo[T float](z, y, g, dz []T, s tensor.Shape) {
	n, c := rows(s)
	for r := range n {
		lo, hi := r*c, (r+1)*c
		crossEntropyGradRow(z[lo:hi], y[lo:hi], dz[lo:hi], float64(g[r]))
	}
}
