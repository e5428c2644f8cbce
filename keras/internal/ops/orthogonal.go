package ops

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// OrthogonalPenalty returns Keras's OrthogonalRegularizer penalty of a rank-2 weight w:
// factor · 0.5 · Σ_{i≠j} |xᵢ·xⱼ| / (n(n-1)/2), where the xᵢ are w's rows ("rows") or columns
// ("columns"), each L2-normalised as Keras's ops.normalize (the norm floored at 1e-7),
// and n their number. It is one op with a hand-written gradient: built from Gorgonia's
// MatMul, the Gram matrix would transpose the weight's header in place (docs/gorgonia.md).
func OrthogonalPenalty(w *G.Node, factor float64, columns bool) (*G.Node, error) {
	mode := "rows"
	if columns {
		mode = "columns"
	}
	if w.Dims() != 2 {
		return nil, fmt.Errorf("orthogonal regularizer: weights of shape %v; it takes rank-2 weights (a Dense kernel)", w.Shape())
	}
	n := w.Shape()[0]
	if columns {
		n = w.Shape()[1]
	}
	if n < 2 {
		return nil, fmt.Errorf("orthogonal regularizer: weights of shape %v have %d %s; it needs at least 2 (Keras divides by the number of pairs, 0)", w.Shape(), n, mode)
	}
	return applyKernel("orthogonal_penalty", fmt.Sprintf("factor=%v,mode=%s", factor, mode), orthogonal{factor, columns}, 0, w)
}

type orthogonal struct {
	factor  float64
	columns bool
}

func (orthogonal) outShape(in []tensor.Shape) (tensor.Shape, error) {
	if len(in) != 1 || len(in[0]) != 2 {
		return nil, fmt.Errorf("want one rank-2 input, got %v", in)
	}
	return tensor.Shape{}, nil
}

// vectors returns the normalised vectors (rows, or columns), their count n, length d, and
// each one's norm with whether the floor applied.
func (k orthogonal) vectors(w []float64, s tensor.Shape) (x [][]float64, norms []float64, floored []bool) {
	r, c := s[0], s[1]
	n, d := r, c
	at := func(i, j int) float64 { return w[i*c+j] }
	if k.columns {
		n, d = c, r
		at = func(i, j int) float64 { return w[j*c+i] }
	}
	x, norms, floored = make([][]float64, n), make([]float64, n), make([]bool, n)
	for i := range x {
		x[i] = make([]float64, d)
		ss := 0.0
		for j := range x[i] {
			x[i][j] = at(i, j)
			ss += x[i][j] * x[i][j]
		}
		norms[i] = math.Sqrt(ss)
		if norms[i] < 1e-7 { // Keras's ops.normalize: x·min(rsqrt(Σx²), 1/ε), ε = 1e-7
			norms[i], floored[i] = 1e-7, true
		}
		for j := range x[i] {
			x[i][j] /= norms[i]
		}
	}
	return x, norms, floored
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// scale is the factor in front of Σ|offdiagonal|: factor · 0.5 / (n(n-1)/2).
func (k orthogonal) scale(n int) float64 { return k.factor * 0.5 / (float64(n) * float64(n-1) / 2) }

func (k orthogonal) forward(in [][]float64, s []tensor.Shape) ([]float64, error) {
	x, _, _ := k.vectors(in[0], s[0])
	sum := 0.0
	for i := range x {
		for j := range x {
			if i != j {
				sum += math.Abs(dot(x[i], x[j]))
			}
		}
	}
	return []float64{k.scale(len(x)) * sum}, nil
}

// backward: with S = scale·sign(XXᵀ) off the diagonal, ∂/∂X = 2·S·X (S is symmetric); each
// vector's gradient then goes through the normalisation, (g - x(x·g))/‖w‖, or g/‖w‖ where the
// floor made the norm a constant.
func (k orthogonal) backward(in [][]float64, s []tensor.Shape, dOut []float64) ([]float64, error) {
	x, norms, floored := k.vectors(in[0], s[0])
	c := k.scale(len(x)) * dOut[0]
	dw := make([]float64, len(in[0]))
	cols := s[0][1]
	for i := range x {
		g := make([]float64, len(x[i]))
		for j := range x {
			if i == j {
				continue
			}
			p := dot(x[i], x[j])
			sign := 0.0
			if p > 0 {
				sign = 1
			} else if p < 0 {
				sign = -1
			}
			for t := range g {
				g[t] += 2 * c * sign * x[j][t]
			}
		}
		xg := 0.0
		if !floored[i] {
			xg = dot(x[i], g)
		}
		for t := range g {
			v := (g[t] - x[i][t]*xg) / norms[i]
			if k.columns {
				dw[t*cols+i] = v
			} else {
				dw[i*cols+t] = v
			}
		}
	}
	return dw, nil
}
