package layers

import (
	"fmt"
	"hash"
	"hash/fnv"
	"runtime"
	"sync"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Gorgonia ops for channels-last (batch, height, width, channels) images: im2col and its
// adjoint here; max and average pooling with Keras's padding semantics, and zero padding, in
// conv_util_pool_ops.go.
//
// Gorgonia's own Conv2d, MaxPool2D and AveragePool2D work on NCHW and pad symmetrically (the
// pooling ops also hash without their padding, so two of them on one node can merge); Keras
// pads "same" windows asymmetrically and "causal" ones only at the start. These ops take
// explicit padding on every side, work in NHWC so no transposes are needed, and hash every
// parameter. Each is a value type; the backward ops only need Do.

// window2D describes a sliding window over the two spatial axes of an NHWC tensor.
type window2D struct {
	kh, kw                   int // window size
	sh, sw                   int // strides
	dh, dw                   int // dilation
	top, bottom, left, right int // padding on each side
}

// out returns the number of window positions along each axis for an h×w input.
func (w window2D) out(h, wd int) (int, int) {
	ekh, ekw := effectiveKernel(w.kh, w.dh), effectiveKernel(w.kw, w.dw)
	ph, pw := h+w.top+w.bottom, wd+w.left+w.right
	if ph < ekh || pw < ekw {
		return 0, 0
	}
	return (ph-ekh)/w.sh + 1, (pw-ekw)/w.sw + 1
}

// trivial reports whether the window is a 1×1, stride-1, unpadded one: im2col is the identity.
func (w window2D) trivial() bool {
	return w.kh == 1 && w.kw == 1 && w.sh == 1 && w.sw == 1 && w.top+w.bottom+w.left+w.right == 0
}

func (w window2D) String() string {
	return fmt.Sprintf("k(%d,%d) s(%d,%d) d(%d,%d) pad(%d,%d,%d,%d)", w.kh, w.kw, w.sh, w.sw, w.dh, w.dw, w.top, w.bottom, w.left, w.right)
}

// opHash is the Hashcode of an op from its WriteHash.
func opHash(op interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

// tensorType4 is the Gorgonia type of a 4-D tensor of any float dtype.
var tensorType4 = G.TensorType{Dims: 4, Of: hm.TypeVariable('a')}

// denseOf returns a value as a contiguous *tensor.Dense.
func denseOf(v G.Value) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("expected a *tensor.Dense, got %T", v)
	}
	if d.IsMaterializable() {
		m, ok := d.Materialize().(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("materialising a %v view failed", d.Shape())
		}
		d = m
	}
	if d.Dtype() != tensor.Float32 && d.Dtype() != tensor.Float64 {
		return nil, fmt.Errorf("expected float32 or float64 values, got %v", d.Dtype())
	}
	return d, nil
}

// check4D returns the four dimensions of a rank-4 value.
func check4D(op string, d *tensor.Dense) (b, h, w, c int, err error) {
	s := d.Shape()
	if len(s) != 4 {
		return 0, 0, 0, 0, fmt.Errorf("%s: expected a 4-D (batch, height, width, channels) tensor, got shape %v", op, s)
	}
	return s[0], s[1], s[2], s[3], nil
}

// parallelFor runs f over [0, n) split into contiguous chunks, one goroutine per CPU.
func parallelFor(n int, f func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			f(lo, hi)
		}(lo, min(lo+chunk, n))
	}
	wg.Wait()
}

// ---------------------------------------------------------------------------------------
// im2col

// im2colOp turns (B, H, W, C) into the patches (B, oh, ow, kh·kw·C), each patch ordered
// (row, column, channel) like a Keras kernel (kh, kw, C, F) flattened to (kh·kw·C, F).
// Padded positions read as zero. buf, when set, holds the output from run to run (see
// scratch).
type im2colOp struct {
	w   window2D
	buf *scratch
}

var _ G.SDOp = im2colOp{}

func (op im2colOp) Arity() int     { return 1 }
func (op im2colOp) Type() hm.Type  { return hm.NewFnType(tensorType4, tensorType4) }
func (op im2colOp) String() string { return "im2colNHWC{" + op.w.String() + "}" }
func (op im2colOp) WriteHash(h hash.Hash) {
	fmt.Fprint(h, op.String())
}
func (op im2colOp) Hashcode() uint32     { return opHash(op) }
func (op im2colOp) ReturnsPtr() bool     { return false }
func (op im2colOp) CallsExtern() bool    { return false }
func (op im2colOp) OverwritesInput() int { return -1 }

func (op im2colOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 4 {
		return nil, fmt.Errorf("%v: expected a 4-D shape, got %v", op, in[0])
	}
	oh, ow := op.w.out(s[1], s[2])
	return tensor.Shape{s[0], oh, ow, op.w.kh * op.w.kw * s[3]}, nil
}

