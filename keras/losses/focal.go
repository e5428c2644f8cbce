package losses

import (
	"fmt"
	"math"

	"github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
)

// BinaryFocalCrossentropy is Keras's "binary_focal_crossentropy": the binary cross-entropy of
// each element weighted by (1 - pₜ)^γ, pₜ being the probability given to the true label, so
// that well-classified elements count less; with ApplyClassBalancing also by α for positives
// and 1-α for negatives. Averaged over the last axis, then over the batch. As in Keras, logits
// are turned into probabilities by a sigmoid and then clipped to [Epsilon, 1-Epsilon].
//
// The zero value is Keras's default BinaryFocalCrossentropy() (α = 0.25, γ = 2).
type BinaryFocalCrossentropy struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
	// ApplyClassBalancing weights positives by Alpha and negatives by 1-Alpha (Keras's
	// apply_class_balancing; default false).
	ApplyClassBalancing bool
	// Alpha is the positives' weight when balancing (Keras's alpha; default 0.25, which the
	// zero value means).
	Alpha float64
	// Gamma is the focusing exponent γ ≥ 0 (Keras's gamma; default 2, which the zero value
	// means: for γ = 0 use BinaryCrossentropy, which it then equals).
	Gamma float64
	// FromLogits says the predictions are logits (Keras's from_logits; default false).
	FromLogits bool
	// LabelSmoothing, in [0, 1], moves the targets towards 0.5 (Keras's label_smoothing;
	// default 0).
	LabelSmoothing float64
}

// Name returns "binary_focal_crossentropy".
func (BinaryFocalCrossentropy) Name() string { return "binary_focal_crossentropy" }

func (l BinaryFocalCrossentropy) alpha() float64 { return orDefault(l.Alpha, 0.25) }
func (l BinaryFocalCrossentropy) gamma() float64 { return orDefault(l.Gamma, 2) }

// Validate reports a label smoothing outside [0, 1] or a negative or non-finite gamma.
func (l BinaryFocalCrossentropy) Validate() error {
	if err := checkSmoothing(l.Name(), l.LabelSmoothing); err != nil {
		return err
	}
	return checkFocal(l.Name(), l.alpha(), l.gamma())
}

// Build returns the binary focal cross-entropy.
func (l BinaryFocalCrossentropy) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	focal, err := l.elementwise(y, pred)
	if err != nil {
		return nil, err
	}
	var e expr
	return e.mean(focal), e.err
}

// perSample is the focal cross-entropy averaged over the last axis.
func (l BinaryFocalCrossentropy) perSample(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	focal, err := l.elementwise(y, pred)
	if err != nil {
		return nil, err
	}
	var e expr
	return meanLast(&e, focal), e.err
}

// elementwise is the focal cross-entropy of each value: Build before its mean.
func (l BinaryFocalCrossentropy) elementwise(y, pred *G.Node) (*G.Node, error) {
	y, err := smoothTargets(l.Validate(), y, l.LabelSmoothing, 0.5)
	if err != nil {
		return nil, err
	}
	var e expr
	p := pred
	if l.FromLogits {
		p = e.sigmoid(pred)
	}
	pc := e.clip(p, Epsilon, 1-Epsilon)
	ny := e.rsub(1, y)
	bce := e.neg(e.add(e.mul(y, e.log(pc)), e.mul(ny, e.log(e.rsub(1, pc)))))
	// pₜ from the unclipped probabilities, as Keras computes it.
	pt := e.add(e.mul(y, p), e.mul(ny, e.rsub(1, p)))
	focal := e.mul(e.pow(e.rsub(1, pt), l.gamma()), bce)
	if l.ApplyClassBalancing {
		a := l.alpha()
		w := e.add(e.scale(y, a), e.scale(ny, 1-a))
		focal = e.mul(w, focal)
	}
	return focal, e.err
}

// CategoricalFocalCrossentropy is Keras's "categorical_focal_crossentropy": Σ over the classes
// (last axis) of -α·(1-p)^γ·y·log p, averaged over the batch. As in Keras, p is each row
// normalised to sum 1 and clipped to [Epsilon, 1-Epsilon]; logits go through a softmax first.
//
// The zero value is Keras's default CategoricalFocalCrossentropy() (α = 0.25, γ = 2).
type CategoricalFocalCrossentropy struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
	// Alpha weights the loss (Keras's alpha; default 0.25, which the zero value means).
	Alpha float64
	// Gamma is the focusing exponent γ ≥ 0 (Keras's gamma; default 2, which the zero value
	// means).
	Gamma float64
	// FromLogits says the predictions are logits (Keras's from_logits; default false).
	FromLogits bool
	// LabelSmoothing, in [0, 1], moves the targets towards uniform (Keras's label_smoothing;
	// default 0).
	LabelSmoothing float64
}

// Name returns "categorical_focal_crossentropy".
func (CategoricalFocalCrossentropy) Name() string { return "categorical_focal_crossentropy" }

func (l CategoricalFocalCrossentropy) alpha() float64 { return orDefault(l.Alpha, 0.25) }
func (l CategoricalFocalCrossentropy) gamma() float64 { return orDefault(l.Gamma, 2) }

// Validate reports a label smoothing outside [0, 1] or a negative or non-finite gamma.
func (l CategoricalFocalCrossentropy) Validate() error {
	if err := checkSmoothing(l.Name(), l.LabelSmoothing); err != nil {
		return err
	}
	return checkFocal(l.Name(), l.alpha(), l.gamma())
}

// Build returns the categorical focal cross-entropy.
func (l CategoricalFocalCrossentropy) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
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

// perSample is the focal cross-entropy of each sample (summed over the classes): Build
// before its mean.
func (l CategoricalFocalCrossentropy) perSample(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	y, err := smoothTargets(l.Validate(), y, l.LabelSmoothing, classUniform(pred))
	if err != nil {
		return nil, err
	}
	p := pred
	if l.FromLogits {
		// kerago's softmax: Gorgonia's mixes rows (docs/gorgonia.md).
		if p, err = ops.Softmax(pred); err != nil {
			return nil, fmt.Errorf("%s: %w", l.Name(), err)
		}
	}
	ax := last(pred)
	var e expr
	sum := e.sum(p, ax)
	norm := e.apply(func() (*G.Node, error) { return G.BroadcastHadamardDiv(p, sum, nil, []byte{byte(ax)}) })
	out := e.clip(norm, Epsilon, 1-Epsilon)
	cce := e.neg(e.mul(y, e.log(out)))
	focal := e.scale(e.mul(e.pow(e.rsub(1, out), l.gamma()), cce), l.alpha())
	return e.sum(focal, ax), e.err
}

// orDefault returns v, or def for the zero value.
func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

func checkFocal(name string, alpha, gamma float64) error {
	if math.IsNaN(alpha) || math.IsInf(alpha, 0) {
		return fmt.Errorf("%s: alpha %v is not a finite number", name, alpha)
	}
	if math.IsNaN(gamma) || math.IsInf(gamma, 0) || gamma < 0 {
		return fmt.Errorf("%s: gamma %v must be a finite number ≥ 0", name, gamma)
	}
	return nil
}
