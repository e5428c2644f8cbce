package ops

import (
	"fmt"
	"sync/atomic"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The convolution as one op: act(im2col(x)·K + b) forward in one matrix product and one pass
// over its result (the epilogue Dense uses, dense.go), and one backward op that computes the
// activation's derivative, dK, db and dX (a second product and col2im) together. Written with
// Gorgonia's ops the same layer is im2col, two reshapes, a MatMul, a broadcast add and an
// activation, each a tape instruction with a fresh result, and their gradients backward.
//
// A 1-D convolution runs on its (batch, steps, channels) input as it is: the op sees it as an
// image of height 1 without a reshape node. A 1×1, stride-1, unpadded window skips im2col:
// the input is its own patch matrix.

var convOpCount atomic.Int64

// convOp is act(conv(x, kernel) + bias) over channels-last x (B, H, W, C) or (B, steps, C),
// kernel (KH, KW, C, F) or (K, C, F) (any shape of KH·KW·C·F values, read as the matrix
// (KH·KW·C, F)) and bias (F,) or none; the output is (B, oh, ow, F) or (B, ow, F). The patch
// matrix and the output live in memory the op keeps between runs (see denseOp for why that
// is safe); the backward op reads the patches the forward op left there in the same run.
type convOp struct {
	Base
	w       Window
	act     DenseAct
	xDims   int
	kDims   int
	hasBias bool
	needDX  bool    // x is computed (not fed), so the loss may depend on it
	cols    scratch // im2col(x), (B·oh·ow, KH·KW·C)
	out     scratch
}

var (
	_ G.SDOp            = (*convOp)(nil)
	_ G.UsePreallocDoer = (*convOp)(nil)
	_ G.UsePreallocDoer = (*convGradOp)(nil)
)

// Conv returns act(conv(x, kernel) + bias) with window w as one op with a hand-written
// backward op: x is (B, H, W, C), or (B, steps, C) for a 1-D window (KH 1), kernel holds
// KH·KW·C·F values in Keras's (k..., C, F) order, bias is (F,) or nil. The operands must be
// float32 or float64 tensors of one dtype.
func Conv(x, kernel, bias *G.Node, w Window, act DenseAct) (*G.Node, error) {
	if act > DenseTanh {
		return nil, fmt.Errorf("conv: unknown fused activation %d", act)
	}
	if x.Dims() != 4 && !(x.Dims() == 3 && w.KH == 1) {
		return nil, fmt.Errorf("conv: want x (batch, height, width, channels) or, for a 1-D window, (batch, steps, channels); got %v", x.Shape())
	}
	if dt := x.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 || kernel.Dtype() != dt || bias != nil && bias.Dtype() != dt {
		return nil, fmt.Errorf("conv: want float32 or float64 operands of one dtype, got x %v, kernel %v", x.Dtype(), kernel.Dtype())
	}
	op := &convOp{w: w, act: act, xDims: x.Dims(), kDims: kernel.Dims(), hasBias: bias != nil, needDX: x.Op() != nil}
	args := G.Nodes{x, kernel}
	if bias != nil {
		args = append(args, bias)
	}
	if _, err := op.geometry(nodeShapes(args)); err != nil {
		return nil, err
	}
	op.Base = Base{Name: "conv", Params: fmt.Sprintf("%v %v #%d", w, act, convOpCount.Add(1)), Inputs: len(args)}
	return G.ApplyOp(op, args...)
}

func nodeShapes(ns G.Nodes) []tensor.Shape {
	s := make([]tensor.Shape, len(ns))
	for i, n := range ns {
		s[i] = n.Shape()
	}
	return s
}

// convGeom is one run's sizes: the image b×h×wd×c, the output positions oh×ow, the patch
// length k and the filters f.
type convGeom struct {
	b, h, wd, c, oh, ow, k, f int
}

func (g convGeom) rows() int { return g.b * g.oh * g.ow }

// geometry checks the operands' shapes and returns the sizes they give.
func (op *convOp) geometry(s []tensor.Shape) (convGeom, error) {
	if len(s) != 2 && len(s) != 3 {
		return convGeom{}, fmt.Errorf("conv takes 2 or 3 inputs, got %d", len(s))
	}
	x, kern := s[0], s[1]
	var g convGeom
	switch len(x) {
	case 4:
		g.b, g.h, g.wd, g.c = x[0], x[1], x[2], x[3]
	case 3:
		g.b, g.h, g.wd, g.c = x[0], 1, x[1], x[2]
	default:
		return g, fmt.Errorf("conv: input shape %v is neither 3-D nor 4-D", x)
	}
	if len(kern) < 2 {
		return g, fmt.Errorf("conv: kernel shape %v, want (k..., %d, filters)", kern, g.c)
	}
	g.f = kern[len(kern)-1]
	g.k = op.w.KH * op.w.KW * g.c
	if kern.TotalSize() != g.k*g.f || kern[len(kern)-2] != g.c {
		return g, fmt.Errorf("conv: kernel shape %v does not fit a %dx%d window over %d channels", kern, op.w.KH, op.w.KW, g.c)
	}
	if len(s) == 3 && (len(s[2]) != 1 || s[2][0] != g.f) {
		return g, fmt.Errorf("conv: bias shape %v, want (%d)", s[2], g.f)
	}
	g.oh, g.ow = op.w.Out(g.h, g.wd)
	if g.oh <= 0 || g.ow <= 0 {
		return g, fmt.Errorf("conv: window %v does not fit an image of %dx%d", op.w, g.h, g.wd)
	}
	return g, nil
}

func (op *convOp) outShape(g convGeom) tensor.Shape {
	if op.xDims == 3 {
		return tensor.Shape{g.b, g.ow, g.f}
	}
	return tensor.Shape{g.b, g.oh, g.ow, g.f}
}

func (op *convOp) inputTypes(a hm.Type) []hm.Type {
	ts := []hm.Type{G.TensorType{Dims: op.xDims, Of: a}, G.TensorType{Dims: op.kDims, Of: a}}
	if op.hasBias {
		ts = append(ts, G.TensorType{Dims: 1, Of: a})
	}
	return ts
}

// Type returns x → kernel [→ bias] → y, y of x's rank.
func (op *convOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(append(op.inputTypes(a), G.TensorType{Dims: op.xDims, Of: a})...)
}

// InferShape returns (B, oh, ow, F), or (B, ow, F) for a 3-D x.
func (op *convOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	shapes, err := G.DimSizersToShapes(in)
	if err != nil {
		return nil, err
	}
	g, err := op.geometry(shapes)
	if err != nil {
		return nil, err
	}
	return op.outShape(g), nil
}

// convArgs are one run's operands: the patch matrix (rows, k), the kernel (k, f), the bias.
type convArgs[T float] struct {
	convGeom
	x, cols, w, bias []T
}

// convArgsOf reads the operands of one run; with im2col it also fills the patch matrix. The
// operands are returned by value: a pointer to them escaped, an allocation per run.
func convArgsOf[T float](op *convOp, vals []G.Value, im2colToo bool) (a convArgs[T], err error) {
	if len(vals) != op.Arity() {
		return a, fmt.Errorf("%v takes %d inputs, got %d", op, op.Arity(), len(vals))
	}
	var held [5]tensor.Shape // x, kernel, bias, and the backward op's y and dy: no allocation
	shapes := held[:0]
	for _, v := range vals {
		shapes = append(shapes, v.Shape())
	}
	if a.convGeom, err = op.geometry(shapes); err != nil {
		return a, fmt.Errorf("%v: %w", op, err)
	}
	g := a.convGeom
	if a.x, err = dataOf[T](vals[0]); err != nil {
		return a, fmt.Errorf("%v, x: %w", op, err)
	}
	if a.w, err = dataOf[T](vals[1]); err != nil {
		return a, fmt.Errorf("%v, kernel: %w", op, err)
	}
	if op.hasBias {
		if a.bias, err = dataOf[T](vals[2]); err != nil {
			return a, fmt.Errorf("%v, bias: %w", op, err)
		}
	}
	switch {
	case op.w.Trivial():
		a.cols = a.x
	case im2colToo:
		// im2col writes every element, padding included, so the memory need not be cleared.
		a.cols = data[T](op.cols.dense(vals[0].Dtype(), false, g.rows()*g.k))
		im2col(op.cols.splitter(), op.w, a.x, a.cols, g.b, g.h, g.wd, g.c, g.oh, g.ow)
	default:
		// The backward op reads the patches its forward op computed in this run.
		var ok bool
		if a.cols, ok = scratchKept[T](&op.cols, g.rows()*g.k); !ok {
			return a, fmt.Errorf("%v: the backward pass ran before the forward pass", op)
		}
	}
	return a, nil
}

// Do computes act(im2col(x)·K + b) into the op's memory.
func (op *convOp) Do(vals ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, vals...) }

