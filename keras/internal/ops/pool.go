package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Pooling ops for channels-last images; see conv.go for the window and the helpers they
// share.

// pool2DOp is max or average pooling over (B, H, W, C), per channel. Padded positions never
// win a max (Keras pads with -inf) and are left out of an average's count (Keras divides by
// the number of real positions in the window).
type pool2DOp struct {
	Base
	w   Window
	avg bool
}

var _ G.SDOp = pool2DOp{}

// newPool2D returns max pooling, or average pooling with avg, over window w.
func newPool2D(w Window, avg bool) pool2DOp {
	name := "maxPoolNHWC"
	if avg {
		name = "avgPoolNHWC"
	}
	return pool2DOp{Base: Base{Name: name, Params: w.String(), Inputs: 1}, w: w, avg: avg}
}

// Pool2D applies max pooling, or average pooling with avg, over window w (no dilation) to the
// (B, H, W, C) node x, with Keras's treatment of padded positions.
func Pool2D(x *G.Node, w Window, avg bool) (*G.Node, error) {
	return G.ApplyOp(newPool2D(w, avg), x)
}

// Type returns a 4-D tensor → a 4-D tensor of the same dtype.
func (op pool2DOp) Type() hm.Type { return hm.NewFnType(tensorType4, tensorType4) }

// InferShape returns (B, oh, ow, C).
func (op pool2DOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shape4D(op, in[0])
	if err != nil {
		return nil, err
	}
	oh, ow := op.w.Out(s[1], s[2])
	return tensor.Shape{s[0], oh, ow, s[3]}, nil
}

// Do pools every window.
func (op pool2DOp) Do(in ...G.Value) (G.Value, error) { return op.do(nil, in) }

// UsePreallocDo pools every window into prealloc.
func (op pool2DOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return op.do(prealloc, in)
}

func (op pool2DOp) do(prealloc G.Value, in []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	x, b, h, wd, c, err := value4D(op, in[0])
	if err != nil {
		return nil, err
	}
	oh, ow := op.w.Out(h, wd)
	var out *tensor.Dense
	if prealloc == nil {
		out = tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(b, oh, ow, c))
	} else if out, err = (*scratch)(nil).output(prealloc, x.Dtype(), true, b, oh, ow, c); err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	switch x.Dtype() {
	case tensor.Float32:
		pool2D(op, x.Float32s(), out.Float32s(), b, h, wd, c, oh, ow)
	default:
		pool2D(op, x.Float64s(), out.Float64s(), b, h, wd, c, oh, ow)
	}
	return out, nil
}

// DiffWRT: the op is differentiable with respect to its input.
func (op pool2DOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff adds the gradient op, which reads x too for max pooling.
func (op pool2DOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	s := in[0].Shape()
	gop := newPool2DGrad(op, s[1], s[2], s[3], new(scratch))
	var dx *G.Node
	var err error
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

func pool2D[T float32 | float64](op pool2DOp, x, y []T, b, h, wd, c, oh, ow int) {
	w := op.w
	parallelFor(b*oh, func(rlo, rhi int) {
		for r := rlo; r < rhi; r++ {
			bi, oy := r/oh, r%oh
			ylo, yhi := windowRange(oy, w.SH, w.Top, w.KH, h)
			for ox := 0; ox < ow; ox++ {
				xlo, xhi := windowRange(ox, w.SW, w.Left, w.KW, wd)
				dst := y[(r*ow+ox)*c : (r*ow+ox+1)*c]
				first := true
				for iy := ylo; iy < yhi; iy++ {
					for ix := xlo; ix < xhi; ix++ {
						src := x[((bi*h+iy)*wd+ix)*c : ((bi*h+iy)*wd+ix+1)*c]
						switch {
						case first:
							copy(dst, src)
							first = false
						case op.avg:
							for ch, v := range src {
								dst[ch] += v
							}
						default:
							for ch, v := range src {
								if v > dst[ch] {
									dst[ch] = v
								}
							}
						}
					}
				}
				if op.avg {
					inv := 1 / T((yhi-ylo)*(xhi-xlo))
					for ch := range dst {
						dst[ch] *= inv
					}
				}
			}
		}
	})
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
	if op.pool.avg {
		return hm.NewFnType(tensorType4, tensorType4)
	}
	return hm.NewFnType(tensorType4, tensorType4, tensorType4)
}

// InferShape returns the image's shape (B, H, W, C).
func (op pool2DGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shape4D(op, in[len(in)-1])
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0], op.h, op.wd, op.c}, nil
}

// Do routes or spreads each window's gradient.
func (op pool2DGradOp) Do(in ...G.Value) (G.Value, error) { return op.do(nil, in) }

// UsePreallocDo routes or spreads each window's gradient into prealloc.
func (op pool2DGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return op.do(prealloc, in)
}

func (op pool2DGradOp) do(prealloc G.Value, in []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	dy, b, oh, ow, _, err := value4D(op, in[len(in)-1])
	if err != nil {
		return nil, err
	}
	out, err := op.buf.output(prealloc, dy.Dtype(), true, b, op.h, op.wd, op.c) // the gradient is scattered into zeros
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
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
		pool2DGrad(op, xs, dy.Float32s(), out.Float32s(), b, oh, ow)
	default:
		var xs []float64
		if x != nil {
			xs = x.Float64s()
		}
		pool2DGrad(op, xs, dy.Float64s(), out.Float64s(), b, oh, ow)
	}
	return out, nil
}

func pool2DGrad[T float32 | float64](op pool2DGradOp, x, dy, dx []T, b, oh, ow int) {
	w, h, wd, c := op.pool.w, op.h, op.wd, op.c
	parallelFor(b, func(blo, bhi int) {
		arg := make([]int, c)
		best := make([]T, c)
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
	})
}
