package ops

import (
	"fmt"
	"sync/atomic"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A recurrent layer is one Gorgonia op over the whole sequence, with a hand-written backward
// op, rather than a graph unrolled over the time steps. BenchmarkLSTMVariants measures the
// three ways (LSTM, batch 32, 32 features, 32 units, float32; build = graph + Grad +
// TapeMachine + first step; step = forward, backward and Adam), on this 2-core machine:
//
//	                                 T=20: build    step     T=80: build    step
//	unrolled, fused gate matrix            89 ms   27 ms           1.14 s   80 ms
//	unrolled, one matrix per gate         285 ms   31 ms           1.71 s   87 ms
//	this op                                14 ms    9 ms             57 ms   32 ms
//
// Gorgonia's compiler (codegenerator.insertFree) scans every node for every operand it reads,
// so compiling an unrolled graph is quadratic in T: at T=200 it takes seconds per sequence
// length. The op also runs each step faster: no per-node dispatch, no strided gate views, and
// the input projection of all steps is one matrix product. (Slicing the weights per gate, the
// remedy GORGONIA.md measured for a 64-unit LSTM, is slower here in both build and step.)

var rnnOpCount atomic.Int64

// rnnOp is the forward op of one call of a recurrent layer. Inputs: x (B, T, F), kernel,
// recurrent kernel, then the bias and the mask (B, T) when present. Output: (S, B·T·u + B·u),
// per state (h, then c for LSTM) its value after every step (B, T, u) followed by its final
// value (B, u); with FinalOnly (S, B·u), the final values. The layer takes the parts it
// returns with Slice and Reshape; the parts never overlap, so Gorgonia's in-place ops on one
// cannot change another.
//
// In training graphs the op keeps, privately, what its backward op needs: the input, the
// states and the gate values of its last run. The backward op never reads the values in the
// graph, which Gorgonia may overwrite in place once it believes them dead.
type rnnOp struct {
	Base
	spec    RNNSpec
	id      int64
	hasBias bool
	hasMask bool
	needDX  bool // the input is computed (not fed), so the loss may depend on it
	keep    bool
	work    any // *rnnWork[float32] or *rnnWork[float64]
}

var (
	_ G.SDOp            = (*rnnOp)(nil)
	_ G.UsePreallocDoer = (*rnnOp)(nil)
	_ G.UsePreallocDoer = (*rnnGradOp)(nil)
	_ G.Op              = (*rnnPartOp)(nil)
)

// newRNNOp returns the op of one call. Its hash is its unique id: two calls of a layer are
// never merged.
func newRNNOp(spec RNNSpec, hasBias, hasMask, needDX, keep bool) *rnnOp {
	op := &rnnOp{spec: spec, id: rnnOpCount.Add(1), hasBias: hasBias, hasMask: hasMask, needDX: needDX, keep: keep}
	name := [...]string{"LSTM", "GRU", "SimpleRNN"}[spec.Kind]
	op.Base = Base{Name: name, Params: fmt.Sprintf("units=%d #%d", spec.Units, op.id), Inputs: len(op.inputTypes(nil))}
	return op
}

// RNN applies one call of a recurrent layer over the sequence x (B, T, F) with its kernel,
// recurrent kernel and, when not nil, bias and mask (B, T). The output is (S, B·T·u + B·u):
// per state (h, then c for LSTM) its value after every step (B, T, u) followed by its final
// value (B, u); with spec.FinalOnly, (S, B·u), the final values only. With keep (training
// graphs) the op keeps what its gradient needs.
func RNN(spec RNNSpec, x, kernel, recurrent, bias, mask *G.Node, keep bool) (*G.Node, error) {
	args := G.Nodes{x, kernel, recurrent}
	if bias != nil {
		args = append(args, bias)
	}
	if mask != nil {
		args = append(args, mask)
	}
	// The input needs a gradient only when it is computed (not fed).
	op := newRNNOp(spec, bias != nil, mask != nil, x.Op() != nil, keep)
	return G.ApplyOp(op, args...)
}

func (op *rnnOp) biasDims() int {
	if op.spec.Kind == KindGRU && op.spec.ResetAfter {
		return 2
	}
	return 1
}

// inputTypes are the types of the op's inputs, all of one float dtype a.
func (op *rnnOp) inputTypes(a hm.Type) []hm.Type {
	ts := []hm.Type{G.TensorType{Dims: 3, Of: a}, G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 2, Of: a}}
	if op.hasBias {
		ts = append(ts, G.TensorType{Dims: op.biasDims(), Of: a})
	}
	if op.hasMask {
		ts = append(ts, G.TensorType{Dims: 2, Of: a})
	}
	return ts
}

// Type returns x → kernel → recurrent [→ bias] [→ mask] → out.
func (op *rnnOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(append(op.inputTypes(a), G.TensorType{Dims: 2, Of: a})...)
}