// UsePreallocDo computes the convolution into prealloc, a tensor of the output's shape and
// dtype, or into the op's own memory when prealloc is nil.
func (op *convOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(vals) == 0 {
		return nil, fmt.Errorf("%v takes %d inputs, got none", op, op.Arity())
	}
	switch vals[0].Dtype() {
	case tensor.Float32:
		return convDo[float32](op, prealloc, vals)
	case tensor.Float64:
		return convDo[float64](op, prealloc, vals)
	}
	return nil, fmt.Errorf("%v: %v inputs are not supported (float32, float64)", op, vals[0].Dtype())
}

func convDo[T float](op *convOp, prealloc G.Value, vals []G.Value) (G.Value, error) {
	a, err := convArgsOf[T](op, vals, true)
	if err != nil {
		return nil, err
	}
	out, err := outputInto(op, &op.out, prealloc, vals[0].Dtype(), op.outShape(a.convGeom))
	if err != nil {
		return nil, err
	}
	y := data[T](out)
	if a.k == 0 {
		clear(y)
	} else if a.rows() > 0 && a.f > 0 {
		gemm(false, false, a.rows(), a.f, a.k, a.cols, a.k, a.w, a.f, 0, y, a.f)
	}
	biasAct(y, a.bias, a.f, op.act)
	return out, nil
}

