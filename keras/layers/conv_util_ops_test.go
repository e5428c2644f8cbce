package layers

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func applyOp(op G.Op) func(x *G.Node) (*G.Node, error) {
	return func(x *G.Node) (*G.Node, error) { return G.ApplyOp(op, x) }
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
		{"im2col valid 3x3", []int{2, 5, 6, 3}, applyOp(im2colOp{w: window2D{kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1}})},
		{"im2col same 2x2 (pad bottom/right)", []int{2, 5, 4, 2}, applyOp(im2colOp{w: window2D{kh: 2, kw: 2, sh: 1, sw: 1, dh: 1, dw: 1, bottom: 1, right: 1}})},
		{"im2col stride 2 same 3x3", []int{2, 7, 6, 2}, applyOp(im2colOp{w: window2D{kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, top: 1, bottom: 1, right: 1}})},
		{"im2col dilation 2 same", []int{1, 7, 8, 2}, applyOp(im2colOp{w: window2D{kh: 3, kw: 3, sh: 1, sw: 1, dh: 2, dw: 2, top: 2, bottom: 2, left: 2, right: 2}})},
		{"im2col causal 1-D", []int{2, 1, 7, 3}, applyOp(im2colOp{w: window2D{kh: 1, kw: 3, sh: 1, sw: 1, dh: 1, dw: 2, left: 4}})},
		{"im2col 1x1 stride 2", []int{2, 5, 6, 2}, applyOp(im2colOp{w: window2D{kh: 1, kw: 1, sh: 2, sw: 2, dh: 1, dw: 1}})},
		{"max pool valid 2x2", []int{2, 5, 4, 3}, applyOp(pool2DOp{w: window2D{kh: 2, kw: 2, sh: 2, sw: 2, dh: 1, dw: 1}})},
		{"max pool same 3x3 stride 2", []int{2, 7, 8, 2}, applyOp(pool2DOp{w: window2D{kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, top: 1, bottom: 1, right: 1}})},
		{"max pool overlapping stride 1", []int{1, 4, 5, 2}, applyOp(pool2DOp{w: window2D{kh: 2, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, bottom: 1, left: 1, right: 1}})},
		{"avg pool valid 2x2 stride 1", []int{2, 4, 5, 2}, applyOp(pool2DOp{avg: true, w: window2D{kh: 2, kw: 2, sh: 1, sw: 1, dh: 1, dw: 1}})},
		{"avg pool same 3x3 stride 2", []int{2, 7, 8, 2}, applyOp(pool2DOp{avg: true, w: window2D{kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, top: 1, bottom: 1, right: 1}})},
		{"avg pool 1-D same", []int{2, 1, 7, 3}, applyOp(pool2DOp{avg: true, w: window2D{kh: 1, kw: 4, sh: 1, sw: 1, dh: 1, dw: 1, left: 1, right: 2}})},
		{"zero pad", []int{2, 3, 4, 2}, applyOp(pad2DOp{top: 1, bottom: 2, right: 3})},
		{"crop", []int{2, 5, 6, 2}, applyOp(pad2DOp{top: 1, bottom: 1, left: 2, crop: true})},
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
	w := window2D{kh: 2, kw: 3, sh: 2, sw: 1, dh: 1, dw: 2, top: 1, bottom: 0, left: 2, right: 1}
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
			out, err := im2colOp{w: w}.Do(x)
			if err != nil {
				t.Fatal(err)
			}
			got := out.(*tensor.Dense)
			oh, ow := w.out(h, wd)
			if want := (tensor.Shape{b, oh, ow, w.kh * w.kw * c}); !got.Shape().Eq(want) {
				t.Fatalf("shape %v, want %v", got.Shape(), want)
			}
			for bi := 0; bi < b; bi++ {
				for oy := 0; oy < oh; oy++ {
					for ox := 0; ox < ow; ox++ {
						for i := 0; i < w.kh; i++ {
							for j := 0; j < w.kw; j++ {
								for ch := 0; ch < c; ch++ {
									iy, ix := oy*w.sh-w.top+i*w.dh, ox*w.sw-w.left+j*w.dw
									want := 0.0
									if iy >= 0 && iy < h && ix >= 0 && ix < wd {
										want = vals[((bi*h+iy)*wd+ix)*c+ch]
									}
									v, err := got.At(bi, oy, ox, (i*w.kw+j)*c+ch)
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
	base := window2D{kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, top: 1, left: 1}
	variants := []G.Op{
		im2colOp{w: base},
		im2colOp{w: window2D{kh: 3, kw: 3, sh: 1, sw: 1, dh: 2, dw: 2, top: 1, left: 1}},
		im2colOp{w: window2D{kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, top: 1, left: 1, bottom: 1, right: 1}},
		pool2DOp{w: base},
		pool2DOp{w: base, avg: true},
		pool2DOp{w: window2D{kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, top: 1, left: 1, bottom: 1}},
		pad2DOp{top: 1},
		pad2DOp{bottom: 1},
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
	w := window2D{kh: 2, kw: 2, sh: 1, sw: 1, dh: 1, dw: 1}
	threeD := tensor.New(tensor.WithShape(2, 3, 4), tensor.Of(tensor.Float64))
	ints := tensor.New(tensor.WithShape(1, 3, 3, 1), tensor.Of(tensor.Int))
	ops := []G.Op{im2colOp{w: w}, pool2DOp{w: w}, pad2DOp{top: 1}, col2imOp{w: w, h: 3, wd: 3, c: 1}}
	for _, op := range ops {
		for _, v := range []*tensor.Dense{threeD, ints} {
			if _, err := op.Do(v); err == nil {
				t.Errorf("%v.Do(%v %v): no error", op, v.Dtype(), v.Shape())
			}
		}
	}
}
