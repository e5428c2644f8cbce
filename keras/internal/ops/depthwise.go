package ops

import (
	"fmt"
	"runtime"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A depthwise convolution filters each input channel on its own: input channel c, with the
// kernel slice k[:, :, c, m], gives output channel c·M + m, as Keras's DepthwiseConv2D does
// (JAX runs it as a grouped convolution with one group per channel). im2col would copy each
// pixel kh·kw times to multiply it by only M numbers, so these ops loop directly over the
// windows instead: forward, the gradient with respect to the image and the gradient with
// respect to the kernel, each reading and writing contiguous channel rows.

// depthwiseOp computes (B, oh, ow, C·M) from an image (B, H, W, C) and a kernel (KH, KW, C, M).
type depthwiseOp struct {
	Base
	w  Window
	sp *split // the kernel's split state (parallel.go), kept from run to run; nil makes one each run
}

// DepthwiseConv applies the depthwise convolution of the (B, H, W, C) node x with the (KH, KW,
// C, M) kernel node k over window w (whose KH, KW must match the kernel's): the output is (B,
// oh, ow, C·M).
func DepthwiseConv(x, k *G.Node, w Window) (*G.Node, error) {
	return G.ApplyOp(depthwiseOp{Base: Base{Name: "depthwiseNHWC", Params: w.String(), Inputs: 2}, w: w, sp: new(split)}, x, k)
}

// Type returns (4-D image, 4-D kernel) → a 4-D tensor of the same dtype.
func (op depthwiseOp) Type() hm.Type { return hm.NewFnType(tensorType4, tensorType4, tensorType4) }

// InferShape returns (B, oh, ow, C·M).
func (op depthwiseOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x, err := shape4D(op, in[0])
	if err != nil {
		return nil, err
	}
	k, err := shape4D(op, in[1])
	if err != nil {
		return nil, err
	}
	if k[0] != op.w.KH || k[1] != op.w.KW || k[2] != x[3] {
		return nil, fmt.Errorf("%v: kernel %v does not fit window %dx%d over %d channels", op, k, op.w.KH, op.w.KW, x[3])
	}
	oh, ow := op.w.Out(x[1], x[2])
	return tensor.Shape{x[0], oh, ow, k[2] * k[3]}, nil
}

// Do runs the forward loops.
func (op depthwiseOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	x, b, h, wd, c, err := value4D(op, in[0])
	if err != nil {
		return nil, err
	}
	k, kh, kw, kc, m, err := value4D(op, in[1])
	if err != nil {
		return nil, err
	}
	if kh != op.w.KH || kw != op.w.KW || kc != c || k.Dtype() != x.Dtype() {
		return nil, fmt.Errorf("%v: kernel %v %v does not fit a %v image %v", op, k.Dtype(), k.Shape(), x.Dtype(), x.Shape())
	}
	oh, ow := op.w.Out(h, wd)
	out := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(b, oh, ow, c*m))
	switch x.Dtype() {
	case tensor.Float32:
		depthwiseForward(op.sp, op.w, data[float32](x), data[float32](k), out.Float32s(), b, h, wd, c, m, oh, ow)
	default:
		depthwiseForward(op.sp, op.w, data[float64](x), data[float64](k), out.Float64s(), b, h, wd, c, m, oh, ow)
	}
	return out, nil
}

// DiffWRT: differentiable with respect to the image and the kernel.
func (op depthwiseOp) DiffWRT(int) []bool { return []bool{true, true} }

// SymDiff returns the image gradient (from the kernel and the output gradient) and the
// kernel gradient (from the image and the output gradient).
func (op depthwiseOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	xs := in[0].Shape()
	params := fmt.Sprintf("%v, image %dx%d", op.w, xs[1], xs[2])
	dx, err := G.ApplyOp(depthwiseGradImageOp{Base: Base{Name: "depthwiseGradImageNHWC", Params: params, Inputs: 2}, w: op.w, h: xs[1], wd: xs[2], sp: new(split)}, in[1], grad)
	if err != nil {
		return nil, err
	}
	dk, err := G.ApplyOp(depthwiseGradKernelOp{Base: Base{Name: "depthwiseGradKernelNHWC", Params: op.w.String(), Inputs: 2}, w: op.w, sp: new(split)}, in[0], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dk}, nil
}

// depthwiseForward computes the depthwise convolution of x with k into y, the rows b·oh of
// output positions split over the cores with sp's helpers.
func depthwiseForward[T float32 | float64](sp *split, w Window, x, k, y []T, b, h, wd, c, m, oh, ow int) {
	sp, j := jobOf[depthwiseJob[T]](sp)
	*j = depthwiseJob[T]{w: w, x: x, k: k, y: y, h: h, wd: wd, c: c, m: m, oh: oh, ow: ow}
	sp.parallelFor(b*oh, j)
	*j = depthwiseJob[T]{}
}

