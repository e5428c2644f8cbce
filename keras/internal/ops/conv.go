package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Gorgonia ops for channels-last (batch, height, width, channels) images: im2col and its
// adjoint here; max and average pooling with Keras's padding semantics in pool.go, and zero
// padding in pad.go.
//
// Gorgonia's own Conv2d, MaxPool2D and AveragePool2D work on NCHW and pad symmetrically (the
// pooling ops also hash without their padding, so two of them on one node can merge); Keras
// pads "same" windows asymmetrically and "causal" ones only at the start. These ops take
// explicit padding on every side, work in NHWC so no transposes are needed, and hash every
// parameter. Each is a value type; the backward ops only need Do.

// Window describes a sliding window over the two spatial axes of an NHWC tensor. A 1-D
// convolution or pooling is a window of height 1 over a (batch, 1, steps, channels) tensor.
type Window struct {
	KH, KW                   int // window size
	SH, SW                   int // strides
	DH, DW                   int // dilation
	Top, Bottom, Left, Right int // padding on each side
}

// Out returns the number of window positions along each axis for an h×w input.
func (w Window) Out(h, wd int) (int, int) {
	ekh, ekw := EffectiveKernel(w.KH, w.DH), EffectiveKernel(w.KW, w.DW)
	ph, pw := h+w.Top+w.Bottom, wd+w.Left+w.Right
	if ph < ekh || pw < ekw {
		return 0, 0
	}
	return (ph-ekh)/w.SH + 1, (pw-ekw)/w.SW + 1
}

// Trivial reports whether the window is a 1×1, stride-1, unpadded one: im2col is the identity.
func (w Window) Trivial() bool {
	return w.KH == 1 && w.KW == 1 && w.SH == 1 && w.SW == 1 && w.Top+w.Bottom+w.Left+w.Right == 0
}

// String lists every parameter, so that ops hashing it never merge two different windows.
func (w Window) String() string {
	return fmt.Sprintf("k(%d,%d) s(%d,%d) d(%d,%d) pad(%d,%d,%d,%d)", w.KH, w.KW, w.SH, w.SW, w.DH, w.DW, w.Top, w.Bottom, w.Left, w.Right)
}

// EffectiveKernel is the extent of a dilated kernel: k + (k-1)(d-1).
func EffectiveKernel(k, d int) int { return (k-1)*d + 1 }

// tensorType4 is the Gorgonia type of a 4-D tensor of any float dtype.
var tensorType4 = G.TensorType{Dims: 4, Of: hm.TypeVariable('a')}

// value4D returns a value of op as a contiguous float *tensor.Dense with its four dimensions
// (batch, height, width, channels).
func value4D(op fmt.Stringer, v G.Value) (d *tensor.Dense, b, h, w, c int, err error) {
	if d, err = dense(op, v); err != nil {
		return nil, 0, 0, 0, 0, err
	}
	s := d.Shape()
	if len(s) != 4 {
		return nil, 0, 0, 0, 0, fmt.Errorf("%v: expected a 4-D (batch, height, width, channels) tensor, got shape %v", op, s)
	}
	return d, s[0], s[1], s[2], s[3], nil
}

// shape4D returns an input shape of op, which must be 4-D.
func shape4D(op fmt.Stringer, d G.DimSizer) (tensor.Shape, error) {
	s, ok := d.(tensor.Shape)
	if !ok || len(s) != 4 {
		return nil, fmt.Errorf("%v: expected a 4-D shape, got %v", op, d)
	}
	return s, nil
}

// ---------------------------------------------------------------------------------------
// im2col

// im2colOp turns (B, H, W, C) into the patches (B, oh, ow, kh·kw·C), each patch ordered
// (row, column, channel) like a Keras kernel (kh, kw, C, F) flattened to (kh·kw·C, F).
// Padded positions read as zero. buf, when set, holds the output from run to run (see
// scratch).
type im2colOp struct {
	Base
	w   Window
	buf *scratch
}

var (
	_ G.SDOp            = im2colOp{}
	_ G.UsePreallocDoer = im2colOp{}
	_ G.UsePreallocDoer = col2imOp{}
)

