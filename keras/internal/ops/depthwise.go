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
	w Window
}

// DepthwiseConv applies the depthwise convolution of the (B, H, W, C) node x with the (KH, KW,
// C, M) kernel node k over window w (whose KH, KW must match the kernel's): the output is (B,
// oh, ow, C·M).
func DepthwiseConv(x, k *G.Node, w Window) (*G.Node, error) {
	return G.ApplyOp(depthwiseOp{Base: Base{Name: "depthwiseNHWC", Params: w.String(), Inputs: 2}, w: w}, x, k)
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
		depthwiseForward(op.w, data[float32](x), data[float32](k), out.Float32s(), b, h, wd, c, m, oh, ow)
	default:
		depthwiseForward(op.w, data[float64](x), data[float64](k), out.Float64s(), b, h, wd, c, m, oh, ow)
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
	dx, err := G.ApplyOp(depthwiseGradImageOp{Base: Base{Name: "depthwiseGradImageNHWC", Params: params, Inputs: 2}, w: op.w, h: xs[1], wd: xs[2]}, in[1], grad)
	if err != nil {
		return nil, err
	}
	dk, err := G.ApplyOp(depthwiseGradKernelOp{Base: Base{Name: "depthwiseGradKernelNHWC", Params: op.w.String(), Inputs: 2}, w: op.w}, in[0], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dk}, nil
}

func depthwiseForward[T float32 | float64](w Window, x, k, y []T, b, h, wd, c, m, oh, ow int) {
	cm := c * m
	parallelFor(b*oh, func(lo, hi int) {
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
	})
}

// depthwiseGradImageOp is the gradient of a depthwise convolution with respect to its h×wd
// image: from the kernel (KH, KW, C, M) and the output gradient (B, oh, ow, C·M) to (B, h, wd, C).
type depthwiseGradImageOp struct {
	Base
	w     Window
	h, wd int
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
		depthwiseGradImage(op.w, data[float32](k), data[float32](g), out.Float32s(), b, op.h, op.wd, c, m, oh, ow)
	default:
		depthwiseGradImage(op.w, data[float64](k), data[float64](g), out.Float64s(), b, op.h, op.wd, c, m, oh, ow)
	}
	return out, nil
}

func depthwiseGradImage[T float32 | float64](w Window, k, g, dx []T, b, h, wd, c, m, oh, ow int) {
	cm := c * m
	// Windows overlap within an image, so images are the unit of parallel work.
	parallelFor(b, func(lo, hi int) {
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
	})
}

// depthwiseGradKernelOp is the gradient of a depthwise convolution with respect to its
// kernel: from the image (B, H, W, C) and the output gradient (B, oh, ow, C·M) to (KH, KW, C, M).
type depthwiseGradKernelOp struct {
	Base
	w Window
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
		depthwiseGradKernel(op.w, data[float32](x), data[float32](g), out.Float32s(), b, h, wd, c, m, oh, ow)
	default:
		depthwiseGradKernel(op.w, data[float64](x), data[float64](g), out.Float64s(), b, h, wd, c, m, oh, ow)
	}
	return out, nil
}

func depthwiseGradKernel[T float32 | float64](w Window, x, g, dk []T, b, h, wd, c, m, oh, ow int) {
	cm := c * m
	rows := b * oh
	workers := max(min(runtime.GOMAXPROCS(0), rows), 1)
	chunk := (rows + workers - 1) / workers
	parts := make([][]T, workers)
	parallelFor(workers, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			acc := make([]T, len(dk))
			for r := p * chunk; r < min((p+1)*chunk, rows); r++ {
				bi, oy := r/oh, r%oh
				for ox := 0; ox < ow; ox++ {
					src := g[(r*ow+ox)*cm : (r*ow+ox+1)*cm]
					for tap, pix := range w.taps(oy, ox, h, wd) {
						px := bi*h*wd + pix
						spreadMul(acc[tap*cm:(tap+1)*cm], x[px*c:(px+1)*c], src, m)
					}
				}
			}
			parts[p] = acc
		}
	})
	for _, p := range parts {
		for i, v := range p {
			dk[i] += v
		}
	}
}