// depthwiseJob holds the operands of one call of a depthwise kernel: x the image, k the
// kernel, y the output or its gradient, as each kernel names them.
type depthwiseJob[T float32 | float64] struct {
	w                   Window
	x, k, y             []T
	h, wd, c, m, oh, ow int
	rows, chunk         int   // depthwiseGradKernel: output rows, and rows per partial sum
	parts               [][]T // depthwiseGradKernel: the partial sums, kept from call to call
}

// run computes output rows lo … hi-1.
func (job *depthwiseJob[T]) run(_, lo, hi int) {
	w, x, k, y, h, wd, c, m, oh, ow := job.w, job.x, job.k, job.y, job.h, job.wd, job.c, job.m, job.oh, job.ow
	cm := c * m
	for r := lo; r < hi; r++ {
		bi, oy := r/oh, r%oh
		for ox := 0; ox < ow; ox++ {
			dst := y[(r*ow+ox)*cm : (r*ow+ox+1)*cm]
			for tap, pix := range w.taps(oy, ox, h, wd) {
				px := bi*h*wd + pix
				spreadMul(dst, x[px*c:(px+1)*c], k[tap*cm:(tap+1)*cm], m)
			}
		}
	}
}

// depthwiseGradImageOp is the gradient of a depthwise convolution with respect to its h×wd
// image: from the kernel (KH, KW, C, M) and the output gradient (B, oh, ow, C·M) to (B, h, wd, C).
type depthwiseGradImageOp struct {
	Base
	w     Window
	h, wd int
	sp    *split // as depthwiseOp's
}

// Type returns (kernel, gradient) → a 4-D tensor.
func (op depthwiseGradImageOp) Type() hm.Type {
	return hm.NewFnType(tensorType4, tensorType4, tensorType4)
}

// InferShape returns (B, h, wd, C).
func (op depthwiseGradImageOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	k, err := shape4D(op, in[0])
	if err != nil {
		return nil, err
	}
	g, err := shape4D(op, in[1])
	if err != nil {
		return nil, err
	}
	return tensor.Shape{g[0], op.h, op.wd, k[2]}, nil
}

// Do scatters each output gradient back over its window.
func (op depthwiseGradImageOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	k, _, _, c, m, err := value4D(op, in[0])
	if err != nil {
		return nil, err
	}
	g, b, oh, ow, cm, err := value4D(op, in[1])
	if err != nil {
		return nil, err
	}
	if cm != c*m || g.Dtype() != k.Dtype() {
		return nil, fmt.Errorf("%v: gradient %v does not fit kernel %v", op, g.Shape(), k.Shape())
	}
	out := tensor.New(tensor.Of(g.Dtype()), tensor.WithShape(b, op.h, op.wd, c))
	switch g.Dtype() {
	case tensor.Float32:
		depthwiseGradImage(op.sp, op.w, data[float32](k), data[float32](g), out.Float32s(), b, op.h, op.wd, c, m, oh, ow)
	default:
		depthwiseGradImage(op.sp, op.w, data[float64](k), data[float64](g), out.Float64s(), b, op.h, op.wd, c, m, oh, ow)
	}
	return out, nil
}

// depthwiseGradImage scatters the output gradient g back over each window into dx through
// the kernel k; images are the unit of parallel work (windows overlap within an image), split
// over the cores with sp's helpers.
func depthwiseGradImage[T float32 | float64](sp *split, w Window, k, g, dx []T, b, h, wd, c, m, oh, ow int) {
	sp, j := jobOf[depthwiseImageGradJob[T]](sp)
	*j = depthwiseImageGradJob[T]{depthwiseJob[T]{w: w, x: dx, k: k, y: g, h: h, wd: wd, c: c, m: m, oh: oh, ow: ow}}
	sp.parallelFor(b, j)
	*j = depthwiseImageGradJob[T]{}
}

// depthwiseImageGradJob is depthwiseGradImage's work: x is the image gradient dx, y the
// output gradient.
type depthwiseImageGradJob[T float32 | float64] struct{ depthwiseJob[T] }

// run scatters the gradients of images lo … hi-1.
func (job *depthwiseImageGradJob[T]) run(_, lo, hi int) {
	w, dx, k, g, h, wd, c, m, oh, ow := job.w, job.x, job.k, job.y, job.h, job.wd, job.c, job.m, job.oh, job.ow
	cm := c * m
	for bi := lo; bi < hi; bi++ {
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				src := g[((bi*oh+oy)*ow+ox)*cm : ((bi*oh+oy)*ow+ox+1)*cm]
				for tap, pix := range w.taps(oy, ox, h, wd) {
					px := bi*h*wd + pix
					gatherMul(dx[px*c:(px+1)*c], src, k[tap*cm:(tap+1)*cm], m)
				}
			}
		}
	}
}

