package ops

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Pooling ops for channels-last images; see conv.go for the window and the helpers they
// share.

// pool2DOp is max or average pooling over (B, H, W, C), per channel, or over (B, steps, C)
// read as an image of height 1 (oneD), which the 1-D poolings use as it is instead of a
// copy reshaped to 4-D and a second copy of the gradient back. Padded positions never win a
// max (Keras pads with -inf) and are left out of an average's count (Keras divides by the
// number of real positions in the window).
type pool2DOp struct {
	Base
	w    Window
	avg  bool
	oneD bool       // x is (B, steps, C) and the output (B, out steps, C)
	st   *poolState // nil in an op that keeps nothing (the gradient op's copy in tests)
}

// poolState is what a pooling op keeps between runs: its output, and for max pooling the
// position of each window's maximum, which the gradient op reads in the same run to route
// the gradient in one pass instead of searching every window of x again.
type poolState struct {
	out      scratch
	arg      []int32 // per output element: the index in x of its window's first maximum
	argValid bool    // arg describes the x of the last forward run, not yet consumed
}

var (
	_ G.SDOp            = pool2DOp{}
	_ G.UsePreallocDoer = pool2DOp{}
	_ G.UsePreallocDoer = pool2DGradOp{}
)

// newPool2D returns max pooling, or average pooling with avg, over window w.
func newPool2D(w Window, avg bool) pool2DOp {
	name := "maxPoolNHWC"
	if avg {
		name = "avgPoolNHWC"
	}
	return pool2DOp{Base: Base{Name: name, Params: w.String(), Inputs: 1}, w: w, avg: avg, st: new(poolState)}
}

// Pool2D applies max pooling, or average pooling with avg, over window w (no dilation) to the
// (B, H, W, C) node x, with Keras's treatment of padded positions. A 1-D window (KH 1) also
// takes a (B, steps, C) x, and then returns (B, out steps, C).
func Pool2D(x *G.Node, w Window, avg bool) (*G.Node, error) {
	op := newPool2D(w, avg)
	if x.Dims() == 3 && w.KH == 1 {
		op.oneD = true
		op.Params += " 1-D"
	}
	return G.ApplyOp(op, x)
}

// rank is the rank of the op's input and output.
func (op pool2DOp) rank() int {
	if op.oneD {
		return 3
	}
	return 4
}

// image reads x's sizes as an image (batch, height, width, channels).
func (op pool2DOp) image(s tensor.Shape) (b, h, wd, c int, err error) {
	switch {
	case op.oneD && len(s) == 3:
		return s[0], 1, s[1], s[2], nil
	case !op.oneD && len(s) == 4:
		return s[0], s[1], s[2], s[3], nil
	}
	return 0, 0, 0, 0, fmt.Errorf("%v: expected a %d-D tensor, got shape %v", op, op.rank(), s)
}

// imageShape is the shape of a b×h×wd×c image in the op's layout.
func (op pool2DOp) imageShape(b, h, wd, c int) tensor.Shape {
	if op.oneD {
		return tensor.Shape{b, wd, c}
	}
	return tensor.Shape{b, h, wd, c}
}

// imageValue returns v as a contiguous float tensor with its image sizes.
func (op pool2DOp) imageValue(v G.Value) (d *tensor.Dense, b, h, wd, c int, err error) {
	if d, err = dense(op, v); err != nil {
		return nil, 0, 0, 0, 0, err
	}
	b, h, wd, c, err = op.image(d.Shape())
	return d, b, h, wd, c, err
}

// Type returns a tensor → a tensor of the same rank (4, or 3 for oneD) and dtype.
func (op pool2DOp) Type() hm.Type { return hm.NewFnType(rankType(op.rank()), rankType(op.rank())) }

// InferShape returns (B, oh, ow, C), or (B, ow, C) for oneD.
func (op pool2DOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%v: expected a shape, got %v", op, in[0])
	}
	b, h, wd, c, err := op.image(s)
	if err != nil {
		return nil, err
	}
	oh, ow := op.w.Out(h, wd)
	return op.imageShape(b, oh, ow, c), nil
}

