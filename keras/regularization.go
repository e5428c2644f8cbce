package keras

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Regularizer is a weight penalty, Keras's kernel_regularizer and bias_regularizer: package
// keras/regularizers has Keras's L1, L2 and L1L2. A layer sets it on a weight
// (Variable.Regularizer); while the weight is trainable, Fit and Evaluate add its penalty to
// the total loss, so the logged "loss" includes it, as Keras adds layer.losses to the compiled
// loss. The per-output losses ("<output>_loss") do not include it, as in Keras.
type Regularizer interface {
	// Penalty returns a scalar node of w's dtype: the penalty of the weight w.
	Penalty(w *G.Node) (*G.Node, error)
}

// Constraint is a projection applied to a weight after each optimizer step, Keras's
// kernel_constraint and bias_constraint: package keras/regularizers has Keras's MaxNorm,
// MinMaxNorm, NonNeg and UnitNorm. A layer sets it on a weight (Variable.Constraint).
type Constraint interface {
	// Apply replaces the weight's numbers, in place, by their constrained values.
	Apply(w *tensor.Dense) error
}

// addPenalties adds the penalties of the trainable variables with a Regularizer to the total
// loss, in the variables' order (the model's, as Keras sums layer.losses). Only the variables
// this realisation reads count: every variable of the model is read by each realisation.
func (p *program) addPenalties(trainable []*Variable) error {
	for _, v := range trainable {
		if v.Regularizer == nil {
			continue
		}
		n, ok := p.ctx.vars[v]
		if !ok {
			continue
		}
		pen, err := v.Regularizer.Penalty(n)
		if err != nil {
			return fmt.Errorf("keras: regularizer of %s: %w", v.Path, err)
		}
		if p.total == nil {
			p.total = pen
			continue
		}
		if p.total, err = G.Add(p.total, pen); err != nil {
			return fmt.Errorf("keras: regularizer of %s: %w", v.Path, err)
		}
	}
	return nil
}

// applyConstraints projects every trainable variable with a Constraint, after an optimizer
// step, as Keras's optimizer applies variable.constraint after each update.
func applyConstraints(trainable []*Variable) error {
	for _, v := range trainable {
		if v.Constraint == nil {
			continue
		}
		if err := v.Constraint.Apply(v.Value); err != nil {
			return fmt.Errorf("keras: constraint of %s: %w", v.Path, err)
		}
	}
	return nil
}
