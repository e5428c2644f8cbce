package losses

import (
	"fmt"
	"math"

	"github.com/kerago/kerago/keras/internal/errs"
	"github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

var (
	_ Configurable = Circle{}
	_ TargetShaper = Circle{}
)

func init() { register(func() Loss { return Circle{} }, "circle", "Circle") }

// Circle is Keras's "circle" loss (Sun et al., 2020) for metric learning: it pulls the
// embeddings of one class together and pushes other classes apart, by cosine distance,
// within each batch. Targets are class labels (batch,) or (batch, 1); predictions are
// embeddings (batch, dims), which should be L2-normalised (Keras's advice: end the model
// with a UnitNormalization layer). A sample with no other sample of its class in the batch,
// or none of another class, has no loss and is left out of the mean, as Keras masks it.
//
// The zero value is Keras's default Circle(): gamma 80, margin 0.4, remove_diagonal true.
// The loss and its gradient are one op (internal/ops.CircleLoss). Sample weights are one per
// sample; the weighted loss is Σ wᵢ·lossᵢ over the samples with a loss, divided by their
// number, as Keras's mask and weights combine.
type Circle struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
	// Gamma scales the similarities (Keras's gamma; 0 means the default 80).
	Gamma float64
	// Margin is the relaxation margin (Keras's margin; the default 0.4 unless SetMargin).
	Margin float64
	// SetMargin makes Margin count as given, even 0.
	SetMargin bool
	// KeepDiagonal counts each sample as its own positive pair (Keras's
	// remove_diagonal=False; default false, Keras's True).
	KeepDiagonal bool
}

// Name returns "circle".
func (Circle) Name() string { return "circle" }

// ClassName returns "Circle".
func (Circle) ClassName() string { return "Circle" }

func (l Circle) args() (gamma, margin float64) {
	gamma, margin = l.Gamma, l.Margin
	if gamma == 0 {
		gamma = 80
	}
	if !l.SetMargin && margin == 0 {
		margin = 0.4
	}
	return gamma, margin
}

// Config returns Keras's config: name, reduction, gamma, margin and remove_diagonal.
func (l Circle) Config() map[string]any {
	g, m := l.args()
	c := baseConfig(l.Name(), l.Reduction)
	c["gamma"], c["margin"], c["remove_diagonal"] = g, m, !l.KeepDiagonal
	return c
}

// Validate reports arguments that are not finite numbers.
func (l Circle) Validate() error {
	g, m := l.args()
	if math.IsNaN(g) || math.IsInf(g, 0) || math.IsNaN(m) || math.IsInf(m, 0) {
		return fmt.Errorf("%s: gamma %v and margin %v must be finite numbers", l.Name(), g, m)
	}
	return nil
}

// CheckTargets wants integer labels (batch,) or (batch, 1) for embeddings (batch, dims).
func (l Circle) CheckTargets(y *tensor.Dense, pred []int) error {
	if err := l.checkShapes(y.Shape(), pred); err != nil {
		return err
	}
	v, err := targetValues(y)
	if err != nil {
		return fmt.Errorf("%s: %w", l.Name(), err)
	}
	for i, c := range v {
		if c != math.Trunc(c) {
			return fmt.Errorf("%s: %w: sample %d: label %v is not an integer class", l.Name(), errs.Data, i, c)
		}
	}
	return nil
}

// checkShapes wants labels (batch,) or (batch, 1) for embeddings (batch, dims).
func (l Circle) checkShapes(given, pred []int) error {
	if len(pred) != 2 {
		return fmt.Errorf("%s: %w: predictions must be embeddings (batch, dims), got shape %v", l.Name(), errs.Shape, pred)
	}
	if len(given) != 1 && !(len(given) == 2 && given[1] == 1) {
		return fmt.Errorf("%s: %w: targets must be class labels (batch,) or (batch, 1), got shape %v", l.Name(), errs.Shape, given)
	}
	return nil
}

// TargetShape returns (batch,).
func (Circle) TargetShape(pred []int) []int { return []int{pred[0]} }

// FitTargets copies the labels.
func (l Circle) FitTargets(dst, raw *tensor.Dense) error {
	v, err := targetValues(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", l.Name(), err)
	}
	if err := setValues(dst, v); err != nil {
		return fmt.Errorf("%s: %w", l.Name(), err)
	}
	return nil
}

// Build returns the Circle loss of the batch: Σ over the samples with a loss, divided by
// their number.
func (l Circle) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	per, err := l.perSample(y, pred)
	if err != nil {
		return nil, err
	}
	return G.Mean(per) // each loss is scaled by batch/valid: the mean is Keras's masked mean
}

// perSample returns each sample's loss scaled by batch/valid, (batch,): its mean, plain or
// sample-weighted, is Keras's masked mean.
func (l Circle) perSample(y, pred *G.Node) (*G.Node, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	if err := l.checkShapes(y.Shape(), pred.Shape()); err != nil {
		return nil, err
	}
	g, m := l.args()
	per, err := ops.CircleLoss(y, pred, g, m, !l.KeepDiagonal)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l.Name(), err)
	}
	return per, nil
}

// shapedFromConfig reads the arguments of CTC and Circle; ok is false for other losses.
func shapedFromConfig(l Loss, className string, config map[string]any) (Loss, bool, error) {
	switch c := l.(type) {
	case CTC:
		return c, true, nil
	case Circle:
		g, err := numberArg(className, config, "gamma")
		if err != nil {
			return nil, true, err
		}
		if _, ok := config["gamma"]; !ok {
			g = 80
		}
		c.Gamma = g
		if v, ok := config["margin"]; ok && v != nil {
			if c.Margin, err = numberArg(className, config, "margin"); err != nil {
				return nil, true, err
			}
			c.SetMargin = true
		}
		if v, ok := config["remove_diagonal"]; ok && v != nil {
			rd, err := boolArg(className, config, "remove_diagonal")
			if err != nil {
				return nil, true, err
			}
			c.KeepDiagonal = !rd
		}
		if c.Gamma == 0 {
			return nil, true, fmt.Errorf("loss %s: gamma 0 is not supported", className)
		}
		return c, true, c.Validate()
	}
	return l, false, nil
}
