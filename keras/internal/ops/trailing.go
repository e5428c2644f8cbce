package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Arith is an element-wise arithmetic operator that Trailing broadcasts.
type Arith int

// The four operators.
const (
	Add Arith = iota
	Sub
	Mul
	Div
)

var arithNames = [...]string{"add", "sub", "mul", "div"}

func (k Arith) String() string { return arithNames[k] }

// trailingOp is a op b for a of any shape and b of a's trailing shape, b repeated over a's
// leading positions (a bias or a scale over a batch), with a hand-written gradient
// (trailingGradOp). It stands for Gorgonia's broadcasting operators, which reach that
// broadcast through reshapes and repeats that return their input's memory (ReturnsPtr) and
// operators that overwrite their first input in place (OverwritesInput 0): the tape
// machine's register allocator does not see the sharing, lets a later op write into memory
// a backward op still reads, and the gradients came out silently wrong (docs/gorgonia.md).
// This op reads its inputs and writes a new tensor only.
type trailingOp struct {
	Base
	kind Arith
	a, b tensor.Shape
}

var _ G.SDOp = trailingOp{}

// Trailing returns a op b element by element, for float tensors a and b of one dtype where b
// has a's shape or its trailing dimensions: b is used again for every leading position of a.
func Trailing(kind Arith, a, b *G.Node) (*G.Node, error) {
	as, bs := a.Shape(), b.Shape()
	if kind < Add || kind > Div {
		return nil, fmt.Errorf("trailing broadcast: unknown operator %d", int(kind))
	}
	if a.IsScalar() || b.IsScalar() || a.Dtype() != b.Dtype() || (a.Dtype() != tensor.Float32 && a.Dtype() != tensor.Float64) {
		return nil, fmt.Errorf("broadcasting %v: operands %v %v and %v %v, want float32 or float64 tensors of one dtype", kind, a.Dtype(), as, b.Dtype(), bs)
	}
	if b.Dims() > a.Dims() || !as[a.Dims()-b.Dims():].Eq(bs) {
		return nil, fmt.Errorf("broadcasting %v: shape %v is not the trailing shape of %v", kind, bs, as)
	}
	op := trailingOp{Base: Base{Name: "trailing_" + kind.String(), Params: fmt.Sprintf("a=%v,b=%v", []int(as), []int(bs)), Inputs: 2}, kind: kind, a: as.Clone(), b: bs.Clone()}
	y, err := G.ApplyOp(op, a, b)
	if err != nil {
		return nil, fmt.Errorf("broadcasting %v of %v and %v: %w", kind, as, bs, err)
	}
	return y, nil
}

// Type returns a → b → a, a and b tensors of their ranks over one element type.
func (op trailingOp) Type() hm.Type {
	e := hm.TypeVariable('a')
	return hm.NewFnType(tensorType(len(op.a), e), tensorType(len(op.b), e), tensorType(len(op.a), e))
}

// DiffWRT: differentiable with respect to both operands.
func (trailingOp) DiffWRT(int) []bool { return []bool{true, true} }

// InferShape returns the first operand's shape.
func (op trailingOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.a.Clone(), nil }

// Do computes a op b into a new tensor.
func (op trailingOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	a, b, err := op.operands(in[0], in[1])
	if err != nil {
		return nil, err
	}
	out := tensor.New(tensor.Of(a.Dtype()), tensor.WithShape(op.a.Clone()...))
	switch a.Dtype() {
	case tensor.Float32:
		trailing(op.kind, data[float32](a), data[float32](b), data[float32](out))
	default:
		trailing(op.kind, data[float64](a), data[float64](b), data[float64](out))
	}
	return out, nil
}

// operands checks the values against the shapes the op was built for.
func (op trailingOp) operands(av, bv G.Value) (a, b *tensor.Dense, err error) {
	if a, err = dense(op, av); err != nil {
		return nil, nil, err
	}
	if b, err = dense(op, bv); err != nil {
		return nil, nil, err
	}
	if !a.Shape().Eq(op.a) || !b.Shape().Eq(op.b) || a.Dtype() != b.Dtype() {
		return nil, nil, fmt.Errorf("%v: operands %v %v and %v %v, built for %v and %v", op, a.Dtype(), a.Shape(), b.Dtype(), b.Shape(), op.a, op.b)
	}
	return a, b, nil
}

