package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Softmax returns softmax(x) over x's last axis, computed row by row: every row is
// exp(x - max) / Σ exp(x - max) with the row's own maximum, so a row's result never depends
// on the other rows of its batch. x must be a float32 or float64 tensor of rank ≥ 1.
func Softmax(x *G.Node) (*G.Node, error) { return applySoftmax(x, false) }

// LogSoftmax returns log softmax(x) over x's last axis, row by row: (x - max) - log Σ exp(x -
// max) with the row's own maximum. Its hash differs from Softmax's, so the two on one node
// stay two nodes.
func LogSoftmax(x *G.Node) (*G.Node, error) { return applySoftmax(x, true) }

func applySoftmax(x *G.Node, log bool) (*G.Node, error) {
	op := newSoftmaxOp(log, x.Dims())
	if x.Dims() < 1 {
		return nil, fmt.Errorf("%v: input %v is a scalar, want a tensor whose last axis holds the classes", op, x.Name())
	}
	n, err := G.ApplyOp(op, x)
	if err != nil {
		return nil, fmt.Errorf("%v of %v: %w", op, x.Name(), err)
	}
	return n, nil
}

// softmaxOp is softmax or log-softmax over the last axis of a dims-dimensional tensor.
type softmaxOp struct {
	Base
	log  bool
	dims int
}

var _ G.SDOp = softmaxOp{}

func newSoftmaxOp(log bool, dims int) softmaxOp {
	name := "softmax"
	if log {
		name = "log_softmax"
	}
	return softmaxOp{Base: Base{Name: name, Params: fmt.Sprintf("axis=-1,dims=%d", dims), Inputs: 1}, log: log, dims: dims}
}

// Type returns a tensor → a tensor of the same type.
func (op softmaxOp) Type() hm.Type {
	t := tensorType(op.dims, hm.TypeVariable('a'))
	return hm.NewFnType(t, t)
}

// InferShape returns the input's shape.
func (op softmaxOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%v takes 1 input, got %d", op, len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%v: input shape is a %T", op, in[0])
	}
	return s.Clone(), nil
}

// Do computes the rows.
func (op softmaxOp) Do(vals ...G.Value) (G.Value, error) { return op.do(nil, vals) }

// UsePreallocDo computes the rows into prealloc.
func (op softmaxOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (G.Value, error) {
	return op.do(prealloc, vals)
}

func (op softmaxOp) do(prealloc G.Value, vals []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(vals) != 1 {
		return nil, fmt.Errorf("%v takes 1 input, got %d", op, len(vals))
	}
	x, err := dense(op, vals[0])
	if err != nil {
		return nil, err
	}
	out, err := output(op, prealloc, x.Dtype(), x.Shape())
	if err != nil {
		return nil, err
	}
	if x.Dtype() == tensor.Float32 {
		softmaxDo(data[float32](x), data[float32](out), x.Shape(), op.log)
	} else {
		softmaxDo(data[float64](x), data[float64](out), x.Shape(), op.log)
	}
	return out, nil
}

func softmaxDo[T float](x, out []T, s tensor.Shape, log bool) {
	n, c := rows(s)
	for r := range n {
		if log {
			logSoftmaxRow(x[r*c:(r+1)*c], out[r*c:(r+1)*c])
		} else {
			softmaxRow(x[r*c:(r+1)*c], out[r*c:(r+1)*c])
		}
	}
}

// DiffWRT: the op is differentiable with respect to its input.
func (op softmaxOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff adds the backward op, which reads the forward op's output and the output's
// gradient.
func (op softmaxOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	g := softmaxGradOp{Base: Base{Name: op.Name + "_grad", Params: op.Params, Inputs: 2}, log: op.log, dims: op.dims}
	dx, err := G.ApplyOp(g, output, grad)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", g, err)
	}
	return G.Nodes{dx}, nil
}

// softmaxGradOp is the backward op of softmaxOp. Inputs: the forward output y and its
// gradient dy. Output: the gradient with respect to the forward input.
type softmaxGradOp struct {
	Base
	log  bool
	dims int
}

// Type returns y → dy → dx, all of one type.
func (op softmaxGradOp) Type() hm.Type {
	t := tensorType(op.dims, hm.TypeVariable('a'))
	return hm.NewFnType(t, t, t)
}

// InferShape returns y's shape.
func (op softmaxGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%v takes 2 inputs, got %d", op, len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%v: input shape is a %T", op, in[0])
	}
	return s.Clone(), nil
}

// Do computes the gradient row by row.
func (op softmaxGradOp) Do(vals ...G.Value) (G.Value, error) { return op.do(nil, vals) }

// UsePreallocDo computes the gradient into prealloc.
func (op softmaxGradOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (G.Value, error) {
	return op.do(prealloc, vals)
}

func (op softmaxGradOp) do(prealloc G.Value, vals []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(vals) != 2 {
		return nil, fmt.Errorf("%v takes 2 inputs, got %d", op, len(vals))
	}
	y, err := dense(op, vals[0])
	if err != nil {
		return nil, err
	}
	dy, err := dense(op, vals[1])
	if err != nil {
		return nil, err
	}
	if !y.Shape().Eq(dy.Shape()) || y.Dtype() != dy.Dtype() {
		return nil, fmt.Errorf("%v: output %v %v and its gradient %v %v differ", op, y.Shape(), y.Dtype(), dy.Shape(), dy.Dtype())
	}
	dx, err := output(op, prealloc, y.Dtype(), y.Shape())
	if err != nil {
		return nil, err
	}
	if y.Dtype() == tensor.Float32 {
		softmaxGradDo(data[float32](y), data[float32](dy), data[float32](dx), y.Shape(), op.log)
	} else {
		softmaxGradDo(data[float64](y), data[float64](dy), data[float64](dx), y.Shape(), op.log)
	}
	return dx, nil
}

func softmaxGradDo[T float](y, dy, dx []T, s tensor.Shape, log bool) {
	n, c := rows(s)
	for r := range n {
		lo, hi := r*c, (r+1)*c
		if log {
			logSoftmaxGradRow(y[lo:hi], dy[lo:hi], dx[lo:hi])
		} else {
			softmaxGradRow(y[lo:hi], dy[lo:hi], dx[lo:hi])
		}
	}
}