// depthwiseGradKernelOp is the gradient of a depthwise convolution with respect to its
// kernel: from the image (B, H, W, C) and the output gradient (B, oh, ow, C·M) to (KH, KW, C, M).
type depthwiseGradKernelOp struct {
	Base
	w  Window
	sp *split // as depthwiseOp's
}

// Type returns (image, gradient) → a 4-D tensor.
func (op depthwiseGradKernelOp) Type() hm.Type {
	return hm.NewFnType(tensorType4, tensorType4, tensorType4)
}

// InferShape returns (KH, KW, C, M).
func (op depthwiseGradKernelOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x, err := shape4D(op, in[0])
	if err != nil {
		return nil, err
	}
	g, err := shape4D(op, in[1])
	if err != nil {
		return nil, err
	}
	if x[3] == 0 || g[3]%x[3] != 0 {
		return nil, fmt.Errorf("%v: gradient %v does not fit image %v", op, g, x)
	}
	return tensor.Shape{op.w.KH, op.w.KW, x[3], g[3] / x[3]}, nil
}

// Do sums image × gradient products over the batch and the output positions. Each worker
// sums into a kernel-sized buffer of its own; the buffers are added at the end, so the
// result does not depend on scheduling beyond float rounding order, which is fixed by the
// chunking.
func (op depthwiseGradKernelOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	x, b, h, wd, c, err := value4D(op, in[0])
	if err != nil {
		return nil, err
	}
	g, gb, oh, ow, cm, err := value4D(op, in[1])
	if err != nil {
		return nil, err
	}
	if gb != b || c == 0 || cm%c != 0 || g.Dtype() != x.Dtype() {
		return nil, fmt.Errorf("%v: gradient %v does not fit image %v", op, g.Shape(), x.Shape())
	}
	m := cm / c
	out := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(op.w.KH, op.w.KW, c, m))
	switch x.Dtype() {
	case tensor.Float32:
		depthwiseGradKernel(op.sp, op.w, data[float32](x), data[float32](g), out.Float32s(), b, h, wd, c, m, oh, ow)
	default:
		depthwiseGradKernel(op.sp, op.w, data[float64](x), data[float64](g), out.Float64s(), b, h, wd, c, m, oh, ow)
	}
	return out, nil
}

// depthwiseGradKernel sums image × gradient products into dk: the output rows are cut into
// one contiguous range per CPU, each summed into a kernel-sized buffer of its own on sp's
// helpers, and the buffers are added in order at the end.
func depthwiseGradKernel[T float32 | float64](sp *split, w Window, x, g, dk []T, b, h, wd, c, m, oh, ow int) {
	rows := b * oh
	workers := max(min(runtime.GOMAXPROCS(0), rows), 1)
	sp, j := jobOf[depthwiseKernelGradJob[T]](sp)
	parts := j.parts
	for len(parts) < workers {
		parts = append(parts, nil)
	}
	for p := range workers {
		if cap(parts[p]) < len(dk) {
			parts[p] = make([]T, len(dk))
		}
		parts[p] = parts[p][:len(dk)]
	}
	*j = depthwiseKernelGradJob[T]{depthwiseJob[T]{w: w, x: x, y: g, h: h, wd: wd, c: c, m: m, oh: oh, ow: ow,
		rows: rows, chunk: (rows + workers - 1) / workers, parts: parts}}
	sp.parallelFor(workers, j)
	for _, p := range parts[:workers] {
		for i, v := range p {
			dk[i] += v
		}
	}
	j.x, j.y = nil, nil
}

// depthwiseKernelGradJob is depthwiseGradKernel's work: y is the output gradient.
type depthwiseKernelGradJob[T float32 | float64] struct{ depthwiseJob[T] }

// run sums the partial sums p = lo … hi-1, each over its range of output rows.
func (job *depthwiseKernelGradJob[T]) run(_, lo, hi int) {
	w, x, g, h, wd, c, m, ow := job.w, job.x, job.y, job.h, job.wd, job.c, job.m, job.ow
	cm := c * m
	for p := lo; p < hi; p++ {
		acc := job.parts[p]
		clear(acc) // as fresh memory
		for r := p * job.chunk; r < min((p+1)*job.chunk, job.rows); r++ {
			bi, oy := r/job.oh, r%job.oh
			for ox := 0; ox < ow; ox++ {
				src := g[(r*ow+ox)*cm : (r*ow+ox+1)*cm]
				for tap, pix := range w.taps(oy, ox, h, wd) {
					px := bi*h*wd + pix
					spreadMul(acc[tap*cm:(tap+1)*cm], x[px*c:(px+1)*c], src, m)
				}
			}
		}
	}
}
