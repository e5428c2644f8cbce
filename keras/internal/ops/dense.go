package ops

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The fully connected layer as one op: act(x·W + b) forward in one matrix product and one
// pass over its result, and one backward op that computes dX, dW and db together. Written
// with Gorgonia's ops the same layer is a reshape, a MatMul, a broadcast add and an
// activation forward, and their gradients backward: each a tape instruction, a fresh
// allocation of its result and a pass over memory, and MatMul transposes its operands'
// headers in place (docs/gorgonia.md), which is why a weight read during a step needs a
// header of its own. This op reads the weights' numbers and never touches their headers.

// DenseAct is an activation the Dense op applies in the same pass as the bias. Its derivative
// is computed from the op's output, which the backward op reads.
type DenseAct uint8

// The activations Dense fuses. Softmax and sigmoid are applied after it by the caller, which
// records the logits for the losses (keras.Context.SetLogits).
const (
	DenseLinear DenseAct = iota
	DenseRelu
	DenseTanh
)

// DenseActOf returns the fused activation of a Keras activation name ("" and "linear" are
// the identity) and whether Dense fuses it.
func DenseActOf(name string) (DenseAct, bool) {
	switch name {
	case "", "linear":
		return DenseLinear, true
	case "relu":
		return DenseRelu, true
	case "tanh":
		return DenseTanh, true
	}
	return 0, false
}

func (a DenseAct) String() string { return [...]string{"linear", "relu", "tanh"}[a] }

var denseOpCount atomic.Int64

// denseOp is act(x·W + b) over the last axis of x (…, in), W (in, units), b (units,) or no
// bias; the output is (…, units). Its output and its gradients live in memory the op keeps
// from one run to the next: a graph runs one batch at a time (one goroutine per machine, see
// keras/pool.go), and everything outside the graph reads values through G.Read, which copies
// them, so nothing holds on to a value past the run that produced it. Each op of a graph has
// memory of its own (its hash is a unique id, so Gorgonia never merges two).
type denseOp struct {
	Base
	act     DenseAct
	xDims   int
	hasBias bool
	needDX  bool // x is computed (not fed), so the loss may depend on it
	out     scratch
}

var (
	_ G.SDOp = (*denseOp)(nil)
	_ G.Op   = (*denseGradOp)(nil)
)

// Dense returns act(x·kernel + bias) for x of rank ≥ 2 (…, in), kernel (in, units) and bias
// (units,) or nil, as one op with a hand-written backward op. x, kernel and bias must be
// float32 or float64 tensors of one dtype.
func Dense(x, kernel, bias *G.Node, act DenseAct) (*G.Node, error) {
	if act > DenseTanh {
		return nil, fmt.Errorf("dense: unknown fused activation %d", act)
	}
	if x.Dims() < 2 || kernel.Dims() != 2 {
		return nil, fmt.Errorf("dense: want x (…, in) and kernel (in, units), got x %v and kernel %v", x.Shape(), kernel.Shape())
	}
	if dt := x.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 || kernel.Dtype() != dt || bias != nil && bias.Dtype() != dt {
		return nil, fmt.Errorf("dense: want float32 or float64 operands of one dtype, got x %v, kernel %v", x.Dtype(), kernel.Dtype())
	}
	op := &denseOp{act: act, xDims: x.Dims(), hasBias: bias != nil, needDX: x.Op() != nil}
	args := G.Nodes{x, kernel}
	if bias != nil {
		args = append(args, bias)
	}
	op.Base = Base{Name: "dense", Params: fmt.Sprintf("%v #%d", act, denseOpCount.Add(1)), Inputs: len(args)}
	return G.ApplyOp(op, args...)
}

// inputTypes are the types of x, the kernel and the bias.
func (op *denseOp) inputTypes(a hm.Type) []hm.Type {
	ts := []hm.Type{G.TensorType{Dims: op.xDims, Of: a}, G.TensorType{Dims: 2, Of: a}}
	if op.hasBias {
		ts = append(ts, G.TensorType{Dims: 1, Of: a})
	}
	return ts
}

// Type returns x → kernel [→ bias] → y.
func (op *denseOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(append(op.inputTypes(a), G.TensorType{Dims: op.xDims, Of: a})...)
}

// InferShape returns x's shape with the last axis replaced by the kernel's columns.
func (op *denseOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	shapes, err := G.DimSizersToShapes(in)
	if err != nil {
		return nil, err
	}
	if err := op.checkShapes(shapes); err != nil {
		return nil, err
	}
	return op.outShape(shapes[0], shapes[1]), nil
}

func (op *denseOp) outShape(x, w tensor.Shape) tensor.Shape {
	out := x.Clone()
	out[len(out)-1] = w[1]
	return out
}

