package layers

import (
	"fmt"
	"hash"
	"hash/fnv"
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
// value (B, u). The layer takes the parts it returns with Slice and Reshape; the parts never
// overlap, so Gorgonia's in-place ops on one cannot change another.
//
// In training graphs the op keeps, privately, what its backward op needs: the input, the
// states and the gate values of its last run. The backward op never reads the values in the
// graph, which Gorgonia may overwrite in place once it believes them dead.
type rnnOp struct {
	spec    rnnSpec
	id      int64
	hasBias bool
	hasMask bool
	needDX  bool // the input is computed (not fed), so the loss may depend on it
	keep    bool
	work    any // *rnnWork[float32] or *rnnWork[float64]
}

var (
	_ G.SDOp = (*rnnOp)(nil)
	_ G.Op   = (*rnnGradOp)(nil)
	_ G.Op   = (*rnnPartOp)(nil)
)

func newRNNOp(spec rnnSpec, hasBias, hasMask, needDX, keep bool) *rnnOp {
	return &rnnOp{spec: spec, id: rnnOpCount.Add(1), hasBias: hasBias, hasMask: hasMask, needDX: needDX, keep: keep}
}

func (op *rnnOp) biasDims() int {
	if op.spec.kind == kindGRU && op.spec.resetAfter {
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

// Arity returns the number of inputs.
func (op *rnnOp) Arity() int { return len(op.inputTypes(nil)) }

// Type returns x → kernel → recurrent [→ bias] [→ mask] → out.
func (op *rnnOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(append(op.inputTypes(a), G.TensorType{Dims: 2, Of: a})...)
}

// outShape is the output's shape for an input of shape x.
func (op *rnnOp) outShape(x tensor.Shape) tensor.Shape {
	b, t, u := x[0], x[1], op.spec.units
	return tensor.Shape{op.spec.states(), b*t*u + b*u}
}

// InferShape returns (S, B·T·u + B·u) after checking the inputs' shapes.
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
	gu := op.spec.gates() * op.spec.units
	if !s[1].Eq(tensor.Shape{x[2], gu}) {
		return fmt.Errorf("recurrent op: kernel shape %v, want (%d, %d)", s[1], x[2], gu)
	}
	if !s[2].Eq(tensor.Shape{op.spec.units, gu}) {
		return fmt.Errorf("recurrent op: recurrent kernel shape %v, want (%d, %d)", s[2], op.spec.units, gu)
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
func (op *rnnOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != op.Arity() {
		return nil, fmt.Errorf("recurrent op takes %d inputs, got %d", op.Arity(), len(vals))
	}
	switch vals[0].Dtype() {
	case tensor.Float32:
		return rnnDo[float32](op, vals)
	case tensor.Float64:
		return rnnDo[float64](op, vals)
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
func seqOf[T float](op *rnnOp, vals []G.Value, weightsOnly bool) (*seqData[T], error) {
	ds := make([][]T, len(vals))
	shapes := make([]tensor.Shape, len(vals))
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
	a := &seqData[T]{b: x[0], t: x[1], f: x[2], u: op.spec.units, x: ds[0], w: ds[1], r: ds[2]}
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

func rnnDo[T float](op *rnnOp, vals []G.Value) (G.Value, error) {
	a, err := seqOf[T](op, vals, false)
	if err != nil {
		return nil, err
	}
	w := workOf[T](op)
	n := a.b * a.t * a.u
	w.states = buf(w.states, op.spec.states()*n)
	a.out = w.states
	if op.keep {
		w.x = append(w.x[:0], a.x...)
	}
	rnnForward(&op.spec, a, w, op.keep)
	shape := op.outShape(vals[0].Shape())
	out := tensor.New(tensor.WithShape(shape...), tensor.Of(vals[0].Dtype()))
	data := out.Data().([]T)
	finals := [][]T{w.h, w.c}
	for k := range op.spec.states() {
		row := data[k*shape[1] : (k+1)*shape[1]]
		copy(row, w.states[k*n:(k+1)*n])
		copy(row[n:], finals[k])
	}
	if op.spec.zeroMasked && a.mask != nil {
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
	d, ok := t.Data().([]T)
	if !ok {
		return nil, fmt.Errorf("value holds %v, want %T", t.Dtype(), *new(T))
	}
	n := t.Shape().TotalSize()
	if len(d) < n {
		return nil, fmt.Errorf("value of shape %v holds %d elements", t.Shape(), len(d))
	}
	return d[:n], nil
}

// ReturnsPtr is false: the output is a new tensor.
func (op *rnnOp) ReturnsPtr() bool { return false }

// CallsExtern is false.
func (op *rnnOp) CallsExtern() bool { return false }

// OverwritesInput is -1: no input is overwritten.
func (op *rnnOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's unique id: two calls of a layer are never merged.
func (op *rnnOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "rnn#%d", op.id) }

// Hashcode returns the hash of WriteHash.
func (op *rnnOp) Hashcode() uint32 { return hashOf(op) }

func (op *rnnOp) String() string {
	return fmt.Sprintf("%s{units=%d}#%d", [...]string{"LSTM", "GRU", "SimpleRNN"}[op.spec.kind], op.spec.units, op.id)
}

func hashOf(op G.Op) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
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
	diff := op.DiffWRT(len(inputs))
	gop := &rnnGradOp{fwd: fwd}
	for i, in := range inputs {
		if diff[i] {
			gop.parts = append(gop.parts, in.Shape().Clone())
		} else {
			gop.parts = append(gop.parts, nil)
		}
	}
	args := append(append(G.Nodes{}, inputs...), output, grad)
	flat, err := G.ApplyOp(gop, args...)
	if err != nil {
		return nil, err
	}
	res := make(G.Nodes, len(inputs))
	off := 0
	for i, s := range gop.parts {
		if s == nil {
			continue
		}
		if res[i], err = G.ApplyOp(&rnnPartOp{id: fwd.id, index: i, off: off, shape: s}, flat); err != nil {
			return nil, err
		}
		off += s.TotalSize()
	}
	return res, nil
}

// rnnGradOp computes the gradients of one call of a recurrent layer from the values its
// forward op kept. Inputs: the forward op's inputs, its output (read for the order of
// execution only) and the gradient with respect to the output. Output: the gradients of the
// differentiable inputs, flattened one after the other.
type rnnGradOp struct {
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

// Arity returns the forward op's arity plus 2.
func (op *rnnGradOp) Arity() int { return op.fwd.Arity() + 2 }

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
func (op *rnnGradOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != op.Arity() {
		return nil, fmt.Errorf("recurrent gradient op takes %d inputs, got %d", op.Arity(), len(vals))
	}
	switch vals[0].Dtype() {
	case tensor.Float32:
		return rnnGradDo[float32](op, vals)
	case tensor.Float64:
		return rnnGradDo[float64](op, vals)
	}
	return nil, fmt.Errorf("recurrent gradient op: %v inputs are not supported", vals[0].Dtype())
}

func rnnGradDo[T float](op *rnnGradOp, vals []G.Value) (G.Value, error) {
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
	// Split the output's gradient into the per-step part (S, B, T, u) and the final states'.
	bt := a.b * a.t * a.u
	row := bt + a.b*a.u
	states := fwd.spec.states()
	if len(dOut) != states*row {
		return nil, fmt.Errorf("recurrent gradient op: output gradient holds %d values, want %d", len(dOut), states*row)
	}
	w.dseq = buf(w.dseq, states*bt)
	dFinal := make([]T, 0, states*a.b*a.u)
	for k := range states {
		copy(w.dseq[k*bt:(k+1)*bt], dOut[k*row:k*row+bt])
		dFinal = append(dFinal, dOut[k*row+bt:(k+1)*row]...)
	}
	if fwd.spec.zeroMasked {
		// The output is a constant 0 at masked steps: nothing flows back from there.
		for b := range a.b {
			for st := range a.t {
				if _, o := fwd.spec.index(st, a.t); !w.valid[st*a.b+b] {
					clear(w.dseq[(b*a.t+o)*a.u : (b*a.t+o+1)*a.u])
				}
			}
		}
	}
	flat := tensor.New(tensor.WithShape(op.size()), tensor.Of(vals[0].Dtype()))
	data := flat.Data().([]T)
	parts := make([][]T, len(op.parts))
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
	rnnBackward(&fwd.spec, a, w, w.dseq, dFinal, g)
	return flat, nil
}

// ReturnsPtr is false.
func (op *rnnGradOp) ReturnsPtr() bool { return false }

// CallsExtern is false.
func (op *rnnGradOp) CallsExtern() bool { return false }

// OverwritesInput is -1.
func (op *rnnGradOp) OverwritesInput() int { return -1 }

// WriteHash writes the forward op's id.
func (op *rnnGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "rnngrad#%d", op.fwd.id) }

// Hashcode returns the hash of WriteHash.
func (op *rnnGradOp) Hashcode() uint32 { return hashOf(op) }

func (op *rnnGradOp) String() string { return fmt.Sprintf("∂%v", op.fwd) }

// rnnPartOp is a view of one input's gradient in the flat output of rnnGradOp.
type rnnPartOp struct {
	id    int64 // the forward op's
	index int   // the forward input whose gradient this is
	off   int
	shape tensor.Shape
}

// Arity is 1.
func (op *rnnPartOp) Arity() int { return 1 }

// Type returns flat → gradient.
func (op *rnnPartOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 1, Of: a}, G.TensorType{Dims: len(op.shape), Of: a})
}

// InferShape returns the gradient's shape.
func (op *rnnPartOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }

// Do returns the view.
func (op *rnnPartOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 1 {
		return nil, fmt.Errorf("recurrent gradient part takes 1 input, got %d", len(vals))
	}
	t, ok := vals[0].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("recurrent gradient part: input is a %T", vals[0])
	}
	n := op.shape.TotalSize()
	var back any
	switch d := t.Data().(type) {
	case []float32:
		back = d[op.off : op.off+n]
	case []float64:
		back = d[op.off : op.off+n]
	default:
		return nil, fmt.Errorf("recurrent gradient part: %v values", t.Dtype())
	}
	return tensor.New(tensor.WithShape(op.shape.Clone()...), tensor.WithBacking(back)), nil
}

// ReturnsPtr is true: the output shares the input's memory.
func (op *rnnPartOp) ReturnsPtr() bool { return true }

// CallsExtern is false.
func (op *rnnPartOp) CallsExtern() bool { return false }

// OverwritesInput is -1.
func (op *rnnPartOp) OverwritesInput() int { return -1 }

// WriteHash writes the forward op's id and the input index.
func (op *rnnPartOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "rnnpart#%d.%d", op.id, op.index) }

// Hashcode returns the hash of WriteHash.
func (op *rnnPartOp) Hashcode() uint32 { return hashOf(op) }

func (op *rnnPartOp) String() string { return fmt.Sprintf("∂part%d#%d", op.index, op.id) }
