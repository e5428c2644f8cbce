package losses

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// CategoricalGeneralizedCrossEntropy is Keras's CategoricalGeneralizedCrossEntropy, a
// cross-entropy robust to noisy labels: (1 - p^q)/q per sample, p being the probability
// predicted for the true class, averaged over the batch. Targets are class indices, like
// SparseCategoricalCrossentropy's (fed one-hot encoded).
//
// The zero value is Keras's default (q = 0.5).
type CategoricalGeneralizedCrossEntropy struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
	// Q, in (0, 1), moves the loss from cross-entropy (near 0) to mean absolute error (near
	// 1) (Keras's q; default 0.5, which the zero value means).
	Q float64
}

// Name returns "categorical_generalized_cross_entropy".
func (CategoricalGeneralizedCrossEntropy) Name() string {
	return "categorical_generalized_cross_entropy"
}

// SparseTargets reports that targets are class indices.
func (CategoricalGeneralizedCrossEntropy) SparseTargets() bool { return true }

func (l CategoricalGeneralizedCrossEntropy) q() float64 { return orDefault(l.Q, 0.5) }

// Validate reports a q outside (0, 1), as Keras does.
func (l CategoricalGeneralizedCrossEntropy) Validate() error {
	if q := l.q(); !(q > 0 && q < 1) {
		return fmt.Errorf("%s: q %v must be in (0, 1)", l.Name(), l.Q)
	}
	return nil
}

// Build returns the generalized cross-entropy of the one-hot targets y.
func (l CategoricalGeneralizedCrossEntropy) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
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

// perSample is the generalized cross-entropy of each sample: Build before its mean.
func (l CategoricalGeneralizedCrossEntropy) perSample(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	q := l.q()
	var e expr
	p := e.sum(e.mul(pred, y), last(pred))
	return e.scale(e.rsub(1, e.pow(p, q)), 1/q), e.err
}