// outShape is the output's shape for an input of shape x.
func (op *rnnOp) outShape(x tensor.Shape) tensor.Shape {
	return tensor.Shape{op.spec.States(), op.seqLen(x) + x[0]*op.spec.Units}
}

// seqLen is the length of the per-step part of each state's row of the output: B·T·u, or 0
// with FinalOnly.
func (op *rnnOp) seqLen(x tensor.Shape) int {
	if op.spec.FinalOnly {
		return 0
	}
	return x[0] * x[1] * op.spec.Units
}

// InferShape returns (S, B·T·u + B·u), or (S, B·u) with FinalOnly, after checking the
// inputs' shapes.
func (op *rnnOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	shapes, err := G.DimSizersToShapes(in)
	if err != nil {
		return nil, err
	}
	if err := op.checkShapes(shapes); err != nil {
		return nil, err
	}
	return op.outShape(shapes[0]), nil
}

func (op *rnnOp) checkShapes(s []tensor.Shape) error {
	if len(s) != op.Arity() {
		return fmt.Errorf("recurrent op takes %d inputs, got %d", op.Arity(), len(s))
	}
	x := s[0]
	if len(x) != 3 || x[1] < 1 {
		return fmt.Errorf("recurrent op: input shape %v: want (batch, time steps ≥ 1, features)", x)
	}
	gu := op.spec.Gates() * op.spec.Units
	if !s[1].Eq(tensor.Shape{x[2], gu}) {
		return fmt.Errorf("recurrent op: kernel shape %v, want (%d, %d)", s[1], x[2], gu)
	}
	if !s[2].Eq(tensor.Shape{op.spec.Units, gu}) {
		return fmt.Errorf("recurrent op: recurrent kernel shape %v, want (%d, %d)", s[2], op.spec.Units, gu)
	}
	i := 3
	if op.hasBias {
		if s[i].TotalSize() != op.biasDims()*gu {
			return fmt.Errorf("recurrent op: bias shape %v does not hold %d values", s[i], op.biasDims()*gu)
		}
		i++
	}
	if op.hasMask && !s[i].Eq(tensor.Shape{x[0], x[1]}) {
		return fmt.Errorf("recurrent op: mask shape %v, want (%d, %d)", s[i], x[0], x[1])
	}
	return nil
}

// Do runs the layer over the sequence.
func (op *rnnOp) Do(vals ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, vals...) }

// UsePreallocDo runs the layer over the sequence into prealloc, a tensor of the output's
// shape, or into a new tensor when prealloc is nil. Every element is written.
func (op *rnnOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(vals) != op.Arity() {
		return nil, fmt.Errorf("recurrent op takes %d inputs, got %d", op.Arity(), len(vals))
	}
	switch vals[0].Dtype() {
	case tensor.Float32:
		return rnnDo[float32](op, prealloc, vals)
	case tensor.Float64:
		return rnnDo[float64](op, prealloc, vals)
	}
	return nil, fmt.Errorf("recurrent op: %v inputs are not supported (float32, float64)", vals[0].Dtype())
}

// work returns the op's buffers for element type T.
func workOf[T float](op *rnnOp) *rnnWork[T] {
	w, ok := op.work.(*rnnWork[T])
	if !ok {
		w = &rnnWork[T]{}
		op.work = w
	}
	return w
}

// seqOf reads the op's inputs (contiguous copies of strided views) into a seqData. With
// weightsOnly it reads only the kernels and the bias, and the shapes.
//
// The seqData and its slices live in the op's work buffers, so a run allocates none of them:
// the forward and the backward op of one layer run one after the other, never at once.
func seqOf[T float](op *rnnOp, vals []G.Value, weightsOnly bool) (*seqData[T], error) {
	w := workOf[T](op)
	if len(w.ds) != len(vals) {
		w.ds, w.shapes = make([][]T, len(vals)), make([]tensor.Shape, len(vals))
	}
	ds, shapes := w.ds, w.shapes
	clear(ds)
	for i, v := range vals {
		shapes[i] = v.Shape()
		if weightsOnly && (i == 0 || i == 3 && !op.hasBias || i == 4) {
			continue
		}
		d, err := dataOf[T](v)
		if err != nil {
			return nil, fmt.Errorf("recurrent op input %d: %w", i, err)
		}
		ds[i] = d
	}
	if err := op.checkShapes(shapes); err != nil {
		return nil, err
	}
	x := shapes[0]
	a := &w.seq
	*a = seqData[T]{b: x[0], t: x[1], f: x[2], u: op.spec.Units, x: ds[0], w: ds[1], r: ds[2]}
	i := 3
	if op.hasBias {
		a.bias = ds[i]
		i++
	}
	if op.hasMask {
		a.mask = ds[i]
	}
	return a, nil
}

