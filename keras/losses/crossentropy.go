package losses

import (
	"fmt"
	"math"

	"github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BinaryCrossentropy is Keras's "binary_crossentropy": mean over the last axis of
// -(y·log p + (1-y)·log(1-p)), then over the batch. From logits z (FromLogits, or the
// pre-activation of a sigmoid output) it is computed as softplus(z) - y·z, which is finite
// for any z; from probabilities, p is clipped to [Epsilon, 1-Epsilon] as Keras does.
//
// The zero value is Keras's default BinaryCrossentropy().
type BinaryCrossentropy struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
	// FromLogits says the predictions are logits, not probabilities (Keras's from_logits;
	// default false).
	FromLogits bool
	// LabelSmoothing, in [0, 1], moves the targets towards 0.5: y·(1-s) + s/2 (Keras's
	// label_smoothing; default 0).
	LabelSmoothing float64
}

// Name returns "binary_crossentropy".
func (BinaryCrossentropy) Name() string { return "binary_crossentropy" }

// Validate reports a label smoothing outside [0, 1].
func (l BinaryCrossentropy) Validate() error { return checkSmoothing(l.Name(), l.LabelSmoothing) }

// Build returns the binary cross-entropy.
func (l BinaryCrossentropy) Build(y, pred, logits *G.Node, activation string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	e, err := l.elementwise(y, pred, logits, activation)
	if err != nil {
		return nil, err
	}
	return meanAll(e)
}

// elementwise returns the loss of every value before any mean: from logits (FromLogits, or
// the pre-activation of a sigmoid output) softplus(z) − y·z, else −(y·log p + (1−y)·log(1−p))
// with p clipped as Keras does. Build averages it over everything; the per-sample form
// (per_sample.go) over the last axis.
func (l BinaryCrossentropy) elementwise(y, pred, logits *G.Node, activation string) (*G.Node, error) {
	y, err := smoothTargets(l.Validate(), y, l.LabelSmoothing, 0.5)
	if err != nil {
		return nil, err
	}
	if l.FromLogits {
		logits, activation = pred, "sigmoid"
	}
	if logits != nil && activation == "sigmoid" {
		// One op, the arithmetic of Softplus(z) − y⊙z and its gradient rounded as before.
		return ops.SigmoidCrossEntropy(logits, y)
	}
	p, err := clip(pred)
	if err != nil {
		return nil, err
	}
	logp, err := G.Log(p)
	if err != nil {
		return nil, err
	}
	one := constant(pred, 1)
	q, err := G.Sub(one, p)
	if err != nil {
		return nil, err
	}
	logq, err := G.Log(q)
	if err != nil {
		return nil, err
	}
	ny, err := G.Sub(one, y)
	if err != nil {
		return nil, err
	}
	a, err := G.HadamardProd(y, logp)
	if err != nil {
		return nil, err
	}
	b, err := G.HadamardProd(ny, logq)
	if err != nil {
		return nil, err
	}
	s, err := G.Add(a, b)
	if err != nil {
		return nil, err
	}
	return G.Neg(s)
}

// CategoricalCrossentropy is Keras's "categorical_crossentropy": -Σ y·log p over the classes
// (last axis), averaged over the batch. From logits (FromLogits, or the pre-activation of a
// softmax output) it is computed row by row through the logits' log-sum-exp, fused into one
// op whose gradient is softmax(z) - y; from probabilities, p is normalised and clipped to
// [Epsilon, 1-Epsilon] as Keras does.
//
// The zero value is Keras's default CategoricalCrossentropy().
type CategoricalCrossentropy struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
	// FromLogits says the predictions are logits, not probabilities (Keras's from_logits;
	// default false).
	FromLogits bool
	// LabelSmoothing, in [0, 1], moves the targets towards uniform: y·(1-s) + s/classes
	// (Keras's label_smoothing; default 0).
	LabelSmoothing float64
}

// Name returns "categorical_crossentropy".
func (CategoricalCrossentropy) Name() string { return "categorical_crossentropy" }

// Validate reports a label smoothing outside [0, 1].
func (l CategoricalCrossentropy) Validate() error {
	return checkSmoothing(l.Name(), l.LabelSmoothing)
}

// Build returns the categorical cross-entropy.
func (l CategoricalCrossentropy) Build(y, pred, logits *G.Node, activation string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	y, err := smoothTargets(l.Validate(), y, l.LabelSmoothing, classUniform(pred))
	if err != nil {
		return nil, err
	}
	return categorical(l.Name(), y, pred, logits, activation, l.FromLogits)
}