func trailing[T float](kind Arith, a, b, out []T) {
	n := len(b)
	for r := 0; r < len(a); r += n {
		ar, or := a[r:r+n], out[r:r+n]
		switch kind {
		case Add:
			for i, v := range b {
				or[i] = ar[i] + v
			}
		case Sub:
			for i, v := range b {
				or[i] = ar[i] - v
			}
		case Mul:
			for i, v := range b {
				or[i] = ar[i] * v
			}
		default:
			for i, v := range b {
				or[i] = ar[i] / v
			}
		}
	}
}

// SymDiff returns the gradients of both operands, each from one trailingGradOp.
func (op trailingOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	da, err := G.ApplyOp(op.grad(0), in[0], in[1], grad)
	if err != nil {
		return nil, err
	}
	db, err := G.ApplyOp(op.grad(1), in[0], in[1], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{da, db}, nil
}

func (op trailingOp) grad(wrt int) trailingGradOp {
	return trailingGradOp{Base: Base{Name: op.Name + "_grad", Params: fmt.Sprintf("%s,wrt=%d", op.Params, wrt), Inputs: 3}, fwd: op, wrt: wrt}
}

// trailingGradOp is the gradient of trailingOp with respect to operand wrt: inputs
// (a, b, dy). For a it has a's shape (dy, dy⊙b or dy/b); for b it has b's shape, the sum
// over a's leading positions of dy, −dy, dy⊙a or −dy⊙a/b².
type trailingGradOp struct {
	Base
	fwd trailingOp
	wrt int
}

// Type returns a → b → a → (a or b).
func (op trailingGradOp) Type() hm.Type {
	e := hm.TypeVariable('a')
	ta, tb := tensorType(len(op.fwd.a), e), tensorType(len(op.fwd.b), e)
	if op.wrt == 0 {
		return hm.NewFnType(ta, tb, ta, ta)
	}
	return hm.NewFnType(ta, tb, ta, tb)
}

// InferShape returns the shape of the operand differentiated.
func (op trailingGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	if op.wrt == 0 {
		return op.fwd.a.Clone(), nil
	}
	return op.fwd.b.Clone(), nil
}

// Do computes the gradient into a new tensor.
func (op trailingGradOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	a, b, err := op.fwd.operands(in[0], in[1])
	if err != nil {
		return nil, err
	}
	dy, err := dense(op, in[2])
	if err != nil {
		return nil, err
	}
	if !dy.Shape().Eq(op.fwd.a) || dy.Dtype() != a.Dtype() {
		return nil, fmt.Errorf("%v: gradient %v %v, want %v %v", op, dy.Dtype(), dy.Shape(), a.Dtype(), op.fwd.a)
	}
	shape := op.fwd.a
	if op.wrt == 1 {
		shape = op.fwd.b
	}
	out := tensor.New(tensor.Of(a.Dtype()), tensor.WithShape(shape.Clone()...))
	switch a.Dtype() {
	case tensor.Float32:
		trailingGrad(op.fwd.kind, op.wrt, data[float32](a), data[float32](b), data[float32](dy), data[float32](out))
	default:
		trailingGrad(op.fwd.kind, op.wrt, data[float64](a), data[float64](b), data[float64](dy), data[float64](out))
	}
	return out, nil
}

func trailingGrad[T float](kind Arith, wrt int, a, b, dy, out []T) {
	n := len(b)
	for r := 0; r < len(a); r += n {
		ar, gr := a[r:r+n], dy[r:r+n]
		if wrt == 0 {
			or := out[r : r+n]
			for i, v := range b {
				switch kind {
				case Add, Sub:
					or[i] = gr[i]
				case Mul:
					or[i] = gr[i] * v
				default:
					or[i] = gr[i] / v
				}
			}
			continue
		}
		for i, v := range b {
			switch kind {
			case Add:
				out[i] += gr[i]
			case Sub:
				out[i] -= gr[i]
			case Mul:
				out[i] += gr[i] * ar[i]
			default:
				out[i] -= gr[i] * ar[i] / (v * v)
			}
		}
	}
}