// outputInto returns the tensor an op writes its result of the given shape into: prealloc,
// checked, or else a header over the op's kept memory buf. It is generic so that a value-typed
// op (the pooling ops) is not boxed into an interface on every run, and shape stays off the
// heap, so callers may build it on their stack.
func outputInto[O fmt.Stringer](op O, buf *scratch, prealloc G.Value, dt tensor.Dtype, shape tensor.Shape) (*tensor.Dense, error) {
	if prealloc == nil {
		return buf.dense(dt, false, shape...), nil
	}
	return output(op, prealloc, dt, shape)
}

// DiffWRT: differentiable with respect to x (when it is computed), the kernel and the bias.
func (op *convOp) DiffWRT(n int) []bool {
	return diffAllButFirst(n, op.needDX)
}

// SymDiff adds the backward op, which computes every gradient at once into one flat vector,
// and a view of it per input.
func (op *convOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	gop := &convGradOp{Base: Base{Name: "∂conv", Params: op.Params, Inputs: op.Inputs + 2}, fwd: op}
	gop.parts = gradShapes(inputs, op.DiffWRT(len(inputs)))
	return flatGradients(gop, gop.parts, inputs, output, grad, func(i, off int, s tensor.Shape) G.Op {
		return newPartOp("∂conv_part", fmt.Sprintf("%d %s", i, op.Params), off, s)
	})
}

