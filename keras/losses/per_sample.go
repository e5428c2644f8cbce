package losses

import (
	"fmt"

	"github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
)

// Weighted returns l's loss with per-sample weights, as Keras computes a loss called with
// sample_weight under its default reduction "sum_over_batch_size": the loss of each sample
// (reduced over the last axis only) times its weight, summed and divided by the number of
// values — not by the sum of the weights. w has pred's shape without its last axis (each
// sample's weight repeated along any time axis). Every loss of this package is supported;
// Dice and Tversky over every axis (their default) give one value for the whole batch, which
// Keras, and so Weighted, multiplies by each weight. Another Loss returns an error naming it.
func Weighted(l Loss, y, pred, logits *G.Node, activation string, w *G.Node) (*G.Node, error) {
	per, err := perSample(l, y, pred, logits, activation)
	if err != nil {
		return nil, err
	}
	if per.IsScalar() {
		// Keras broadcasts a scalar loss against the weights: Σ w·l / n = l·mean(w).
		var e expr
		return e.mul(per, e.mean(w)), e.err
	}
	if !per.Shape().Eq(w.Shape()) {
		return nil, fmt.Errorf("%s: sample weights of shape %v for per-sample losses of shape %v", l.Name(), w.Shape(), per.Shape())
	}
	wl, err := G.HadamardProd(per, w)
	if err != nil {
		return nil, err
	}
	return ops.MeanAll(wl)
}

// perSample returns l's values reduced over the last axis only: Keras's loss function before
// the reduction.
func perSample(l Loss, y, pred, logits *G.Node, activation string) (*G.Node, error) {
	switch v := l.(type) { // targets of their own shape; one loss per sample
	case CTC:
		return v.perSample(y, pred)
	case Circle:
		return v.perSample(y, pred)
	}
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	if pred.Dims() < 2 {
		return nil, fmt.Errorf("%s: sample weights need predictions with a batch and a last axis, got shape %v", l.Name(), pred.Shape())
	}
	last := pred.Dims() - 1
	switch v := l.(type) {
	case MeanSquaredError:
		sq, err := squaredErrors(y, pred)
		if err != nil {
			return nil, err
		}
		return G.Mean(sq, last)
	case MeanAbsoluteError:
		a, err := absoluteErrors(y, pred)
		if err != nil {
			return nil, err
		}
		return G.Mean(a, last)
	case Huber:
		el, err := v.elementwise(y, pred)
		if err != nil {
			return nil, err
		}
		return G.Mean(el, last)
	case BinaryCrossentropy:
		return binaryPerSample(v, y, pred, logits, activation)
	case CategoricalCrossentropy:
		y, err := smoothTargets(v.Validate(), y, v.LabelSmoothing, classUniform(pred))
		if err != nil {
			return nil, err
		}
		return categoricalPerSample(y, pred, logits, activation, v.FromLogits)
	case SparseCategoricalCrossentropy:
		return categoricalPerSample(y, pred, logits, activation, v.FromLogits)
	case perSampler:
		return v.perSample(y, pred, logits, activation)
	}
	return nil, fmt.Errorf("%s: sample weights are not supported for this loss (%T)", l.Name(), l)
}

// binaryPerSample is BinaryCrossentropy.Build without the batch mean: the elementwise loss
// averaged over the last axis.
func binaryPerSample(l BinaryCrossentropy, y, pred, logits *G.Node, activation string) (*G.Node, error) {
	e, err := l.elementwise(y, pred, logits, activation)
	if err != nil {
		return nil, err
	}
	return G.Mean(e, pred.Dims()-1)
}

// categoricalPerSample is categorical without the batch mean.
func categoricalPerSample(y, pred, logits *G.Node, activation string, fromLogits bool) (*G.Node, error) {
	if fromLogits {
		logits, activation = pred, "softmax"
	}
	if logits != nil && activation == "softmax" {
		return ops.SoftmaxCrossEntropy(logits, y)
	}
	logp, err := logProbabilities(pred)
	if err != nil {
		return nil, err
	}
	yl, err := G.HadamardProd(y, logp)
	if err != nil {
		return nil, err
	}
	s, err := G.Sum(yl, pred.Dims()-1)
	if err != nil {
		return nil, err
	}
	return G.Neg(s)
}

// perSampler is a loss of this package that gives its values before the reduction itself.
type perSampler interface {
	perSample(y, pred, logits *G.Node, activation string) (*G.Node, error)
}

// meanLast averages a over its last axis: Keras's reduction of an elementwise loss to one
// value per sample (or per sample and time step).
func meanLast(e *expr, a *G.Node) *G.Node {
	return e.apply(func() (*G.Node, error) { return G.Mean(a, last(a)) })
}
