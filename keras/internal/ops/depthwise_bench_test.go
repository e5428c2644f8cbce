package ops

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// BenchmarkDepthwiseConv times a MobileNet-sized depthwise convolution, 3×3 with "same"
// padding over a batch of 8 images of 112×112×32 in float32 (MobileNet's first depthwise
// layer): the forward pass and the two gradients a training step computes.
//
//	go test -run '^$' -bench DepthwiseConv -benchtime 5x ./keras/internal/ops
//
// testdata/depthwise_bench_jax.py times JAX's grouped convolution on the same sizes.
func BenchmarkDepthwiseConv(b *testing.B) {
	const n, h, w, c = 8, 112, 112, 32
	win := Window{KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, Top: 1, Bottom: 1, Left: 1, Right: 1}
	xs := make([]float32, n*h*w*c)
	for i := range xs {
		xs[i] = float32(math.Sin(float64(i)))
	}
	ks := make([]float32, 3*3*c)
	for i := range ks {
		ks[i] = float32(math.Cos(float64(i)))
	}
	x := tensor.New(tensor.WithShape(n, h, w, c), tensor.WithBacking(xs))
	k := tensor.New(tensor.WithShape(3, 3, c, 1), tensor.WithBacking(ks))
	fwd := depthwiseOp{Base: Base{Name: "depthwiseNHWC", Inputs: 2}, w: win}
	gx := depthwiseGradImageOp{Base: Base{Name: "depthwiseGradImageNHWC", Inputs: 2}, w: win, h: h, wd: w}
	gk := depthwiseGradKernelOp{Base: Base{Name: "depthwiseGradKernelNHWC", Inputs: 2}, w: win}
	y, err := fwd.Do(x, k)
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range []struct {
		name string
		run  func() error
	}{
		{"forward", func() error { _, err := fwd.Do(x, k); return err }},
		{"grad_image", func() error { _, err := gx.Do(k, y); return err }},
		{"grad_kernel", func() error { _, err := gk.Do(x, y); return err }},
	} {
		b.Run(s.name, func(b *testing.B) {
			for range b.N {
				if err := s.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDepthwiseMatchesGroupedIm2col checks the direct loops against im2col: a depthwise
// convolution with multiplier m is, for each channel c, the product of channel c's patches
// with its kernel slice; gradients follow from the same products transposed.
func TestDepthwiseMatchesGroupedIm2col(t *testing.T) {
	const n, h, w, c = 2, 5, 6, 3
	for _, tc := range []struct {
		win Window
		m   int
	}{
		{Window{KH: 3, KW: 2, SH: 2, SW: 1, DH: 1, DW: 1, Top: 1, Bottom: 1, Left: 0, Right: 1}, 2},
		{Window{KH: 3, KW: 2, SH: 2, SW: 1, DH: 1, DW: 1, Top: 1, Bottom: 1, Left: 0, Right: 1}, 1},
		{Window{KH: 2, KW: 3, SH: 1, SW: 1, DH: 2, DW: 1}, 3},
		{Window{KH: 2, KW: 3, SH: 1, SW: 1, DH: 2, DW: 1}, 1},
	} {
		win, m := tc.win, tc.m
		xs := make([]float64, n*h*w*c)
		for i := range xs {
			xs[i] = math.Sin(0.3*float64(i) + 1)
		}
		ks := make([]float64, win.KH*win.KW*c*m)
		for i := range ks {
			ks[i] = math.Cos(0.7 * float64(i))
		}
		oh, ow := win.Out(h, w)
		col := make([]float64, n*oh*ow*win.KH*win.KW*c)
		im2col(nil, win, xs, col, n, h, w, c, oh, ow)
		want := make([]float64, n*oh*ow*c*m)
		for p := 0; p < n*oh*ow; p++ {
			for t := 0; t < win.KH*win.KW; t++ {
				for ch := 0; ch < c; ch++ {
					for q := 0; q < m; q++ {
						want[p*c*m+ch*m+q] += col[(p*win.KH*win.KW+t)*c+ch] * ks[(t*c+ch)*m+q]
					}
				}
			}
		}
		got := make([]float64, len(want))
		depthwiseForward(nil, win, xs, ks, got, n, h, w, c, m, oh, ow)
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Fatalf("%v: output %d is %g, im2col gives %g", win, i, got[i], want[i])
			}
		}
		// Gradients for the loss sum(g ⊙ y): dx = col2im of the patches' gradient, dk the
		// patches times g.
		g := make([]float64, len(want))
		for i := range g {
			g[i] = math.Sin(1.1*float64(i) + 0.2)
		}
		dcol := make([]float64, len(col))
		wantDK := make([]float64, len(ks))
		for p := 0; p < n*oh*ow; p++ {
			for t := 0; t < win.KH*win.KW; t++ {
				for ch := 0; ch < c; ch++ {
					for q := 0; q < m; q++ {
						dcol[(p*win.KH*win.KW+t)*c+ch] += g[p*c*m+ch*m+q] * ks[(t*c+ch)*m+q]
						wantDK[(t*c+ch)*m+q] += g[p*c*m+ch*m+q] * col[(p*win.KH*win.KW+t)*c+ch]
					}
				}
			}
		}
		wantDX := make([]float64, len(xs))
		col2im(nil, win, dcol, wantDX, n, h, w, c, oh, ow)
		dx := make([]float64, len(xs))
		depthwiseGradImage(nil, win, ks, g, dx, n, h, w, c, m, oh, ow)
		dk := make([]float64, len(ks))
		depthwiseGradKernel(nil, win, xs, g, dk, n, h, w, c, m, oh, ow)
		for i := range dx {
			if math.Abs(dx[i]-wantDX[i]) > 1e-12 {
				t.Fatalf("%v: image gradient %d is %g, want %g", win, i, dx[i], wantDX[i])
			}
		}
		for i := range dk {
			if math.Abs(dk[i]-wantDK[i]) > 1e-12 {
				t.Fatalf("%v: kernel gradient %d is %g, want %g", win, i, dk[i], wantDK[i])
			}
		}
	}
}
