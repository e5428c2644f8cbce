package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// kernel is a function of a few tensors computed in Go, in float64, with a hand-written
// gradient with respect to one of its inputs: the losses and penalties whose formulas
// Gorgonia's ops cannot express without the traps of docs/gorgonia.md (a dynamic
// programme for CTC, label-dependent masks for Circle, a Gram matrix for the orthogonal
// penalty). The inputs are read whole; these are small per-batch tensors.
type kernel interface {
	// outShape returns the output's shape for the inputs' shapes, or why they do not fit.
	outShape(in []tensor.Shape) (tensor.Shape, error)
	// forward returns the output's values.
	forward(in [][]float64, s []tensor.Shape) ([]float64, error)
	// backward returns the gradient with respect to input wrt, given the output's gradient.
	backward(in [][]float64, s []tensor.Shape, dOut []float64) ([]float64, error)
}

// kernelOp applies a kernel; only input wrt is differentiable (the others are targets).
type kernelOp struct {
	Base
	k    kernel
	dims []int // rank of each input
	out  int   // rank of the output
	wrt  int
}

var _ G.SDOp = kernelOp{}

// applyKernel adds a kernelOp on the inputs, named name with the parameters params (which
// must tell apart every kernel of that name whose results differ).
func applyKernel(name, params string, k kernel, wrt int, in ...*G.Node) (*G.Node, error) {
	dims := make([]int, len(in))
	shapes := make([]tensor.Shape, len(in))
	for i, n := range in {
		if n.Dtype() != tensor.Float32 && n.Dtype() != tensor.Float64 {
			return nil, fmt.Errorf("%s: input %v is %v, want float32 or float64", name, n.Name(), n.Dtype())
		}
		if n.Dtype() != in[0].Dtype() {
			return nil, fmt.Errorf("%s: inputs of dtypes %v and %v; want one dtype", name, in[0].Dtype(), n.Dtype())
		}
		dims[i], shapes[i] = n.Dims(), n.Shape()
	}
	s, err := k.outShape(shapes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	op := kernelOp{Base: Base{Name: name, Params: params, Inputs: len(in)}, k: k, dims: dims, out: s.Dims(), wrt: wrt}
	n, err := G.ApplyOp(op, in...)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	return n, nil
}

// Type returns the inputs' tensor types → the output's.
func (op kernelOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	ts := make([]hm.Type, 0, len(op.dims)+1)
	for _, d := range op.dims {
		ts = append(ts, tensorType(d, a))
	}
	return hm.NewFnType(append(ts, tensorType(op.out, a))...)
}

// InferShape asks the kernel.
func (op kernelOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, in)
	if err != nil {
		return nil, err
	}
	return op.k.outShape(s)
}

func shapesOf(op fmt.Stringer, in []G.DimSizer) ([]tensor.Shape, error) {
	s := make([]tensor.Shape, len(in))
	for i, d := range in {
		var err error
		if s[i], err = shapeOf(d); err != nil {
			return nil, fmt.Errorf("%v: input %d: %w", op, i, err)
		}
	}
	return s, nil
}

// DiffWRT marks input wrt alone.
func (op kernelOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	if op.wrt < n {
		d[op.wrt] = true
	}
	return d
}

// readAll returns every value as float64 with its shape, and the dtype of the first.
func readAll(op fmt.Stringer, vals []G.Value) ([][]float64, []tensor.Shape, tensor.Dtype, error) {
	in := make([][]float64, len(vals))
	s := make([]tensor.Shape, len(vals))
	var dt tensor.Dtype
	for i, v := range vals {
		switch x := v.(type) { // a scalar (the gradient of a scalar output)
		case *G.F32:
			in[i], dt = []float64{float64(*x)}, tensor.Float32
			continue
		case *G.F64:
			in[i], dt = []float64{float64(*x)}, tensor.Float64
			continue
		}
		d, err := dense(op, v)
		if err != nil {
			return nil, nil, dt, err
		}
		if i == 0 {
			dt = d.Dtype()
		}
		s[i] = d.Shape().Clone()
		if d.Dtype() == tensor.Float32 {
			f := data[float32](d)
			in[i] = make([]float64, len(f))
			for j, x := range f {
				in[i][j] = float64(x)
			}
		} else {
			in[i] = append([]float64(nil), data[float64](d)...)
		}
	}
	return in, s, dt, nil
}

// newOf returns a tensor of shape s and dtype dt holding v.
func newOf(dt tensor.Dtype, s tensor.Shape, v []float64) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(s.Clone()...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(s.Clone()...), tensor.WithBacking(v))
}

// Do runs the kernel forward.
func (op kernelOp) Do(vals ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	in, s, dt, err := readAll(op, vals)
	if err != nil {
		return nil, err
	}
	os, err := op.k.outShape(s)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	v, err := op.k.forward(in, s)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	if len(os) == 0 {
		return newScalar(dt, v[0]), nil
	}
	return newOf(dt, os, v), nil
}

// newScalar returns a scalar value of dtype dt.
func newScalar(dt tensor.Dtype, v float64) G.Value {
	if dt == tensor.Float32 {
		return G.NewF32(float32(v))
	}
	return G.NewF64(v)
}

// SymDiff adds the backward op: the inputs and the output's gradient in, the gradient of
// input wrt out.
func (op kernelOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	g := kernelGradOp{Base: Base{Name: op.Name + "_grad", Params: op.Params, Inputs: len(in) + 1}, fwd: op}
	d, err := G.ApplyOp(g, append(append(G.Nodes{}, in...), grad)...)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", g, err)
	}
	out := make(G.Nodes, len(in))
	out[op.wrt] = d
	return out, nil
}

// kernelGradOp is kernelOp's backward op.
type kernelGradOp struct {
	Base
	fwd kernelOp
}

// Type returns the inputs → the output's gradient → input wrt's gradient.
func (op kernelGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	ts := make([]hm.Type, 0, len(op.fwd.dims)+2)
	for _, d := range op.fwd.dims {
		ts = append(ts, tensorType(d, a))
	}
	ts = append(ts, tensorType(op.fwd.out, a), tensorType(op.fwd.dims[op.fwd.wrt], a))
	return hm.NewFnType(ts...)
}

// InferShape returns input wrt's shape.
func (op kernelGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) <= op.fwd.wrt {
		return nil, fmt.Errorf("%v: %d inputs", op, len(in))
	}
	return shapeOf(in[op.fwd.wrt])
}

// Do runs the kernel backward.
func (op kernelGradOp) Do(vals ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	in, s, dt, err := readAll(op, vals)
	if err != nil {
		return nil, err
	}
	n := len(vals) - 1
	d, err := op.fwd.k.backward(in[:n], s[:n], in[n])
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	return newOf(dt, s[op.fwd.wrt], d), nil
}
