package ops

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func applyOp(op G.Op) func(x *G.Node) (*G.Node, error) {
	return func(x *G.Node) (*G.Node, error) { return G.ApplyOp(op, x) }
}

// pool1D pools a (B, steps, C) node as it is, as the 1-D pooling layers do.
func pool1D(w Window, avg bool) func(x *G.Node) (*G.Node, error) {
	return func(x *G.Node) (*G.Node, error) { return Pool2D(x, w, avg) }
}

// TestConvOpsInputGradients checks the gradient every op sends back to its input against
// finite differences: im2col (through col2im), max and average pooling, zero padding and
// cropping, with the paddings Keras's "same" and "causal" produce.
func TestConvOpsInputGradients(t *testing.T) {
	cases := []struct {
		name  string
		shape []int
		f     func(x *G.Node) (*G.Node, error)
	}{
		{"im2col valid 3x3", []int{2, 5, 6, 3}, applyOp(newIm2col(Window{KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1}, nil))},
		{"im2col same 2x2 (pad bottom/right)", []int{2, 5, 4, 2}, applyOp(newIm2col(Window{KH: 2, KW: 2, SH: 1, SW: 1, DH: 1, DW: 1, Bottom: 1, Right: 1}, nil))},
		{"im2col stride 2 same 3x3", []int{2, 7, 6, 2}, applyOp(newIm2col(Window{KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, Top: 1, Bottom: 1, Right: 1}, nil))},
		{"im2col dilation 2 same", []int{1, 7, 8, 2}, applyOp(newIm2col(Window{KH: 3, KW: 3, SH: 1, SW: 1, DH: 2, DW: 2, Top: 2, Bottom: 2, Left: 2, Right: 2}, nil))},
		{"im2col causal 1-D", []int{2, 1, 7, 3}, applyOp(newIm2col(Window{KH: 1, KW: 3, SH: 1, SW: 1, DH: 1, DW: 2, Left: 4}, nil))},
		{"im2col 1x1 stride 2", []int{2, 5, 6, 2}, applyOp(newIm2col(Window{KH: 1, KW: 1, SH: 2, SW: 2, DH: 1, DW: 1}, nil))},
		{"max pool valid 2x2", []int{2, 5, 4, 3}, applyOp(newPool2D(Window{KH: 2, KW: 2, SH: 2, SW: 2, DH: 1, DW: 1}, false))},
		{"max pool same 3x3 stride 2", []int{2, 7, 8, 2}, applyOp(newPool2D(Window{KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, Top: 1, Bottom: 1, Right: 1}, false))},
		{"max pool overlapping stride 1", []int{1, 4, 5, 2}, applyOp(newPool2D(Window{KH: 2, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, Bottom: 1, Left: 1, Right: 1}, false))},
		{"avg pool valid 2x2 stride 1", []int{2, 4, 5, 2}, applyOp(newPool2D(Window{KH: 2, KW: 2, SH: 1, SW: 1, DH: 1, DW: 1}, true))},
		{"avg pool same 3x3 stride 2", []int{2, 7, 8, 2}, applyOp(newPool2D(Window{KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, Top: 1, Bottom: 1, Right: 1}, true))},
		{"avg pool 1-D same", []int{2, 1, 7, 3}, applyOp(newPool2D(Window{KH: 1, KW: 4, SH: 1, SW: 1, DH: 1, DW: 1, Left: 1, Right: 2}, true))},
		{"max pool 1-D input (B, steps, C)", []int{2, 11, 3}, pool1D(Window{KH: 1, KW: 5, SH: 1, SW: 5, DH: 1, DW: 1}, false)},
		{"max pool 1-D input, same, stride 2", []int{2, 7, 3}, pool1D(Window{KH: 1, KW: 3, SH: 1, SW: 2, DH: 1, DW: 1, Left: 1, Right: 1}, false)},
		{"avg pool 1-D input, same", []int{2, 7, 3}, pool1D(Window{KH: 1, KW: 4, SH: 1, SW: 1, DH: 1, DW: 1, Left: 1, Right: 2}, true)},
		{"global max pool 1-D input", []int{3, 6, 4}, pool1D(Window{KH: 1, KW: 6, SH: 1, SW: 6, DH: 1, DW: 1}, false)},
		{"zero pad", []int{2, 3, 4, 2}, applyOp(newPad2D(1, 2, 0, 3, false))},
		{"crop", []int{2, 5, 6, 2}, applyOp(newPad2D(1, 1, 2, 0, true))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := convCheckInputGradient(t, c.shape, c.f)
			t.Logf("%d entries, max relative error %.1e", res.checked, res.maxRel)
		})
	}
}