func (op *denseOp) checkShapes(s []tensor.Shape) error {
	if len(s) != op.Arity() {
		return fmt.Errorf("%v takes %d inputs, got %d", op, op.Arity(), len(s))
	}
	x, w := s[0], s[1]
	if len(x) != op.xDims || len(w) != 2 || x[len(x)-1] != w[0] {
		return fmt.Errorf("%v: want x (…, in) and kernel (in, units), got x %v and kernel %v", op, x, w)
	}
	if op.hasBias && (len(s[2]) != 1 || s[2][0] != w[1]) {
		return fmt.Errorf("%v: bias shape %v, want (%d)", op, s[2], w[1])
	}
	return nil
}

// denseArgs are the operands of one run as row-major matrices: x (rows, in), w (in, units).
type denseArgs[T float] struct {
	rows, in, units int
	x, w, b         []T
}

func denseArgsOf[T float](op *denseOp, vals []G.Value) (denseArgs[T], error) {
	var buf [3]tensor.Shape // Arity is 2 or 3: no allocation for the shapes
	shapes := buf[:op.Arity()]
	for i := range shapes {
		shapes[i] = vals[i].Shape()
	}
	if err := op.checkShapes(shapes); err != nil {
		return denseArgs[T]{}, err
	}
	a := denseArgs[T]{in: shapes[1][0], units: shapes[1][1]}
	a.rows = shapes[0].TotalSize() / max(a.in, 1)
	var err error
	if a.x, err = dataOf[T](vals[0]); err != nil {
		return a, fmt.Errorf("%v, x: %w", op, err)
	}
	if a.w, err = dataOf[T](vals[1]); err != nil {
		return a, fmt.Errorf("%v, kernel: %w", op, err)
	}
	if op.hasBias {
		if a.b, err = dataOf[T](vals[2]); err != nil {
			return a, fmt.Errorf("%v, bias: %w", op, err)
		}
	}
	return a, nil
}

// Do computes act(x·W + b) into the op's memory.
func (op *denseOp) Do(vals ...G.Value) (G.Value, error) { return op.do(nil, vals) }

// UsePreallocDo computes act(x·W + b) into prealloc.
func (op *denseOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (G.Value, error) {
	return op.do(prealloc, vals)
}

func (op *denseOp) do(prealloc G.Value, vals []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(vals) != op.Arity() {
		return nil, fmt.Errorf("%v takes %d inputs, got %d", op, op.Arity(), len(vals))
	}
	switch vals[0].Dtype() {
	case tensor.Float32:
		return denseDo[float32](op, prealloc, vals)
	case tensor.Float64:
		return denseDo[float64](op, prealloc, vals)
	}
	return nil, fmt.Errorf("%v: %v inputs are not supported (float32, float64)", op, vals[0].Dtype())
}

func denseDo[T float](op *denseOp, prealloc G.Value, vals []G.Value) (G.Value, error) {
	a, err := denseArgsOf[T](op, vals)
	if err != nil {
		return nil, err
	}
	var out *tensor.Dense
	if prealloc != nil {
		// The machine allocated prealloc with the node's shape, which InferShape gave.
		if out, err = outputSized(op, prealloc, vals[0].Dtype(), a.rows*a.units); err != nil {
			return nil, err
		}
	} else {
		out = op.out.dense(vals[0].Dtype(), false, op.outShape(vals[0].Shape(), vals[1].Shape())...)
	}
	y := data[T](out)
	if a.rows > 0 && a.units > 0 {
		if a.in == 0 {
			clear(y)
		} else {
			gemm(false, false, a.rows, a.units, a.in, a.x, a.in, a.w, a.units, 0, y, a.units)
		}
	}
	biasAct(y, a.b, a.units, op.act)
	return out, nil
}

// biasAct adds b to every row of y (units columns) and applies act, in one pass.
func biasAct[T float](y, b []T, units int, act DenseAct) {
	if b == nil && act == DenseLinear {
		return
	}
	y32, b32, vector := asFloat32(y), asFloat32(b), act == DenseRelu && b != nil
	for r := 0; r+units <= len(y); r += units {
		row := y[r : r+units]
		j0 := 0 // the elements before j0 are done
		if vector && y32 != nil {
			j0 = biasRelu32(y32[r:r+units], b32, units)
		}
		if b != nil {
			for j, v := range b[j0:units] {
				row[j0+j] += v
			}
		}
		switch act {
		case DenseRelu:
			for j, v := range row[j0:] {
				if !(v > 0) {
					row[j0+j] = 0
				}
			}
		case DenseTanh:
			for j, v := range row {
				row[j] = T(math.Tanh(float64(v)))
			}
		}
	}
}

// DiffWRT: differentiable with respect to x (when it is computed), the kernel and the bias.
func (op *denseOp) DiffWRT(n int) []bool {
	return diffAllButFirst(n, op.needDX)
}

// SymDiff adds the backward op, which computes every gradient at once into one flat vector,
// and a view of it per input.
func (op *denseOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	gop := &denseGradOp{Base: Base{Name: "∂dense", Params: op.Params, Inputs: op.Inputs + 2}, fwd: op}
	gop.parts = gradShapes(inputs, op.DiffWRT(len(inputs)))
	return flatGradients(gop, gop.parts, inputs, output, grad, func(i, off int, s tensor.Shape) G.Op {
		return newPartOp("∂dense_part", fmt.Sprintf("%d %s", i, op.Params), off, s)
	})
}

// denseGradOp computes the gradients of one Dense op. Inputs: the forward op's inputs, its
// output y (the activation's derivative is computed from it) and dy, the gradient with respect
// to y. Output: the gradients of the differentiable inputs, flattened one after the other
// into memory the op keeps between runs.
type denseGradOp struct {
	Base
	fwd   *denseOp
	parts []tensor.Shape // per forward input: the gradient's shape, nil if none
	// The op's own memory (a graph that differentiates twice has two backward ops).
	grad scratch // the flat [dX | dW | db]
	dz   scratch // dy ⊙ act'(y)
	dwT  scratch // dWᵀ, when kernelGrad computes it transposed
}

func (op *denseGradOp) size() int {
	n := 0
	for _, s := range op.parts {
		if s != nil {
			n += s.TotalSize()
		}
	}
	return n
}

// Type returns inputs → y → dy → flat gradients.
func (op *denseGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	y := G.TensorType{Dims: op.fwd.xDims, Of: a}
	ts := append(op.fwd.inputTypes(a), y, y, G.TensorType{Dims: 1, Of: a})
	return hm.NewFnType(ts...)
}

// InferShape returns the flat length.
func (op *denseGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.size()}, nil
}

