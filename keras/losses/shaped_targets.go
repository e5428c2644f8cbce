package losses

import (
	"fmt"

	"gorgonia.org/tensor"
)

// TargetShaper is implemented by losses whose targets are not shaped like the predictions:
// CTC's label sequences, Circle's class labels. The model feeds such a loss's Build targets
// of TargetShape, filled from each batch of the user's targets by FitTargets; metrics of the
// output still see the user's targets.
type TargetShaper interface {
	Loss
	// CheckTargets reports whether the targets y (all of a data set's, batch first) fit
	// predictions of shape pred (batch first, -1 for an unknown size), naming what is
	// expected and, for a bad value, the sample.
	CheckTargets(y *tensor.Dense, pred []int) error
	// TargetShape returns the shape of the targets Build takes for predictions of shape
	// pred (a batch's).
	TargetShape(pred []int) []int
	// FitTargets copies a batch of the user's targets raw into dst, of TargetShape.
	FitTargets(dst, raw *tensor.Dense) error
}

// targetValues returns t's values as float64.
func targetValues(t *tensor.Dense) ([]float64, error) {
	n := t.Shape().TotalSize()
	out := make([]float64, n)
	switch d := t.Data().(type) {
	case []float32:
		for i := range out {
			out[i] = float64(d[i])
		}
	case []float64:
		copy(out, d)
	case []int:
		for i := range out {
			out[i] = float64(d[i])
		}
	case []int32:
		for i := range out {
			out[i] = float64(d[i])
		}
	case []int64:
		for i := range out {
			out[i] = float64(d[i])
		}
	default:
		return nil, fmt.Errorf("targets of dtype %v are not supported", t.Dtype())
	}
	return out, nil
}

// setValues writes v into dst, a float32 or float64 tensor of v's size.
func setValues(dst *tensor.Dense, v []float64) error {
	if dst.Shape().TotalSize() != len(v) {
		return fmt.Errorf("%d target values for a buffer of shape %v", len(v), dst.Shape())
	}
	switch d := dst.Data().(type) {
	case []float32:
		for i := range v {
			d[i] = float32(v[i])
		}
	case []float64:
		copy(d, v)
	default:
		return fmt.Errorf("a target buffer of dtype %v", dst.Dtype())
	}
	return nil
}
