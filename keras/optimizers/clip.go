package optimizers

import (
	"math"

	"gorgonia.org/tensor"
)

// before runs what Keras's base optimizer does to a step before the optimizer's own update
// (BaseOptimizer.apply): clip the gradients (clipnorm, else global_clipnorm, else
// clipvalue), then decay the weights. It returns the gradients to update with: grads itself
// when no clipping is set, otherwise clipped copies in buffers the optimizer keeps, so the
// caller's gradients are left alone and a step still allocates nothing. The caller holds s.mu
// and has checked params and grads with prepare.
func (s *state) before(params, grads []*tensor.Dense) []*tensor.Dense {
	if s.clipnorm > 0 || s.globalClipnorm > 0 || s.clipvalue > 0 {
		grads = s.clip(grads)
	}
	s.decay(params)
	return grads
}

// clip copies grads into the clip buffers and clips them there, as Keras's _clip_gradients.
func (s *state) clip(grads []*tensor.Dense) []*tensor.Dense {
	s.ensureClipBuffers(grads)
	for i, g := range grads {
		copyConvert(s.clipBuf[i], g)
	}
	out := s.clipBuf
	switch {
	case s.clipnorm > 0:
		// Each gradient on its own: g * clipnorm / max(||g||, clipnorm), with a zero norm
		// left as is (Keras's two-tap where, so an all-zero gradient stays zero).
		for _, g := range out {
			norm := math.Sqrt(sumSquares(g))
			scaleDense(g, s.clipnorm, math.Max(norm, s.clipnorm))
		}
	case s.globalClipnorm > 0:
		// All gradients together: g * clip * min(1/||all||, 1/clip); a NaN or infinite
		// norm makes every gradient NaN, as in Keras.
		var sum float64
		for _, g := range out {
			sum += sumSquares(g)
		}
		norm := math.Sqrt(sum)
		scale := s.globalClipnorm*math.Min(1/norm, 1/s.globalClipnorm) + (norm - norm)
		for _, g := range out {
			scaleDense(g, scale, 1)
		}
	default:
		for _, g := range out {
			switch g.Dtype() {
			case tensor.Float32:
				clipLoop(g.Float32s(), float32(s.clipvalue))
			default:
				clipLoop(g.Float64s(), s.clipvalue)
			}
		}
	}
	return out
}

// ensureClipBuffers (re)makes one buffer per gradient when their number, shapes or dtypes
// change: on the first clipped step and after a rebind, never on the steps between.
func (s *state) ensureClipBuffers(grads []*tensor.Dense) {
	ok := len(s.clipBuf) == len(grads)
	for i := 0; ok && i < len(grads); i++ {
		ok = s.clipBuf[i].Dtype() == grads[i].Dtype() && sameShape(s.clipBuf[i].Shape(), grads[i].Shape())
	}
	if ok {
		return
	}
	s.clipBuf = make([]*tensor.Dense, len(grads))
	for i, g := range grads {
		s.clipBuf[i] = tensor.New(tensor.Of(g.Dtype()), tensor.WithShape(g.Shape().Clone()...))
	}
}

// sumSquares is the sum of the squares of a float tensor's elements, in float64.
func sumSquares(t *tensor.Dense) float64 {
	var sum float64
	switch t.Dtype() {
	case tensor.Float32:
		for _, v := range t.Float32s() {
			sum += float64(v) * float64(v)
		}
	default:
		for _, v := range t.Float64s() {
			sum += v * v
		}
	}
	return sum
}

// scaleDense sets every element x to x*num/den, in the tensor's dtype, the product rounded
// before the division as Keras's ops round it.
func scaleDense(t *tensor.Dense, num, den float64) {
	switch t.Dtype() {
	case tensor.Float32:
		n, d := float32(num), float32(den)
		w := t.Float32s()
		for i := range w {
			w[i] = float32(w[i]*n) / d
		}
	default:
		w := t.Float64s()
		for i := range w {
			w[i] = (w[i] * num) / den
		}
	}
}

// clipLoop clips every element to [-v, v]; NaN stays NaN.
func clipLoop[T float32 | float64](g []T, v T) {
	for i, x := range g {
		switch {
		case x > v:
			g[i] = v
		case x < -v:
			g[i] = -v
		}
	}
}
