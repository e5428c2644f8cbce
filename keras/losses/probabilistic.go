package losses

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// KLDivergence is Keras's "kl_divergence" ("kld"): Σ y·log(y / pred) over the last axis,
// with y and pred clipped to [Epsilon, 1], averaged over the rest.
type KLDivergence struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
}

// Name returns "kl_divergence".
func (KLDivergence) Name() string { return "kl_divergence" }

// Build returns the Kullback-Leibler divergence of pred from y.
func (l KLDivergence) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	var e expr
	yc, pc := e.clip(y, Epsilon, 1), e.clip(pred, Epsilon, 1)
	per := e.sum(e.mul(yc, e.log(e.div(yc, pc))), last(pred))
	return e.mean(per), e.err
}

// Poisson is Keras's "poisson": mean(pred - y·log(pred + Epsilon)).
type Poisson struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
}

// Name returns "poisson".
func (Poisson) Name() string { return "poisson" }

// Build returns the Poisson loss.
func (l Poisson) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	var e expr
	per := e.sub(pred, e.mul(y, e.log(e.shift(pred, Epsilon))))
	return e.mean(per), e.err
}

// CosineSimilarity is Keras's "cosine_similarity": minus the cosine of the angle between y and
// pred along Axis, averaged over the other axes. Each vector's norm is taken as at least
// Epsilon, as Keras's normalize does, so a zero vector gives 0, not NaN.
//
// The zero value is Keras's default CosineSimilarity() (axis -1).
type CosineSimilarity struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
	// Axis is the axis of the vectors (Keras's axis; default -1, the last, which the zero value
	// also means). Axis 0, the batch, is not supported.
	Axis int
}

// Name returns "cosine_similarity".
func (CosineSimilarity) Name() string { return "cosine_similarity" }

// axis returns Keras's axis, -1 for the zero value.
func (l CosineSimilarity) axis() int {
	if l.Axis == 0 {
		return -1
	}
	return l.Axis
}

// Build returns -Σ y·pred / (‖y‖·‖pred‖) along the axis, averaged.
func (l CosineSimilarity) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	ax := l.axis()
	if ax < 0 {
		ax += pred.Dims()
	}
	if ax < 1 || ax >= pred.Dims() {
		return nil, fmt.Errorf("%s: axis %d is outside the non-batch axes of predictions of shape %v", l.Name(), l.Axis, pred.Shape())
	}
	var e expr
	// ‖x‖ taken as at least ε: Keras multiplies by min(rsqrt(Σx²), 1/ε).
	norm := func(x *G.Node) *G.Node { return e.sqrt(e.maxConst(e.sum(e.square(x), ax), Epsilon*Epsilon)) }
	dot := e.sum(e.mul(y, pred), ax)
	per := e.neg(e.div(dot, e.mul(norm(y), norm(pred))))
	return e.mean(per), e.err
}
