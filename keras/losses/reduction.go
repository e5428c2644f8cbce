package losses

import (
	"fmt"
	"reflect"

	G "gorgonia.org/gorgonia"
)

// Reduction is Keras's reduction argument of a loss: how the loss values of a batch (one
// per sample, or per sample and time step), each times its sample weight, become the loss.
// Every loss of this package has it as an embedded field, so it is set by name:
//
//	losses.MeanSquaredError{Reduction: losses.Sum}
//	losses.Huber{Delta: 2, Reduction: "mean_with_sample_weight"}
//
// The zero value "" is Keras's default, SumOverBatchSize.
type Reduction string

// Keras's reductions.
const (
	// SumOverBatchSize divides the sum of the weighted loss values by their number (Keras's
	// default "sum_over_batch_size"; the sample weights do not enter the divisor).
	SumOverBatchSize Reduction = "sum_over_batch_size"
	// Mean is Keras's "mean", which Keras 3 computes as SumOverBatchSize.
	Mean Reduction = "mean"
	// Sum is the sum of the weighted loss values (Keras's "sum").
	Sum Reduction = "sum"
	// MeanWithSampleWeight divides the sum of the weighted loss values by the sum of the sample
	// weights (0 when they sum to 0, as Keras's divide_no_nan); without sample weights it is
	// SumOverBatchSize (Keras's "mean_with_sample_weight").
	MeanWithSampleWeight Reduction = "mean_with_sample_weight"
	// NoReduction keeps one loss value per sample (Keras's None or "none"). Keras 3 cannot
	// train on such a loss (the gradient of a non-scalar), so Fit and TrainOnBatch refuse it;
	// Evaluate reports the mean of the values, as Keras's loss tracker does.
	NoReduction Reduction = "none"
)

// reduction returns r; promoted to every loss that embeds a Reduction.
func (r Reduction) reduction() Reduction { return r }

// ReductionOf returns l's reduction, with "" (and a loss of another package) read as
// SumOverBatchSize.
func ReductionOf(l Loss) Reduction {
	if rl, ok := l.(interface{ reduction() Reduction }); ok && rl.reduction() != "" {
		return rl.reduction()
	}
	return SumOverBatchSize
}

// CheckReduction reports a reduction that is not Keras's, or one that l cannot compute.
func CheckReduction(l Loss) error {
	r := ReductionOf(l)
	switch r {
	case SumOverBatchSize, Mean, Sum, MeanWithSampleWeight, NoReduction:
	default:
		return fmt.Errorf("%s: reduction %q is not one of Keras's (%q, %q, %q, %q, %q)", l.Name(), string(r),
			SumOverBatchSize, Sum, Mean, MeanWithSampleWeight, NoReduction)
	}
	if _, ok := l.(Circle); ok && r != SumOverBatchSize && r != Mean {
		// Keras rescales Circle's mask only under the two mean reductions; the others would
		// need the unscaled masked values, which the Circle op does not return.
		return fmt.Errorf("%s: reduction %q is not supported (only %q and %q)", l.Name(), string(r), SumOverBatchSize, Mean)
	}
	return nil
}

// readReduction reads Keras's reduction config value: a string, or null for None.
func readReduction(className string, config map[string]any) (Reduction, error) {
	v, ok := config["reduction"]
	if !ok {
		return "", nil
	}
	if v == nil {
		return NoReduction, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("loss %s: reduction is %T %v, want a string or null", className, v, v)
	}
	return Reduction(s), nil
}

// configValue is the reduction as Keras writes it in a loss config.
func (r Reduction) configValue() string {
	if r == "" {
		return string(SumOverBatchSize)
	}
	return string(r)
}

// withReduction returns l with its embedded Reduction set to r.
func withReduction(l Loss, r Reduction) (Loss, error) {
	if r == "" || l == nil {
		return l, nil
	}
	v := reflect.New(reflect.TypeOf(l)).Elem()
	v.Set(reflect.ValueOf(l))
	f := v.FieldByName("Reduction")
	if !f.IsValid() || f.Type() != reflect.TypeOf(r) {
		return nil, fmt.Errorf("loss %s takes no reduction", l.Name())
	}
	f.Set(reflect.ValueOf(r))
	out := v.Interface().(Loss)
	return out, CheckReduction(out)
}

// Reduced builds l's loss of a batch under l's reduction: from Build's value without sample
// weights (w nil), from Weighted's with them. Both divide the sum of the (weighted) values by
// their number, Keras's default; the other reductions rescale that mean: Sum multiplies by
// the number of values, MeanWithSampleWeight by the number over the sum of the weights.
// NoReduction gives the mean, the number Keras's loss tracker reports.
func Reduced(l Loss, y, pred, logits *G.Node, activation string, w *G.Node) (*G.Node, error) {
	if err := CheckReduction(l); err != nil {
		return nil, err
	}
	var mean *G.Node
	var err error
	if w == nil {
		mean, err = l.Build(y, pred, logits, activation)
	} else {
		mean, err = Weighted(l, y, pred, logits, activation, w)
	}
	if err != nil {
		return nil, err
	}
	r := ReductionOf(l)
	switch {
	case r == Sum:
		n := 0
		if w != nil {
			n = w.Shape().TotalSize()
		} else if n, err = valueCount(l, pred); err != nil {
			return nil, err
		}
		var e expr
		return e.scale(mean, float64(n)), e.err
	case r == MeanWithSampleWeight && w != nil:
		return meanOverWeights(mean, w)
	}
	return mean, nil
}

// meanOverWeights turns Σ w·l / n into Σ w·l / Σ w, and into 0 when every weight is 0 (Keras's
// divide_no_nan; the sum is then 0 too): the divisor is Σ w + 1/(1 + k·10³⁰), where k counts
// the non-zero weights (each min(|wᵢ|·10³⁰, 1)), so the term is 1 for all-zero weights and
// below 10⁻³⁰ otherwise.
func meanOverWeights(mean, w *G.Node) (*G.Node, error) {
	var e expr
	n := float64(w.Shape().TotalSize())
	nonZero := e.sum(e.minConst(e.scale(e.abs(w), 1e30), 1))
	allZero := e.pow(e.shift(e.scale(nonZero, 1e30), 1), -1)
	return e.div(e.scale(mean, n), e.add(e.sum(w), allZero)), e.err
}

// valueCount is the number of loss values Keras's call of l returns for pred, the divisor of
// SumOverBatchSize: one per sample and time step (pred without its last axis), one per sample
// for CTC, what Dice's and Tversky's axes leave (1 for every axis: a single value, which no
// reduction changes), pred without the vectors' axis for CosineSimilarity.
func valueCount(l Loss, pred *G.Node) (int, error) {
	s := pred.Shape()
	skip := map[int]bool{}
	switch v := l.(type) {
	case CTC:
		return s[0], nil
	case Dice, Tversky:
		var axis []int
		if d, ok := v.(Dice); ok {
			axis = d.Axis
		} else {
			axis = v.(Tversky).Axis
		}
		if axis == nil {
			return 1, nil
		}
		axes, err := overlapAxes(l.Name(), axis, pred)
		if err != nil {
			return 0, err
		}
		for _, a := range axes {
			skip[a] = true
		}
	case CosineSimilarity:
		a := v.axis()
		if a < 0 {
			a += len(s)
		}
		skip[a] = true
	default:
		skip[len(s)-1] = true
	}
	n := 1
	for i, d := range s {
		if !skip[i] {
			n *= d
		}
	}
	return n, nil
}