func rnnDo[T float](op *rnnOp, prealloc G.Value, vals []G.Value) (G.Value, error) {
	a, err := seqOf[T](op, vals, false)
	if err != nil {
		return nil, err
	}
	w := workOf[T](op)
	n := a.b * a.t * a.u
	w.states = kept(w.states, op.spec.States()*n) // every step writes every sample
	a.out = w.states
	if op.keep {
		w.x = append(w.x[:0], a.x...)
	}
	rnnForward(&op.spec, a, w, op.keep)
	shape := op.outShape(vals[0].Shape())
	out, err := output(op, prealloc, vals[0].Dtype(), shape)
	if err != nil {
		return nil, err
	}
	data := data[T](out)
	finals := [][]T{w.h, w.c}
	seq := op.seqLen(vals[0].Shape())
	for k := range op.spec.States() {
		row := data[k*shape[1] : (k+1)*shape[1]]
		copy(row[:seq], w.states[k*n:(k+1)*n])
		copy(row[seq:], finals[k])
	}
	if op.spec.ZeroMasked && a.mask != nil && seq > 0 {
		for b := range a.b {
			for st := range a.t {
				if t, o := op.spec.index(st, a.t); !a.valid(b, t) {
					clear(data[(b*a.t+o)*a.u : (b*a.t+o+1)*a.u])
				}
			}
		}
	}
	return out, nil
}

// dataOf returns the elements of a tensor value in row-major order, copying strided views.
func dataOf[T float](v G.Value) ([]T, error) {
	t, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("value is a %T, want a *tensor.Dense", v)
	}
	if t.RequiresIterator() {
		t, ok = t.Materialize().(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("cannot copy a strided %v view", t.Shape())
		}
	}
	d, ok := elems[T](t)
	if !ok {
		return nil, fmt.Errorf("value holds %v, want %T", t.Dtype(), *new(T))
	}
	n := t.Shape().TotalSize()
	if len(d) < n {
		return nil, fmt.Errorf("value of shape %v holds %d elements", t.Shape(), len(d))
	}
	return d[:n], nil
}

// DiffWRT: the op is differentiable with respect to x (when it is computed), the kernels and
// the bias, not the mask.
func (op *rnnOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = i > 0 && i < 3 || i == 3 && op.hasBias
	}
	if n > 0 {
		d[0] = op.needDX
	}
	return d
}

// SymDiff adds the backward op, which computes every gradient at once into one flat vector,
// and a view of it per input.
func (op *rnnOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	fwd, ok := output.Op().(*rnnOp)
	if !ok {
		return nil, fmt.Errorf("recurrent op: output %v is not the op's", output)
	}
	gop := &rnnGradOp{Base: Base{Name: "∂" + fwd.Name, Params: fwd.Params, Inputs: fwd.Inputs + 2}, fwd: fwd}
	gop.parts = gradShapes(inputs, op.DiffWRT(len(inputs)))
	return flatGradients(gop, gop.parts, inputs, output, grad, func(i, off int, s tensor.Shape) G.Op {
		return newRNNPart(fwd, i, off, s)
	})
}

// rnnGradOp computes the gradients of one call of a recurrent layer from the values its
// forward op kept. Inputs: the forward op's inputs, its output (read for the order of
// execution only) and the gradient with respect to the output. Output: the gradients of the
// differentiable inputs, flattened one after the other.
type rnnGradOp struct {
	Base
	fwd   *rnnOp
	parts []tensor.Shape // per forward input: the gradient's shape, nil if none
}

func (op *rnnGradOp) size() int {
	n := 0
	for _, s := range op.parts {
		if s != nil {
			n += s.TotalSize()
		}
	}
	return n
}

// Type returns inputs → out → dOut → flat gradients.
func (op *rnnGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	ts := op.fwd.inputTypes(a)
	ts = append(ts, G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 1, Of: a})
	return hm.NewFnType(ts...)
}

// InferShape returns the flat length.
func (op *rnnGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.size()}, nil
}

// Do computes the gradients.
func (op *rnnGradOp) Do(vals ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, vals...) }

// UsePreallocDo computes the gradients into prealloc, a flat tensor of op.size() elements,
// cleared first, or into a new tensor when prealloc is nil.
func (op *rnnGradOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(vals) != op.Arity() {
		return nil, fmt.Errorf("recurrent gradient op takes %d inputs, got %d", op.Arity(), len(vals))
	}
	switch vals[0].Dtype() {
	case tensor.Float32:
		return rnnGradDo[float32](op, prealloc, vals)
	case tensor.Float64:
		return rnnGradDo[float64](op, prealloc, vals)
	}
	return nil, fmt.Errorf("recurrent gradient op: %v inputs are not supported", vals[0].Dtype())
}