// TestIm2colMatchesIndexing checks the patches against direct indexing, in float32 and
// float64: patch (b, oy, ox) holds x[b, oy·s - top + i·d, ox·s - left + j·d, c] at
// (i·kw + j)·C + c, zero outside the image.
func TestIm2colMatchesIndexing(t *testing.T) {
	w := Window{KH: 2, KW: 3, SH: 2, SW: 1, DH: 1, DW: 2, Top: 1, Bottom: 0, Left: 2, Right: 1}
	b, h, wd, c := 2, 5, 6, 3
	vals := convCheckValues(b*h*wd*c, 0.1)
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			var x *tensor.Dense
			if dt == tensor.Float64 {
				x = tensor.New(tensor.WithShape(b, h, wd, c), tensor.WithBacking(append([]float64(nil), vals...)))
			} else {
				f := make([]float32, len(vals))
				for i, v := range vals {
					f[i] = float32(v)
				}
				x = tensor.New(tensor.WithShape(b, h, wd, c), tensor.WithBacking(f))
			}
			out, err := newIm2col(w, nil).Do(x)
			if err != nil {
				t.Fatal(err)
			}
			got := out.(*tensor.Dense)
			oh, ow := w.Out(h, wd)
			if want := (tensor.Shape{b, oh, ow, w.KH * w.KW * c}); !got.Shape().Eq(want) {
				t.Fatalf("shape %v, want %v", got.Shape(), want)
			}
			for bi := 0; bi < b; bi++ {
				for oy := 0; oy < oh; oy++ {
					for ox := 0; ox < ow; ox++ {
						for i := 0; i < w.KH; i++ {
							for j := 0; j < w.KW; j++ {
								for ch := 0; ch < c; ch++ {
									iy, ix := oy*w.SH-w.Top+i*w.DH, ox*w.SW-w.Left+j*w.DW
									want := 0.0
									if iy >= 0 && iy < h && ix >= 0 && ix < wd {
										want = vals[((bi*h+iy)*wd+ix)*c+ch]
									}
									v, err := got.At(bi, oy, ox, (i*w.KW+j)*c+ch)
									if err != nil {
										t.Fatal(err)
									}
									var gv float64
									switch v := v.(type) {
									case float64:
										gv = v
									case float32:
										gv = float64(v)
										want = float64(float32(want))
									}
									if gv != want {
										t.Fatalf("patch (%d,%d,%d) entry (%d,%d,%d) = %v, want %v", bi, oy, ox, i, j, ch, gv, want)
									}
								}
							}
						}
					}
				}
			}
		})
	}
}

// TestConvOpsHashDistinct guards against Gorgonia merging two ops that differ only in a
// parameter: its own MaxPool2D hashes without the bottom/right padding and im2col without
// the dilation, so ApplyOp on one node returns the first node for the second op.
func TestConvOpsHashDistinct(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 6, 6, 2), G.WithName("x"))
	base := Window{KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, Top: 1, Left: 1}
	variants := []G.Op{
		newIm2col(base, nil),
		newIm2col(Window{KH: 3, KW: 3, SH: 1, SW: 1, DH: 2, DW: 2, Top: 1, Left: 1}, nil),
		newIm2col(Window{KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, Top: 1, Left: 1, Bottom: 1, Right: 1}, nil),
		newPool2D(base, false),
		newPool2D(base, true),
		newPool2D(Window{KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, Top: 1, Left: 1, Bottom: 1}, false),
		newPad2D(1, 0, 0, 0, false),
		newPad2D(0, 1, 0, 0, false),
	}
	seen := map[*G.Node]int{}
	for i, op := range variants {
		n, err := G.ApplyOp(op, x)
		if err != nil {
			t.Fatalf("%v: %v", op, err)
		}
		if j, dup := seen[n]; dup {
			t.Errorf("%v merged with %v", op, variants[j])
		}
		seen[n] = i
	}
}

// TestConvOpsRejectBadValues checks that the ops return errors, not panics, for values of
// the wrong rank or dtype.
func TestConvOpsRejectBadValues(t *testing.T) {
	w := Window{KH: 2, KW: 2, SH: 1, SW: 1, DH: 1, DW: 1}
	threeD := tensor.New(tensor.WithShape(2, 3, 4), tensor.Of(tensor.Float64))
	ints := tensor.New(tensor.WithShape(1, 3, 3, 1), tensor.Of(tensor.Int))
	ops := []G.Op{newIm2col(w, nil), newPool2D(w, false), newPad2D(1, 0, 0, 0, false), newCol2im(w, 3, 3, 1, nil)}
	for _, op := range ops {
		for _, v := range []*tensor.Dense{threeD, ints} {
			if _, err := op.Do(v); err == nil {
				t.Errorf("%v.Do(%v %v): no error", op, v.Dtype(), v.Shape())
			}
		}
	}
}