// convGradOp computes the gradients of one conv op. Inputs: the forward op's inputs, its
// output y (the activation's derivative is computed from it) and dy. Output: the gradients
// of the differentiable inputs, flattened one after the other into memory the op keeps.
type convGradOp struct {
	Base
	fwd   *convOp
	parts []tensor.Shape // per forward input: the gradient's shape, nil if none
	grad  scratch        // the flat [dX | dK | db]
	dz    scratch        // dy ⊙ act'(y)
	dcols scratch        // the patches' gradient dz·Kᵀ, before col2im
	dwT   scratch        // dKᵀ, when kernelGrad computes it transposed
}

func (op *convGradOp) size() int {
	n := 0
	for _, s := range op.parts {
		n += s.TotalSize() // a nil shape's TotalSize is 0
	}
	return n
}

// Type returns inputs → y → dy → flat gradients.
func (op *convGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	y := G.TensorType{Dims: op.fwd.xDims, Of: a}
	ts := append(op.fwd.inputTypes(a), y, y, G.TensorType{Dims: 1, Of: a})
	return hm.NewFnType(ts...)
}

// InferShape returns the flat length.
func (op *convGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.size()}, nil
}

// Do computes the gradients into the op's memory.
func (op *convGradOp) Do(vals ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, vals...) }

// UsePreallocDo computes the gradients into prealloc, a vector of the flat length, or into
// the op's own memory when prealloc is nil.
func (op *convGradOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(vals) != op.Arity() {
		return nil, fmt.Errorf("%v takes %d inputs, got %d", op, op.Arity(), len(vals))
	}
	switch vals[0].Dtype() {
	case tensor.Float32:
		return convGradDo[float32](op, prealloc, vals)
	case tensor.Float64:
		return convGradDo[float64](op, prealloc, vals)
	}
	return nil, fmt.Errorf("%v: %v inputs are not supported (float32, float64)", op, vals[0].Dtype())
}

func convGradDo[T float](op *convGradOp, prealloc G.Value, vals []G.Value) (G.Value, error) {
	fwd := op.fwd
	n := fwd.Arity()
	a, err := convArgsOf[T](fwd, vals[:n], false)
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
	rows, size := a.rows(), a.rows()*a.f
	if len(y) != size || len(dy) != size {
		return nil, fmt.Errorf("%v: output holds %d values and its gradient %d, want %d", op, len(y), len(dy), size)
	}
	dt := vals[0].Dtype()
	flat, err := outputInto(op, &op.grad, prealloc, dt, tensor.Shape{op.size()})
	if err != nil {
		return nil, err
	}
	g := data[T](flat)
	var dx, dw, db []T
	off := 0
	if op.parts[0] != nil {
		dx, off = g[:len(a.x)], len(a.x)
	}
	dw, off = g[off:off+a.k*a.f], off+a.k*a.f
	if fwd.hasBias {
		db = g[off : off+a.f]
	}
	if rows == 0 || a.k == 0 || a.f == 0 {
		clear(g)
		return flat, nil
	}
	// dz = dy ⊙ act′(y) and db = Σ dz over rows in one pass, dK = colsᵀ·dz,
	// dX = col2im(dz·Kᵀ).
	dz := dy
	if fwd.act != DenseLinear {
		dz = data[T](op.dz.dense(dt, false, size))
	}
	actGradSums(dz, db, y, dy, a.f, fwd.act)
	kernelGrad(rows, a.k, a.f, a.cols, dz, dw, &op.dwT)
	if dx == nil {
		return flat, nil
	}
	if fwd.w.Trivial() {
		gemm(false, true, rows, a.k, a.f, dz, a.f, a.w, a.f, 0, dx, a.k)
		return flat, nil
	}
	dcols := data[T](op.dcols.dense(dt, false, rows*a.k))
	gemm(false, true, rows, a.k, a.f, dz, a.f, a.w, a.f, 0, dcols, a.k)
	clear(dx) // col2im accumulates
	col2im(op.dcols.splitter(), fwd.w, dcols, dx, a.b, a.h, a.wd, a.c, a.oh, a.ow)
	return flat, nil
}
