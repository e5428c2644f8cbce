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
	per, err := l.perSample(y, pred, nil, "")
	if err != nil {
		return nil, err
	}
	var e expr
	return e.mean(per), e.err
}

// perSample is the divergence of each sample (summed over the last axis): Build before its
// mean.
func (l KLDivergence) perSample(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	var e expr
	yc, pc := e.clip(y, Epsilon, 1), e.clip(pred, Epsilon, 1)
	return e.sum(e.mul(yc, e.log(e.div(yc, pc))), last(pred)), e.err
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
	return e.mean(l.elementwise(&e, y, pred)), e.err
}

// elementwise is the Poisson loss of each value: Build before its mean, over everything
// (Build) or over the last axis (perSample).
func (Poisson) elementwise(e *expr, y, pred *G.Node) *G.Node {
	return e.sub(pred, e.mul(y, e.log(e.shift(pred, Epsilon))))
}

// perSample is the Poisson loss averaged over the last axis.
func (l Poisson) perSample(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	var e expr
	return meanLast(&e, l.elementwise(&e, y, pred)), e.err
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
	per, err := l.perSample(y, pred, nil, "")
	if err != nil {
		return nil, err
	}
	var e expr
	return e.mean(per), e.err
}

// perSample is minus the cosine of each pair of vectors along the axis: Build before its
// mean. For an axis other than the last its shape is not the sample weights', which Weighted
// refuses, as Keras fails to broadcast them.
func (l CosineSimilarity) perSample(y, pred, _ *G.Node, _ string) (*G.Node, error) {
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
	return e.neg(e.div(dot, e.mul(norm(y), norm(pred)))), e.err
}