// SparseCategoricalCrossentropy is Keras's "sparse_categorical_crossentropy": the categorical
// cross-entropy with integer class targets (fed one-hot encoded).
//
// The zero value is Keras's default SparseCategoricalCrossentropy().
type SparseCategoricalCrossentropy struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
	// FromLogits says the predictions are logits, not probabilities (Keras's from_logits;
	// default false).
	FromLogits bool
}

// Name returns "sparse_categorical_crossentropy".
func (SparseCategoricalCrossentropy) Name() string { return "sparse_categorical_crossentropy" }

// SparseTargets reports that targets are class indices.
func (SparseCategoricalCrossentropy) SparseTargets() bool { return true }

// Build returns the cross-entropy of the one-hot targets.
func (l SparseCategoricalCrossentropy) Build(y, pred, logits *G.Node, activation string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	return categorical(l.Name(), y, pred, logits, activation, l.FromLogits)
}

// categorical is -Σ y·log p over the last axis, averaged over the rest. From logits it is
// one fused op per row (ops.SoftmaxCrossEntropy): Gorgonia's LogSoftMax kernel lets a row
// depend on the batch's first element (docs/gorgonia.md) and allocates per row.
func categorical(name string, y, pred, logits *G.Node, activation string, fromLogits bool) (*G.Node, error) {
	if fromLogits {
		logits, activation = pred, "softmax"
	}
	if logits != nil && activation == "softmax" {
		per, err := ops.SoftmaxCrossEntropy(logits, y)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return ops.MeanAll(per)
	}
	logp, err := logProbabilities(pred)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	yl, err := G.HadamardProd(y, logp)
	if err != nil {
		return nil, err
	}
	m, err := sumLastThenMean(yl)
	if err != nil {
		return nil, err
	}
	return G.Neg(m)
}

// logProbabilities is Keras's log of probabilities: each row normalised to sum 1, clipped to
// [Epsilon, 1-Epsilon], then the log.
func logProbabilities(pred *G.Node) (*G.Node, error) {
	last := pred.Dims() - 1
	sum, err := G.Sum(pred, last)
	if err != nil {
		return nil, err
	}
	// Safe: the broadcast operand (a view) is only read; the in-place write goes to pred only once nothing reads it.
	norm, err := G.BroadcastHadamardDiv(pred, sum, nil, []byte{byte(last)})
	if err != nil {
		return nil, err
	}
	p, err := clip(norm)
	if err != nil {
		return nil, err
	}
	return G.Log(p)
}

// smoothTargets returns the label-smoothed targets y·(1-s) + s·to, or y itself for s = 0,
// unless the loss's arguments are invalid: invalid is the result of its Validate.
func smoothTargets(invalid error, y *G.Node, s, to float64) (*G.Node, error) {
	if invalid != nil {
		return nil, invalid
	}
	return smooth(y, s, to)
}

// classUniform is 1/classes for the classes along pred's last axis: the value categorical
// label smoothing moves each target toward, as Keras's categorical losses smooth.
func classUniform(pred *G.Node) float64 { return 1 / float64(pred.Shape()[pred.Dims()-1]) }

// smooth returns the label-smoothed targets y·(1-s) + s·to, or y itself for s = 0.
func smooth(y *G.Node, s, to float64) (*G.Node, error) {
	if s == 0 {
		return y, nil
	}
	a, err := G.Mul(y, constant(y, 1-s))
	if err != nil {
		return nil, err
	}
	return G.Add(a, constant(y, s*to))
}

// checkSmoothing reports a label smoothing outside [0, 1].
func checkSmoothing(name string, s float64) error {
	if math.IsNaN(s) || s < 0 || s > 1 {
		return fmt.Errorf("%s: label smoothing %v is outside [0, 1]", name, s)
	}
	return nil
}

// clip limits probabilities to [Epsilon, 1-Epsilon]. Gorgonia's MaxBetween and MinBetween
// take operands of one shape, so the bounds are constant tensors of p's shape.
func clip(p *G.Node) (*G.Node, error) {
	lo, err := G.MaxBetween(p, filled(p, Epsilon))
	if err != nil {
		return nil, err
	}
	return G.MinBetween(lo, filled(p, 1-Epsilon))
}

// filled returns a constant of n's shape and dtype with every element v. It is named by its
// shape, dtype and value: an unnamed constant is named by Gorgonia's print of its value, which
// elides the middle of longer tensors, and the graph merges constants of one name, so two
// clips of outputs of different shapes would share one constant (see keras/ops filled).
func filled(n *G.Node, v float64) *G.Node {
	s := n.Shape().Clone()
	t := tensor.New(tensor.WithShape(s...), tensor.Of(n.Dtype()))
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = float32(v)
		}
	case []float64:
		for i := range d {
			d[i] = v
		}
	}
	return G.NewConstant(t, G.WithName(fmt.Sprintf("kerago.filled(%v,%v,%v)", []int(s), n.Dtype(), v)))
}
