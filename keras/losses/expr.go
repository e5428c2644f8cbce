package losses

import (
	"github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
)

// expr chains Gorgonia operations and keeps the first error, so that a loss reads as its
// formula. Once an operation fails every later one returns nil without calling Gorgonia
// (which panics on nil nodes); the loss returns e.err.
type expr struct{ err error }

func (e *expr) apply(f func() (*G.Node, error)) *G.Node {
	if e.err != nil {
		return nil
	}
	n, err := f()
	if err != nil {
		e.err = err
		return nil
	}
	return n
}

func (e *expr) sub(a, b *G.Node) *G.Node {
	return e.apply(func() (*G.Node, error) { return G.Sub(a, b) })
}

func (e *expr) add(a, b *G.Node) *G.Node {
	return e.apply(func() (*G.Node, error) { return G.Add(a, b) })
}

// mul is the element-wise product of two nodes of one shape, or a node and a scalar.
func (e *expr) mul(a, b *G.Node) *G.Node {
	return e.apply(func() (*G.Node, error) {
		if a.IsScalar() || b.IsScalar() {
			return G.Mul(a, b)
		}
		return G.HadamardProd(a, b)
	})
}

// div is the element-wise quotient of two nodes of one shape, or by a scalar.
func (e *expr) div(a, b *G.Node) *G.Node {
	return e.apply(func() (*G.Node, error) {
		if a.IsScalar() || b.IsScalar() {
			return G.Div(a, b)
		}
		return G.HadamardDiv(a, b)
	})
}

// scale returns a·v for a constant v.
func (e *expr) scale(a *G.Node, v float64) *G.Node {
	return e.apply(func() (*G.Node, error) { return G.Mul(a, constant(a, v)) })
}

// shift returns a + v for a constant v.
func (e *expr) shift(a *G.Node, v float64) *G.Node {
	return e.apply(func() (*G.Node, error) { return G.Add(a, constant(a, v)) })
}

// rsub returns v - a for a constant v.
func (e *expr) rsub(v float64, a *G.Node) *G.Node {
	return e.apply(func() (*G.Node, error) { return G.Sub(constant(a, v), a) })
}

func (e *expr) unary(f func(*G.Node) (*G.Node, error), a *G.Node) *G.Node {
	return e.apply(func() (*G.Node, error) { return f(a) })
}

func (e *expr) abs(a *G.Node) *G.Node    { return e.unary(G.Abs, a) }
func (e *expr) square(a *G.Node) *G.Node { return e.unary(G.Square, a) }
func (e *expr) log(a *G.Node) *G.Node    { return e.unary(G.Log, a) }
func (e *expr) neg(a *G.Node) *G.Node    { return e.unary(G.Neg, a) }
func (e *expr) sqrt(a *G.Node) *G.Node   { return e.unary(G.Sqrt, a) }

// softplus is log(1 + eˣ).
func (e *expr) softplus(a *G.Node) *G.Node { return e.unary(G.Softplus, a) }

// sigmoid is 1 / (1 + e⁻ˣ).
func (e *expr) sigmoid(a *G.Node) *G.Node { return e.unary(G.Sigmoid, a) }

// pow returns aᵛ for a constant v.
func (e *expr) pow(a *G.Node, v float64) *G.Node {
	return e.apply(func() (*G.Node, error) { return G.Pow(a, constant(a, v)) })
}

// maxConst and minConst bound a element-wise by a constant. They use kerago's ops (a tie
// splits the gradient as JAX does) on a constant tensor of a's shape, since neither these
// nor Gorgonia's MaxBetween broadcast a scalar.
func (e *expr) maxConst(a *G.Node, v float64) *G.Node {
	return e.apply(func() (*G.Node, error) { return ops.Maximum(a, filled(a, v)) })
}

func (e *expr) minConst(a *G.Node, v float64) *G.Node {
	return e.apply(func() (*G.Node, error) { return ops.Minimum(a, filled(a, v)) })
}

// clip bounds a to [lo, hi].
func (e *expr) clip(a *G.Node, lo, hi float64) *G.Node {
	return e.minConst(e.maxConst(a, lo), hi)
}

// sum sums a over the given axes (all of them when none are given).
func (e *expr) sum(a *G.Node, axes ...int) *G.Node {
	return e.apply(func() (*G.Node, error) {
		if len(axes) == 0 {
			return G.Sum(a)
		}
		return G.Sum(a, axes...)
	})
}

// maxAlong is the maximum of a along one axis.
func (e *expr) maxAlong(a *G.Node, axis int) *G.Node {
	return e.apply(func() (*G.Node, error) { return G.Max(a, axis) })
}

// mean is sum_over_batch_size: the mean of every element of a per-sample loss, or the loss
// itself when it is already a scalar.
func (e *expr) mean(a *G.Node) *G.Node {
	return e.apply(func() (*G.Node, error) {
		if a.IsScalar() {
			return a, nil
		}
		return ops.MeanAll(a)
	})
}

// last is the index of a's last axis.
func last(a *G.Node) int { return a.Dims() - 1 }