func (op im2colOp) Do(in ...G.Value) (G.Value, error) {
	x, err := denseOf(in[0])
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	b, h, wd, c, err := check4D(op.String(), x)
	if err != nil {
		return nil, err
	}
	oh, ow := op.w.out(h, wd)
	// im2col writes every element, padding included, so the scratch need not be cleared.
	out := op.buf.dense(x.Dtype(), false, b, oh, ow, op.w.kh*op.w.kw*c)
	switch x.Dtype() {
	case tensor.Float32:
		im2col(op.w, x.Float32s(), out.Float32s(), b, h, wd, c, oh, ow)
	default:
		im2col(op.w, x.Float64s(), out.Float64s(), b, h, wd, c, oh, ow)
	}
	return out, nil
}

func (op im2colOp) DiffWRT(int) []bool { return []bool{true} }

func (op im2colOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	s := in[0].Shape()
	dx, err := G.ApplyOp(col2imOp{w: op.w, h: s[1], wd: s[2], c: s[3], buf: new(scratch)}, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

func im2col[T float32 | float64](w window2D, im, col []T, b, h, wd, c, oh, ow int) {
	k := w.kh * w.kw * c
	parallelFor(b*oh, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			bi, oy := r/oh, r%oh
			for ox := 0; ox < ow; ox++ {
				dst := col[(r*ow+ox)*k : (r*ow+ox+1)*k]
				for i := 0; i < w.kh; i++ {
					iy := oy*w.sh - w.top + i*w.dh
					for j := 0; j < w.kw; j++ {
						ix := ox*w.sw - w.left + j*w.dw
						seg := dst[(i*w.kw+j)*c : (i*w.kw+j+1)*c]
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
	})
}

// col2imOp is the adjoint of im2colOp: it sums patch gradients (B, oh, ow, kh·kw·C) back
// into an image gradient (B, H, W, C), dropping what falls on padding.
type col2imOp struct {
	w        window2D
	h, wd, c int      // the image's spatial size and channels
	buf      *scratch // when set, holds the output from run to run
}

func (op col2imOp) Arity() int    { return 1 }
func (op col2imOp) Type() hm.Type { return hm.NewFnType(tensorType4, tensorType4) }
func (op col2imOp) String() string {
	return fmt.Sprintf("col2imNHWC{%v, image %dx%dx%d}", op.w, op.h, op.wd, op.c)
}
func (op col2imOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op col2imOp) Hashcode() uint32      { return opHash(op) }
func (op col2imOp) ReturnsPtr() bool      { return false }
func (op col2imOp) CallsExtern() bool     { return false }
func (op col2imOp) OverwritesInput() int  { return -1 }

func (op col2imOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 4 {
		return nil, fmt.Errorf("%v: expected a 4-D shape, got %v", op, in[0])
	}
	return tensor.Shape{s[0], op.h, op.wd, op.c}, nil
}

func (op col2imOp) Do(in ...G.Value) (G.Value, error) {
	g, err := denseOf(in[0])
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	b, oh, ow, k, err := check4D(op.String(), g)
	if err != nil {
		return nil, err
	}
	if k != op.w.kh*op.w.kw*op.c {
		return nil, fmt.Errorf("%v: patches of %d values, expected %d", op, k, op.w.kh*op.w.kw*op.c)
	}
	out := op.buf.dense(g.Dtype(), true, b, op.h, op.wd, op.c) // col2im accumulates
	switch g.Dtype() {
	case tensor.Float32:
		col2im(op.w, g.Float32s(), out.Float32s(), b, op.h, op.wd, op.c, oh, ow)
	default:
		col2im(op.w, g.Float64s(), out.Float64s(), b, op.h, op.wd, op.c, oh, ow)
	}
	return out, nil
}

func col2im[T float32 | float64](w window2D, col, im []T, b, h, wd, c, oh, ow int) {
	k := w.kh * w.kw * c
	// Windows overlap within an image, so images are the unit of parallel work.
	parallelFor(b, func(lo, hi int) {
		for bi := lo; bi < hi; bi++ {
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					src := col[((bi*oh+oy)*ow+ox)*k:]
					for i := 0; i < w.kh; i++ {
						iy := oy*w.sh - w.top + i*w.dh
						if iy < 0 || iy >= h {
							continue
						}
						for j := 0; j < w.kw; j++ {
							ix := ox*w.sw - w.left + j*w.dw
							if ix < 0 || ix >= wd {
								continue
							}
							seg := src[(i*w.kw+j)*c : (i*w.kw+j+1)*c]
							dst := im[((bi*h+iy)*wd+ix)*c : ((bi*h+iy)*wd+ix+1)*c]
							for ch, v := range seg {
								dst[ch] += v
							}
						}
					}
				}
			}
		}
	})
}
