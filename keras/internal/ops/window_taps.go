package ops

import "iter"

// The direct window loops (the depthwise convolution's three, col2im) all walk the same
// thing: for one output position, the kernel taps that land inside the image, skipping those
// over padding, which read zeros. taps walks it once for all of them; what each loop does at a
// tap (a channel row times a kernel row, in one of two directions) is spreadMul or gatherMul.

// taps yields the kernel taps of output position (oy, ox) that fall inside an h×wd image, in
// the kernel's row-major order: for each, the tap's index i·KW+j in the kernel and the index
// iy·wd+ix of the image pixel it reads.
func (w Window) taps(oy, ox, h, wd int) iter.Seq2[int, int] {
	return func(yield func(tap, pix int) bool) {
		for i := 0; i < w.KH; i++ {
			iy := oy*w.SH - w.Top + i*w.DH
			if iy < 0 || iy >= h {
				continue
			}
			for j := 0; j < w.KW; j++ {
				ix := ox*w.SW - w.Left + j*w.DW
				if ix < 0 || ix >= wd {
					continue
				}
				if !yield(i*w.KW+j, iy*wd+ix) {
					return
				}
			}
		}
	}
}

// spreadMul adds a[ch]·b[q] to dst[q] for each of channel ch's m outputs q = ch·m … ch·m+m−1:
// a has one value a channel, b and dst m a channel, as a depthwise kernel row is laid out.
func spreadMul[T float](dst, a, b []T, m int) {
	if m == 1 {
		dst, b := dst[:len(a)], b[:len(a)] // one bounds check, not one per channel
		for ch, v := range a {
			dst[ch] += v * b[ch]
		}
		return
	}
	for ch, v := range a {
		for q := ch * m; q < (ch+1)*m; q++ {
			dst[q] += v * b[q]
		}
	}
}

// gatherMul is spreadMul's transpose: it adds Σ a[q]·b[q] over channel ch's m values q to
// dst[ch]. a and b have m values a channel, dst one.
func gatherMul[T float](dst, a, b []T, m int) {
	if m == 1 {
		a, b := a[:len(dst)], b[:len(dst)]
		for ch := range dst {
			dst[ch] += a[ch] * b[ch]
		}
		return
	}
	for ch := range dst {
		var s T
		for q := ch * m; q < (ch+1)*m; q++ {
			s += a[q] * b[q]
		}
		dst[ch] += s
	}
}
