package ops

import "math"

// The kernels below work on one row at a time and read nothing outside it, so a row's result
// does not depend on the rest of its batch (Gorgonia's kernels start every row's maximum from
// the batch's first element: docs/gorgonia.md). Sums and exponentials are taken in float64
// whatever T is, and nothing is allocated.

// rowMax returns the largest element of a non-empty row; NaNs are skipped here and propagate
// through the exponentials instead.
func rowMax[T float](x []T) float64 {
	m := float64(x[0])
	for _, v := range x[1:] {
		if f := float64(v); f > m {
			m = f
		}
	}
	return m
}

// softmaxRow writes softmax(x) into out: exp(x - max) / Σ exp(x - max).
func softmaxRow[T float](x, out []T) {
	m := rowMax(x)
	s := 0.0
	for i, v := range x {
		e := math.Exp(float64(v) - m)
		out[i] = T(e)
		s += e
	}
	for i, e := range out {
		out[i] = T(float64(e) / s)
	}
}

// logSumExpShifted returns the row's maximum m and log Σ exp(x - m).
func logSumExpShifted[T float](x []T) (m, ls float64) {
	m = rowMax(x)
	s := 0.0
	for _, v := range x {
		s += math.Exp(float64(v) - m)
	}
	return m, math.Log(s)
}

// logSoftmaxRow writes log softmax(x) into out: (x - max) - log Σ exp(x - max).
func logSoftmaxRow[T float](x, out []T) {
	m, ls := logSumExpShifted(x)
	for i, v := range x {
		out[i] = T(float64(v) - m - ls)
	}
}

// softmaxGradRow writes the gradient through y = softmax(x) into dx:
// dx_i = y_i (dy_i - Σ_j dy_j y_j).
func softmaxGradRow[T float](y, dy, dx []T) {
	s := 0.0
	for i, v := range y {
		s += float64(dy[i]) * float64(v)
	}
	for i, v := range y {
		dx[i] = T(float64(v) * (float64(dy[i]) - s))
	}
}

// logSoftmaxGradRow writes the gradient through y = log softmax(x) into dx:
// dx_i = dy_i - exp(y_i) Σ_j dy_j.
func logSoftmaxGradRow[T float](y, dy, dx []T) {
	s := 0.0
	for _, g := range dy {
		s += float64(g)
	}
	for i, v := range y {
		dx[i] = T(float64(dy[i]) - math.Exp(float64(v))*s)
	}
}

// crossEntropyRow returns -Σ_i y_i log softmax(z)_i for one row of logits z and targets y.
func crossEntropyRow[T float](z, y []T) T {
	m, ls := logSumExpShifted(z)
	l := 0.0
	for i, v := range z {
		if t := float64(y[i]); t != 0 {
			l -= t * (float64(v) - m - ls)
		}
	}
	return T(l)
}

// crossEntropyGradRow writes the gradient of g · crossEntropyRow(z, y) with respect to z into
// dz: g (softmax(z)_i Σ_j y_j - y_i), which is g (softmax(z) - y) for targets summing to 1.
func crossEntropyGradRow[T float](z, y, dz []T, g float64) {
	m, ls := logSumExpShifted(z)
	sy := 0.0
	for _, t := range y {
		sy += float64(t)
	}
	for i, v := range z {
		p := math.Exp(float64(v) - m - ls)
		dz[i] = T(g * (p*sy - float64(y[i])))
	}
}