// Do pools every window into the op's kept memory.
func (op pool2DOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

// UsePreallocDo pools every window into prealloc, a tensor of the output's shape and dtype,
// or into the op's kept memory when prealloc is nil. Max pooling also records where each
// maximum is, for the gradient op.
func (op pool2DOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(in) != 1 {
		return nil, fmt.Errorf("%v takes 1 input, got %d", op, len(in))
	}
	x, b, h, wd, c, err := op.imageValue(in[0])
	if err != nil {
		return nil, err
	}
	oh, ow := op.w.Out(h, wd)
	var buf *scratch
	var arg []int32
	if op.st != nil {
		buf = &op.st.out
		op.st.argValid = false
		if n := b * oh * ow * c; !op.avg && x.Shape().TotalSize() <= math.MaxInt32 {
			if cap(op.st.arg) < n {
				op.st.arg = make([]int32, n)
			}
			arg = op.st.arg[:n]
		}
	}
	out, err := outputInto(op, buf, prealloc, x.Dtype(), op.imageShape(b, oh, ow, c))
	if err != nil {
		return nil, err
	}
	switch x.Dtype() {
	case tensor.Float32:
		pool2D(buf.splitter(), op, x.Float32s(), out.Float32s(), arg, b, h, wd, c, oh, ow)
	default:
		pool2D(buf.splitter(), op, x.Float64s(), out.Float64s(), arg, b, h, wd, c, oh, ow)
	}
	if arg != nil {
		op.st.arg, op.st.argValid = arg, true
	}
	return out, nil
}

// DiffWRT: the op is differentiable with respect to its input.
func (op pool2DOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff adds the gradient op, which reads x too for max pooling.
func (op pool2DOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	_, h, wd, c, err := op.image(in[0].Shape())
	if err != nil {
		return nil, err
	}
	gop := newPool2DGrad(op, h, wd, c, new(scratch))
	var dx *G.Node
	if op.avg {
		dx, err = G.ApplyOp(gop, grad)
	} else {
		dx, err = G.ApplyOp(gop, in[0], grad)
	}
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

// windowRange returns the real (unpadded) input positions [lo, hi) of output position o
// along an axis of length n, and the first window index they correspond to. Pooling has no
// dilation.
func windowRange(o, s, pad, k, n int) (lo, hi int) {
	start := o*s - pad
	return max(start, 0), min(start+k, n)
}

// pool2D pools x into y; for max pooling with arg set it also writes the index in x of each
// output's (first) maximum into arg. The rows b·oh of output positions are split over the
// cores with sp's helpers (parallel.go; a nil sp allocates its state).
func pool2D[T float32 | float64](sp *split, op pool2DOp, x, y []T, arg []int32, b, h, wd, c, oh, ow int) {
	if op.avg {
		avgPool2D(sp, op.w, x, y, b, h, wd, c, oh, ow)
		return
	}
	sp, j := jobOf[maxPoolJob[T]](sp)
	*j = maxPoolJob[T]{w: op.w, x: x, y: y, arg: arg, h: h, wd: wd, c: c, oh: oh, ow: ow}
	sp.parallelFor(b*oh, j)
	*j = maxPoolJob[T]{}
}

// maxPoolJob is max pooling's work, the operands of one call.
type maxPoolJob[T float32 | float64] struct {
	w                Window
	x, y             []T
	arg              []int32
	h, wd, c, oh, ow int
}

// run pools output rows lo … hi-1.
func (job *maxPoolJob[T]) run(_, rlo, rhi int) {
	w, x, y, arg, h, wd, c, oh, ow := job.w, job.x, job.y, job.arg, job.h, job.wd, job.c, job.oh, job.ow
	for r := rlo; r < rhi; r++ {
		bi, oy := r/oh, r%oh
		ylo, yhi := windowRange(oy, w.SH, w.Top, w.KH, h)
		for ox := 0; ox < ow; ox++ {
			xlo, xhi := windowRange(ox, w.SW, w.Left, w.KW, wd)
			dst := y[(r*ow+ox)*c : (r*ow+ox+1)*c]
			var at []int32
			if arg != nil {
				at = arg[(r*ow+ox)*c : (r*ow+ox+1)*c]
			}
			first := true
			for iy := ylo; iy < yhi; iy++ {
				for ix := xlo; ix < xhi; ix++ {
					from := ((bi*h+iy)*wd + ix) * c
					src := x[from : from+c]
					switch {
					case first:
						copy(dst, src)
						for ch := range at {
							at[ch] = int32(from + ch)
						}
						first = false
					case at != nil:
						maxArgRow(dst, src, at, int32(from))
					default:
						maxRow(dst, src)
					}
				}
			}
		}
	}
}

// avgPool2D is pool2D's average pooling. It sums each window in float64 and divides once:
// a float32 running sum over a 7x7 window (GlobalAveragePooling2D at the end of most
// applications, every squeeze-and-excitation block of EfficientNet) made kerago's float32
// 2.3 times as far from the float64 result as Keras's (XLA splits long reductions), and a
// rounded 1/n scales every channel the same wrong way (docs/applications.md).
func avgPool2D[T float32 | float64](sp *split, w Window, x, y []T, b, h, wd, c, oh, ow int) {
	sp, j := jobOf[avgPoolJob[T]](sp)
	acc := j.acc
	*j = avgPoolJob[T]{w: w, x: x, y: y, h: h, wd: wd, c: c, oh: oh, ow: ow, acc: acc}
	sp.parallelFor(b*oh, j)
	j.x, j.y = nil, nil
}

// avgPoolJob is average pooling's work: the operands of one call, and a row of sums per
// part, kept from call to call.
type avgPoolJob[T float32 | float64] struct {
	w                Window
	x, y             []T
	h, wd, c, oh, ow int
	acc              [][]float64
}

// prepare gives each of the call's parts its row of c sums.
func (job *avgPoolJob[T]) prepare(parts int) {
	for len(job.acc) < parts {
		job.acc = append(job.acc, nil)
	}
	for p := range parts {
		if cap(job.acc[p]) < job.c {
			job.acc[p] = make([]float64, job.c)
		}
		job.acc[p] = job.acc[p][:job.c]
	}
}

// run pools output rows rlo … rhi-1.
func (job *avgPoolJob[T]) run(part, rlo, rhi int) {
	w, x, y, h, wd, c, oh, ow := job.w, job.x, job.y, job.h, job.wd, job.c, job.oh, job.ow
	acc := job.acc[part]
	for r := rlo; r < rhi; r++ {
		bi, oy := r/oh, r%oh
		ylo, yhi := windowRange(oy, w.SH, w.Top, w.KH, h)
		for ox := 0; ox < ow; ox++ {
			xlo, xhi := windowRange(ox, w.SW, w.Left, w.KW, wd)
			clear(acc)
			for iy := ylo; iy < yhi; iy++ {
				for ix := xlo; ix < xhi; ix++ {
					from := ((bi*h+iy)*wd + ix) * c
					for ch, v := range x[from : from+c] {
						acc[ch] += float64(v)
					}
				}
			}
			n := float64((yhi - ylo) * (xhi - xlo))
			dst := y[(r*ow+ox)*c : (r*ow+ox+1)*c]
			for ch := range dst {
				dst[ch] = T(acc[ch] / n)
			}
		}
	}
}

// pool2DGradOp is the gradient of pool2DOp: inputs (x, dy) for max pooling, (dy) for
// average pooling. Max pooling routes each window's gradient to its first maximal position;
// average pooling spreads it evenly over the window's real positions.
type pool2DGradOp struct {
	Base
	pool     pool2DOp
	h, wd, c int
	buf      *scratch // when set, holds the output from run to run
}

// newPool2DGrad returns the gradient of pool for an h×wd×c image; buf may be nil.
func newPool2DGrad(pool pool2DOp, h, wd, c int, buf *scratch) pool2DGradOp {
	inputs := 2 // x and dy: the max's position depends on x
	if pool.avg {
		inputs = 1
	}
	params := fmt.Sprintf("%v, image %dx%dx%d", pool, h, wd, c)
	return pool2DGradOp{Base: Base{Name: "grad", Params: params, Inputs: inputs}, pool: pool, h: h, wd: wd, c: c, buf: buf}
}

// Type returns (x →) dy → dx: max pooling reads x to find each window's maximum.
func (op pool2DGradOp) Type() hm.Type {
	t := rankType(op.pool.rank())
	if op.pool.avg {
		return hm.NewFnType(t, t)
	}
	return hm.NewFnType(t, t, t)
}

// InferShape returns the image's shape (B, H, W, C), or (B, W, C) for a 1-D pooling.
func (op pool2DGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[len(in)-1].(tensor.Shape)
	if !ok || len(s) != op.pool.rank() {
		return nil, fmt.Errorf("%v: expected a %d-D shape, got %v", op, op.pool.rank(), in[len(in)-1])
	}
	return op.pool.imageShape(s[0], op.h, op.wd, op.c), nil
}

// Do routes or spreads each window's gradient into the op's kept memory.
func (op pool2DGradOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

// UsePreallocDo routes or spreads each window's gradient into prealloc, a tensor of the
// image's shape and dtype, or into the op's kept memory when prealloc is nil. Max pooling
// routes through the positions its forward op recorded in this run when it has them.
func (op pool2DGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(in) != op.Arity() {
		return nil, fmt.Errorf("%v takes %d inputs, got %d", op, op.Arity(), len(in))
	}
	dy, b, oh, ow, _, err := op.pool.imageValue(in[len(in)-1])
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	out, err := outputInto(op, op.buf, prealloc, dy.Dtype(), op.pool.imageShape(b, op.h, op.wd, op.c))
	if err != nil {
		return nil, err
	}
	if st := op.pool.st; !op.pool.avg && st != nil && st.argValid && len(st.arg) == dy.Shape().TotalSize() {
		st.argValid = false // the positions belong to this run only
		switch dy.Dtype() {
		case tensor.Float32:
			routeMax(op.buf.splitter(), st.arg, dy.Float32s(), out.Float32s(), b)
		default:
			routeMax(op.buf.splitter(), st.arg, dy.Float64s(), out.Float64s(), b)
		}
		return out, nil
	}
	out.Zero() // the gradient is scattered into zeros
	var x *tensor.Dense
	if !op.pool.avg {
		if x, err = dense(op, in[0]); err != nil {
			return nil, err
		}
	}
	switch dy.Dtype() {
	case tensor.Float32:
		var xs []float32
		if x != nil {
			xs = x.Float32s()
		}
		pool2DGrad(op.buf.splitter(), op, xs, dy.Float32s(), out.Float32s(), b, oh, ow)
	default:
		var xs []float64
		if x != nil {
			xs = x.Float64s()
		}
		pool2DGrad(op.buf.splitter(), op, xs, dy.Float64s(), out.Float64s(), b, oh, ow)
	}
	return out, nil
}

// routeMax adds each output gradient dy[i] to dx at the position arg[i] of its window's
// maximum, dx cleared first; the b images are the unit of parallel work (a window lies in
// one image), split over the cores with sp's helpers.
func routeMax[T float32 | float64](sp *split, arg []int32, dy, dx []T, b int) {
	sp, j := jobOf[routeMaxJob[T]](sp)
	*j = routeMaxJob[T]{arg: arg, dy: dy, dx: dx, per: len(dy) / max(b, 1), img: len(dx) / max(b, 1)}
	sp.parallelFor(b, j)
	*j = routeMaxJob[T]{}
}

// routeMaxJob is routeMax's work, the operands of one call.
type routeMaxJob[T float32 | float64] struct {
	arg      []int32
	dy, dx   []T
	per, img int // output gradients and image elements per image
}

// run routes the gradients of images lo … hi-1.
func (job *routeMaxJob[T]) run(_, lo, hi int) {
	arg, dy, dx := job.arg, job.dy, job.dx
	clear(dx[lo*job.img : hi*job.img])
	for i := lo * job.per; i < hi*job.per; i++ {
		dx[arg[i]] += dy[i]
	}
}

// pool2DGrad routes (max) or spreads (average) each window's gradient dy into dx, which must
// be zero, searching x for each window's maximum; images are the unit of parallel work, split
// over the cores with sp's helpers.
func pool2DGrad[T float32 | float64](sp *split, op pool2DGradOp, x, dy, dx []T, b, oh, ow int) {
	sp, j := jobOf[poolGradJob[T]](sp)
	arg, best := j.arg, j.best
	*j = poolGradJob[T]{op: op, x: x, dy: dy, dx: dx, oh: oh, ow: ow, arg: arg, best: best}
	sp.parallelFor(b, j)
	j.op, j.x, j.dy, j.dx = pool2DGradOp{}, nil, nil, nil
}

// poolGradJob is pool2DGrad's work: the operands of one call, and each part's running
// maxima and their positions, kept from call to call.
type poolGradJob[T float32 | float64] struct {
	op        pool2DGradOp
	x, dy, dx []T
	oh, ow    int
	arg       [][]int
	best      [][]T
}

// prepare gives each of the call's parts its rows of c positions and maxima.
func (job *poolGradJob[T]) prepare(parts int) {
	c := job.op.c
	for len(job.arg) < parts {
		job.arg, job.best = append(job.arg, nil), append(job.best, nil)
	}
	for p := range parts {
		if cap(job.arg[p]) < c {
			job.arg[p], job.best[p] = make([]int, c), make([]T, c)
		}
		job.arg[p], job.best[p] = job.arg[p][:c], job.best[p][:c]
		clear(job.arg[p]) // as fresh memory: an empty window's gradient goes to position 0
		clear(job.best[p])
	}
}

// run routes or spreads the gradients of images blo … bhi-1.
func (job *poolGradJob[T]) run(part, blo, bhi int) {
	op, x, dy, dx, oh, ow := job.op, job.x, job.dy, job.dx, job.oh, job.ow
	w, h, wd, c := op.pool.w, op.h, op.wd, op.c
	arg, best := job.arg[part], job.best[part]
	for bi := blo; bi < bhi; bi++ {
		for oy := 0; oy < oh; oy++ {
			ylo, yhi := windowRange(oy, w.SH, w.Top, w.KH, h)
			for ox := 0; ox < ow; ox++ {
				xlo, xhi := windowRange(ox, w.SW, w.Left, w.KW, wd)
				g := dy[((bi*oh+oy)*ow+ox)*c : ((bi*oh+oy)*ow+ox+1)*c]
				if op.pool.avg {
					inv := 1 / T((yhi-ylo)*(xhi-xlo))
					for iy := ylo; iy < yhi; iy++ {
						for ix := xlo; ix < xhi; ix++ {
							dst := dx[((bi*h+iy)*wd+ix)*c : ((bi*h+iy)*wd+ix+1)*c]
							for ch, v := range g {
								dst[ch] += v * inv
							}
						}
					}
					continue
				}
				first := true
				for iy := ylo; iy < yhi; iy++ {
					for ix := xlo; ix < xhi; ix++ {
						at := ((bi*h+iy)*wd + ix) * c
						src := x[at : at+c]
						for ch, v := range src {
							if first || v > best[ch] {
								best[ch], arg[ch] = v, at+ch
							}
						}
						first = false
					}
				}
				for ch, v := range g {
					dx[arg[ch]] += v
				}
			}
		}
	}
}