// newIm2col returns the op for window w; buf may be nil.
func newIm2col(w Window, buf *scratch) im2colOp {
	return im2colOp{Base: Base{Name: "im2colNHWC", Params: w.String(), Inputs: 1}, w: w, buf: buf}
}

// Im2col applies im2col with window w to the (B, H, W, C) node x: its output is (B, oh, ow,
// KH·KW·C), kept in a scratch buffer the op reuses from run to run.
func Im2col(x *G.Node, w Window) (*G.Node, error) {
	return G.ApplyOp(newIm2col(w, new(scratch)), x)
}

// Type returns a 4-D tensor → a 4-D tensor of the same dtype.
func (op im2colOp) Type() hm.Type { return hm.NewFnType(tensorType4, tensorType4) }

// InferShape returns (B, oh, ow, KH·KW·C).
func (op im2colOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shape4D(op, in[0])
	if err != nil {
		return nil, err
	}
	oh, ow := op.w.Out(s[1], s[2])
	return tensor.Shape{s[0], oh, ow, op.w.KH * op.w.KW * s[3]}, nil
}

// Do extracts the patches.
func (op im2colOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

// UsePreallocDo extracts the patches into prealloc, a tensor of the output's shape and dtype,
// or into the op's kept memory (or a new tensor) when prealloc is nil.
func (op im2colOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(in) != 1 {
		return nil, fmt.Errorf("%v takes 1 input, got %d", op, len(in))
	}
	x, b, h, wd, c, err := value4D(op, in[0])
	if err != nil {
		return nil, err
	}
	oh, ow := op.w.Out(h, wd)
	// im2col writes every element, padding included, so the memory need not be cleared.
	out, err := outputInto(op, op.buf, prealloc, x.Dtype(), tensor.Shape{b, oh, ow, op.w.KH * op.w.KW * c})
	if err != nil {
		return nil, err
	}
	switch x.Dtype() {
	case tensor.Float32:
		im2col(op.buf.splitter(), op.w, x.Float32s(), out.Float32s(), b, h, wd, c, oh, ow)
	default:
		im2col(op.buf.splitter(), op.w, x.Float64s(), out.Float64s(), b, h, wd, c, oh, ow)
	}
	return out, nil
}

// DiffWRT: the op is differentiable with respect to its input.
func (op im2colOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff sends the patches' gradient back through col2im.
func (op im2colOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	s := in[0].Shape()
	dx, err := G.ApplyOp(newCol2im(op.w, s[1], s[2], s[3], new(scratch)), grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

// im2col writes the patches of the image im into col, the rows b·oh of output positions
// split over the cores with sp's helpers (parallel.go; a nil sp allocates its state).
func im2col[T float32 | float64](sp *split, w Window, im, col []T, b, h, wd, c, oh, ow int) {
	sp, j := jobOf[im2colJob[T]](sp)
	*j = im2colJob[T]{w: w, im: im, col: col, h: h, wd: wd, c: c, oh: oh, ow: ow}
	sp.parallelFor(b*oh, j)
	*j = im2colJob[T]{} // keeps no call's memory alive
}

// im2colJob is im2col's work, the operands of one call.
type im2colJob[T float32 | float64] struct {
	w                Window
	im, col          []T
	h, wd, c, oh, ow int
}

// run writes the patches of output rows lo … hi-1 (row r is image r/oh, output row r%oh).
func (job *im2colJob[T]) run(_, lo, hi int) {
	w, im, col, h, wd, c, oh, ow := job.w, job.im, job.col, job.h, job.wd, job.c, job.oh, job.ow
	k := w.KH * w.KW * c
	for r := lo; r < hi; r++ {
		bi, oy := r/oh, r%oh
		for ox := 0; ox < ow; ox++ {
			dst := col[(r*ow+ox)*k : (r*ow+ox+1)*k]
			for i := 0; i < w.KH; i++ {
				iy := oy*w.SH - w.Top + i*w.DH
				for j := 0; j < w.KW; j++ {
					ix := ox*w.SW - w.Left + j*w.DW
					seg := dst[(i*w.KW+j)*c : (i*w.KW+j+1)*c]
					if iy < 0 || iy >= h || ix < 0 || ix >= wd {
						clear(seg)
						continue
					}
					src := ((bi*h+iy)*wd + ix) * c
					copy(seg, im[src:src+c])
				}
			}
		}
	}
}

// col2imOp is the adjoint of im2colOp: it sums patch gradients (B, oh, ow, kh·kw·C) back
// into an image gradient (B, H, W, C), dropping what falls on padding.
type col2imOp struct {
	Base
	w        Window
	h, wd, c int      // the image's spatial size and channels
	buf      *scratch // when set, holds the output from run to run
}

// newCol2im returns the adjoint of im2col with window w for an h×wd×c image; buf may be nil.
func newCol2im(w Window, h, wd, c int, buf *scratch) col2imOp {
	params := fmt.Sprintf("%v, image %dx%dx%d", w, h, wd, c)
	return col2imOp{Base: Base{Name: "col2imNHWC", Params: params, Inputs: 1}, w: w, h: h, wd: wd, c: c, buf: buf}
}

// Type returns a 4-D tensor → a 4-D tensor of the same dtype.
func (op col2imOp) Type() hm.Type { return hm.NewFnType(tensorType4, tensorType4) }

// InferShape returns the image's shape (B, H, W, C).
func (op col2imOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shape4D(op, in[0])
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0], op.h, op.wd, op.c}, nil
}

// Do sums the patch gradients into the image gradient.
func (op col2imOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

// UsePreallocDo sums the patch gradients into prealloc, a tensor of the image's shape and
// dtype, or into the op's kept memory (or a new tensor) when prealloc is nil.
func (op col2imOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(in) != 1 {
		return nil, fmt.Errorf("%v takes 1 input, got %d", op, len(in))
	}
	g, b, oh, ow, k, err := value4D(op, in[0])
	if err != nil {
		return nil, err
	}
	if k != op.w.KH*op.w.KW*op.c {
		return nil, fmt.Errorf("%v: patches of %d values, expected %d", op, k, op.w.KH*op.w.KW*op.c)
	}
	out, err := outputInto(op, op.buf, prealloc, g.Dtype(), tensor.Shape{b, op.h, op.wd, op.c})
	if err != nil {
		return nil, err
	}
	if prealloc != nil || op.buf != nil {
		out.Zero() // col2im accumulates; a new tensor is zero already
	}
	switch g.Dtype() {
	case tensor.Float32:
		col2im(op.buf.splitter(), op.w, g.Float32s(), out.Float32s(), b, op.h, op.wd, op.c, oh, ow)
	default:
		col2im(op.buf.splitter(), op.w, g.Float64s(), out.Float64s(), b, op.h, op.wd, op.c, oh, ow)
	}
	return out, nil
}

// col2im sums the patch gradients col into the image gradient im, which it does not clear;
// images are the unit of parallel work (windows overlap within an image), split over the
// cores with sp's helpers (a nil sp allocates its state).
func col2im[T float32 | float64](sp *split, w Window, col, im []T, b, h, wd, c, oh, ow int) {
	sp, j := jobOf[col2imJob[T]](sp)
	*j = col2imJob[T]{w: w, col: col, im: im, h: h, wd: wd, c: c, oh: oh, ow: ow}
	sp.parallelFor(b, j)
	*j = col2imJob[T]{}
}

// col2imJob is col2im's work, the operands of one call.
type col2imJob[T float32 | float64] struct {
	w                Window
	col, im          []T
	h, wd, c, oh, ow int
}

// run sums the patch gradients of images lo … hi-1.
func (job *col2imJob[T]) run(_, lo, hi int) {
	w, col, im, h, wd, c, oh, ow := job.w, job.col, job.im, job.h, job.wd, job.c, job.oh, job.ow
	k := w.KH * w.KW * c
	for bi := lo; bi < hi; bi++ {
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				src := col[((bi*oh+oy)*ow+ox)*k:]
				for tap, pix := range w.taps(oy, ox, h, wd) {
					seg := src[tap*c : (tap+1)*c]
					dst := im[(bi*h*wd+pix)*c : (bi*h*wd+pix+1)*c]
					for ch, v := range seg {
						dst[ch] += v
					}
				}
			}
		}
	}
}
