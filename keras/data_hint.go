package keras

import (
	"math"

	"gorgonia.org/tensor"
)

// sparseHint returns the advice appended to a target shape error when the targets look like
// integer class ids given to a loss that wants one-hot rows: targets of shape (n,) or (n, 1)
// holding whole numbers in [0, classes) for an output of shape (None, classes) with
// categorical crossentropy. It is "" otherwise, so that other shape errors stay short.
//
// Integer labels with categorical_crossentropy are a common first mistake, and a bare shape
// message does not say what to change, so the message names both ways out.
func sparseHint(y *tensor.Dense, out Shape, h head) string {
	if h.loss == nil || h.loss.Name() != "categorical_crossentropy" {
		return ""
	}
	s := Shape(y.Shape())
	if len(out) != 2 || out[1] < 2 || !(len(s) == 1 || len(s) == 2 && s[1] == 1) {
		return ""
	}
	if !classIDs(y, out[1]) {
		return ""
	}
	return "; labels look like integer class ids: use sparse_categorical_crossentropy, or one-hot encode them (datasets.OneHot)"
}

// classIDs reports whether every value of y is a whole number in [0, classes).
func classIDs(y *tensor.Dense, classes int) bool {
	ok := func(v float64) bool { return v >= 0 && v < float64(classes) && v == math.Trunc(v) }
	switch d := y.Data().(type) {
	case []float32:
		for _, v := range d {
			if !ok(float64(v)) {
				return false
			}
		}
	case []float64:
		for _, v := range d {
			if !ok(v) {
				return false
			}
		}
	case []int:
		for _, v := range d {
			if !ok(float64(v)) {
				return false
			}
		}
	case []int32:
		for _, v := range d {
			if !ok(float64(v)) {
				return false
			}
		}
	case []int64:
		for _, v := range d {
			if !ok(float64(v)) {
				return false
			}
		}
	default:
		return false
	}
	return true
}