// Do computes the gradients.
func (op *denseGradOp) Do(vals ...G.Value) (G.Value, error) { return op.do(nil, vals) }

// UsePreallocDo computes the gradients into prealloc.
func (op *denseGradOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (G.Value, error) {
	return op.do(prealloc, vals)
}

func (op *denseGradOp) do(prealloc G.Value, vals []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(vals) != op.Arity() {
		return nil, fmt.Errorf("%v takes %d inputs, got %d", op, op.Arity(), len(vals))
	}
	switch vals[0].Dtype() {
	case tensor.Float32:
		return denseGradDo[float32](op, prealloc, vals)
	case tensor.Float64:
		return denseGradDo[float64](op, prealloc, vals)
	}
	return nil, fmt.Errorf("%v: %v inputs are not supported (float32, float64)", op, vals[0].Dtype())
}

func denseGradDo[T float](op *denseGradOp, prealloc G.Value, vals []G.Value) (G.Value, error) {
	fwd := op.fwd
	n := fwd.Arity()
	a, err := denseArgsOf[T](fwd, vals[:n])
	if err != nil {
		return nil, err
	}
	y, err := dataOf[T](vals[n])
	if err != nil {
		return nil, fmt.Errorf("%v, output: %w", op, err)
	}
	dy, err := dataOf[T](vals[n+1])
	if err != nil {
		return nil, fmt.Errorf("%v, output gradient: %w", op, err)
	}
	size := a.rows * a.units
	if len(y) != size || len(dy) != size {
		return nil, fmt.Errorf("%v: output holds %d values and its gradient %d, want %d", op, len(y), len(dy), size)
	}
	dt := vals[0].Dtype()
	var flat *tensor.Dense
	if prealloc != nil {
		if flat, err = outputSized(op, prealloc, dt, op.size()); err != nil {
			return nil, err
		}
	} else {
		flat = op.grad.dense(dt, false, op.size())
	}
	g := data[T](flat)
	var dx, dw, db []T
	off := 0
	if op.parts[0] != nil {
		dx, off = g[:a.rows*a.in], a.rows*a.in
	}
	dw, off = g[off:off+a.in*a.units], off+a.in*a.units
	if fwd.hasBias {
		db = g[off : off+a.units]
	}
	// dz = dy ⊙ act′(y) and db = Σ dz over rows in one pass, dW = xᵀ·dz, dX = dz·Wᵀ.
	if a.rows == 0 {
		clear(g)
		return flat, nil
	}
	dz := dy
	if fwd.act != DenseLinear {
		dz = scratchSlice[T](&op.dz, size)
	}
	actGradSums(dz, db, y, dy, a.units, fwd.act)
	if a.in > 0 && a.units > 0 {
		kernelGrad(a.rows, a.in, a.units, a.x, dz, dw, &op.dwT)
	}
	if dx != nil {
		if a.units == 0 {
			clear(dx)
		} else if a.in > 0 {
			gemm(false, true, a.rows, a.in, a.units, dz, a.units, a.w, a.units, 0, dx, a.in)
		}
	}
	return flat, nil
}

// actGrad writes dy ⊙ act'(x) into dz, act' computed from the output y: relu passes dy where
// y > 0 (0 at exactly 0, as JAX), tanh multiplies by 1 − y².
func actGrad[T float](dz, y, dy []T, act DenseAct) {
	dz, dy = dz[:len(y)], dy[:len(y)]
	switch act {
	case DenseRelu:
		for i, v := range y {
			if v > 0 {
				dz[i] = dy[i]
			} else {
				dz[i] = 0
			}
		}
	case DenseTanh:
		for i, v := range y {
			dz[i] = dy[i] * (1 - v*v)
		}
	default:
		copy(dz, dy)
	}
}
