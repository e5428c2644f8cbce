package ops

import (
	"slices"
	"testing"
)

// TestWindowTaps checks Window.taps against the window's definition, for windows with
// strides, dilation and asymmetric padding over a 5×6 image: at each output position it
// yields exactly the taps (i, j) whose pixel (oy·SH − Top + i·DH, ox·SW − Left + j·DW) lies in
// the image, in the kernel's row-major order, and stops when the loop does.
func TestWindowTaps(t *testing.T) {
	const h, wd = 5, 6
	for _, w := range []Window{
		{KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, Top: 1, Bottom: 1, Left: 1, Right: 1},
		{KH: 3, KW: 2, SH: 2, SW: 1, DH: 1, DW: 2, Top: 0, Bottom: 1, Left: 2, Right: 0},
		{KH: 1, KW: 4, SH: 1, SW: 3, DH: 1, DW: 1, Left: 3},
	} {
		oh, ow := w.Out(h, wd)
		for oy := range oh {
			for ox := range ow {
				var want, got [][2]int
				for i := range w.KH {
					for j := range w.KW {
						iy, ix := oy*w.SH-w.Top+i*w.DH, ox*w.SW-w.Left+j*w.DW
						if iy >= 0 && iy < h && ix >= 0 && ix < wd {
							want = append(want, [2]int{i*w.KW + j, iy*wd + ix})
						}
					}
				}
				for tap, pix := range w.taps(oy, ox, h, wd) {
					got = append(got, [2]int{tap, pix})
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%v at (%d, %d): taps %v, want %v", w, oy, ox, got, want)
				}
				n := 0
				for range w.taps(oy, ox, h, wd) {
					n++
					break
				}
				if n > 1 {
					t.Fatalf("%v: taps went on after the loop broke", w)
				}
			}
		}
	}
}