func rnnGradDo[T float](op *rnnGradOp, prealloc G.Value, vals []G.Value) (G.Value, error) {
	fwd := op.fwd
	n := fwd.Arity()
	a, err := seqOf[T](fwd, vals[:n], true)
	if err != nil {
		return nil, err
	}
	w := workOf[T](fwd)
	if !fwd.keep || len(w.valid) != a.b*a.t || len(w.x) != a.b*a.t*a.f {
		return nil, fmt.Errorf("recurrent gradient op: the forward op %v kept no values for a (%d, %d) batch", fwd, a.b, a.t)
	}
	a.x, a.out = w.x, w.states
	dOut, err := dataOf[T](vals[n+1])
	if err != nil {
		return nil, fmt.Errorf("recurrent gradient op, output gradient: %w", err)
	}
	// Split the output's gradient into the per-step part (S, B, T, u), none with FinalOnly,
	// and the final states'.
	bt := fwd.seqLen(vals[0].Shape())
	row := bt + a.b*a.u
	states := fwd.spec.States()
	if len(dOut) != states*row {
		return nil, fmt.Errorf("recurrent gradient op: output gradient holds %d values, want %d", len(dOut), states*row)
	}
	var dseq []T // nil: no gradient reaches the per-step states
	if bt > 0 {
		w.dseq = kept(w.dseq, states*bt)
		dseq = w.dseq
	}
	dFinal := w.dFinal[:0]
	for k := range states {
		copy(dseq[k*bt:(k+1)*bt], dOut[k*row:k*row+bt])
		dFinal = append(dFinal, dOut[k*row+bt:(k+1)*row]...)
	}
	w.dFinal = dFinal
	if fwd.spec.ZeroMasked && dseq != nil {
		// The output is a constant 0 at masked steps: nothing flows back from there.
		for b := range a.b {
			for st := range a.t {
				if _, o := fwd.spec.index(st, a.t); !w.valid[st*a.b+b] {
					clear(w.dseq[(b*a.t+o)*a.u : (b*a.t+o+1)*a.u])
				}
			}
		}
	}
	flat, err := output(op, prealloc, vals[0].Dtype(), tensor.Shape{op.size()})
	if err != nil {
		return nil, err
	}
	data := data[T](flat)
	clear(data) // the backward pass was written for fresh memory: it may add into parts
	if len(w.parts) != len(op.parts) {
		w.parts = make([][]T, len(op.parts))
	}
	parts := w.parts
	clear(parts)
	off := 0
	for i, s := range op.parts {
		if s != nil {
			parts[i] = data[off : off+s.TotalSize()]
			off += s.TotalSize()
		}
	}
	g := rnnGrads[T]{dx: parts[0], dw: parts[1], dr: parts[2]}
	if fwd.hasBias {
		g.db = parts[3]
	}
	rnnBackward(&fwd.spec, a, w, dseq, dFinal, g)
	return flat, nil
}

// rnnPartOp is a view of one input's gradient in the flat output of rnnGradOp.
type rnnPartOp struct {
	Base
	off   int
	shape tensor.Shape
}

// newRNNPart returns the view of forward input index's gradient, of the given shape at
// offset off; the forward op's id and the index identify it.
func newRNNPart(fwd *rnnOp, index, off int, shape tensor.Shape) *rnnPartOp {
	return newPartOp("∂part", fmt.Sprintf("%d #%d", index, fwd.id), off, shape)
}

// newPartOp returns the view of shape at offset off of a flat gradient, for the backward ops
// that compute the gradients of several inputs at once (the recurrent and Dense ops); name
// and params must identify it among all ops.
func newPartOp(name, params string, off int, shape tensor.Shape) *rnnPartOp {
	b := Base{Name: name, Params: params, Inputs: 1, SharesInput: true}
	return &rnnPartOp{Base: b, off: off, shape: shape}
}

// Type returns flat → gradient.
func (op *rnnPartOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 1, Of: a}, G.TensorType{Dims: len(op.shape), Of: a})
}

// InferShape returns the gradient's shape.
func (op *rnnPartOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }

// Do returns the view.
func (op *rnnPartOp) Do(vals ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(vals) != 1 {
		return nil, fmt.Errorf("recurrent gradient part takes 1 input, got %d", len(vals))
	}
	t, ok := vals[0].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("recurrent gradient part: input is a %T", vals[0])
	}
	n := op.shape.TotalSize()
	var back any
	switch t.Dtype() {
	case tensor.Float32:
		back = t.Float32s()[op.off : op.off+n]
	case tensor.Float64:
		back = t.Float64s()[op.off : op.off+n]
	default:
		return nil, fmt.Errorf("recurrent gradient part: %v values", t.Dtype())
	}
	return tensor.New(tensor.WithShape(op.shape.Clone()...), tensor.WithBacking(back)), nil
}
