package losses

import (
	G "gorgonia.org/gorgonia"
)

// Hinge is Keras's "hinge": mean(max(1 - y·pred, 0)). Targets are -1 or 1; when every target
// of the batch is 0 or 1 they are taken as binary labels and mapped to -1 and 1, as Keras
// does.
type Hinge struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
}

// Name returns "hinge".
func (Hinge) Name() string { return "hinge" }

// Build returns the mean hinge loss.
func (l Hinge) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	var e expr
	m := hingeMargin(&e, y, pred)
	return e.mean(m), e.err
}

// perSample is the hinge loss averaged over the last axis.
func (Hinge) perSample(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	var e expr
	return meanLast(&e, hingeMargin(&e, y, pred)), e.err
}

// SquaredHinge is Keras's "squared_hinge": mean(max(1 - y·pred, 0)²), with Hinge's targets.
type SquaredHinge struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
}

// Name returns "squared_hinge".
func (SquaredHinge) Name() string { return "squared_hinge" }

// Build returns the mean squared hinge loss.
func (l SquaredHinge) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	var e expr
	m := hingeMargin(&e, y, pred)
	return e.mean(e.square(m)), e.err
}

// perSample is the squared hinge loss averaged over the last axis.
func (SquaredHinge) perSample(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	var e expr
	return meanLast(&e, e.square(hingeMargin(&e, y, pred))), e.err
}

// hingeMargin is max(1 - y'·pred, 0), y' being y with binary labels mapped to ±1.
func hingeMargin(e *expr, y, pred *G.Node) *G.Node {
	y = hingeLabels(e, y)
	return e.maxConst(e.rsub(1, e.mul(y, pred)), 0)
}

// hingeLabels is Keras's convert_binary_labels_to_hinge inside the graph: 2y - 1 when every
// element of y is 0 or 1, else y. The switch is y + b·(y - 1) with b = 1 exactly when the
// count of elements equal to 0 or 1 is the element count. Nothing here needs a gradient:
// targets are fed, not trained.
func hingeLabels(e *expr, y *G.Node) *G.Node {
	isZero := e.apply(func() (*G.Node, error) { return G.Eq(y, filled(y, 0), true) })
	isOne := e.apply(func() (*G.Node, error) { return G.Eq(y, filled(y, 1), true) })
	count := e.sum(e.add(isZero, isOne))
	binary := e.apply(func() (*G.Node, error) {
		return G.Eq(count, constant(y, float64(y.Shape().TotalSize())), true)
	})
	return e.add(y, e.mul(binary, e.shift(y, -1)))
}

// CategoricalHinge is Keras's "categorical_hinge": max(neg - pos + 1, 0) per sample, where
// pos = Σ y·pred and neg = max((1 - y)·pred) over the last axis; averaged over the batch.
// Targets are one-hot.
type CategoricalHinge struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
}

// Name returns "categorical_hinge".
func (CategoricalHinge) Name() string { return "categorical_hinge" }

// Build returns the mean categorical hinge loss.
func (l CategoricalHinge) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
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

// perSample is the categorical hinge loss of each sample: Build before its mean.
func (CategoricalHinge) perSample(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	var e expr
	ax := last(pred)
	pos := e.sum(e.mul(y, pred), ax)
	neg := e.maxAlong(e.mul(e.rsub(1, y), pred), ax)
	return e.maxConst(e.shift(e.sub(neg, pos), 1), 0), e.err
}
