package regularizers

import (
	"fmt"
	"math"

	"github.com/kerago/kerago/keras"
	"gorgonia.org/tensor"
)

// epsilon is Keras's fuzz factor, added to norms before dividing by them.
const epsilon = 1e-7

// Constraint is a keras.Constraint that configs write as Keras's constraint object.
type Constraint interface {
	keras.Constraint
	// ClassName is the Keras class: "MaxNorm", "MinMaxNorm", "NonNeg" or "UnitNorm".
	ClassName() string
	// Config is the class's config with Keras's keys.
	Config() map[string]any
}

var (
	_ Constraint = MaxNorm{}
	_ Constraint = MinMaxNorm{}
	_ Constraint = NonNeg{}
	_ Constraint = UnitNorm{}
)

// MaxNorm is Keras's MaxNorm ("max_norm"): each slice along Axis whose L2 norm exceeds
// MaxValue is scaled down to it: w·clip(n, 0, MaxValue)/(ε + n). Keras's defaults are
// MaxValue 2 and axis 0 (for Dense's kernel, each unit's incoming weights; for Conv2D's,
// use Axis {0, 1, 2}).
type MaxNorm struct {
	// MaxValue is the largest norm allowed (Keras's max_value).
	MaxValue float64
	// Axis lists the axes the norm is taken over (Keras's axis; nil means 0).
	Axis []int
}

// MinMaxNorm is Keras's MinMaxNorm ("min_max_norm"): each slice's norm n is moved to
// Rate·clip(n, MinValue, MaxValue) + (1-Rate)·n. Keras's defaults are 0, 1, 1 and axis 0.
type MinMaxNorm struct {
	// MinValue and MaxValue bound the norm (Keras's min_value, max_value).
	MinValue, MaxValue float64
	// Rate, in [0, 1], is how far towards the bounds each step moves (Keras's rate).
	Rate float64
	// Axis lists the axes the norm is taken over (Keras's axis; nil means 0).
	Axis []int
}

// NonNeg is Keras's NonNeg ("non_neg"): negative weights become 0.
type NonNeg struct{}

// UnitNorm is Keras's UnitNorm ("unit_norm"): each slice along Axis is divided by ε plus its
// L2 norm.
type UnitNorm struct {
	// Axis lists the axes the norm is taken over (Keras's axis; nil means 0).
	Axis []int
}

// ClassName returns "MaxNorm".
func (MaxNorm) ClassName() string { return "MaxNorm" }

// ClassName returns "MinMaxNorm".
func (MinMaxNorm) ClassName() string { return "MinMaxNorm" }

// ClassName returns "NonNeg".
func (NonNeg) ClassName() string { return "NonNeg" }

// ClassName returns "UnitNorm".
func (UnitNorm) ClassName() string { return "UnitNorm" }

// Config returns {"max_value", "axis"}.
func (c MaxNorm) Config() map[string]any {
	return map[string]any{"max_value": c.MaxValue, "axis": axisConfig(c.Axis)}
}

// Config returns {"min_value", "max_value", "rate", "axis"}.
func (c MinMaxNorm) Config() map[string]any {
	return map[string]any{"min_value": c.MinValue, "max_value": c.MaxValue, "rate": c.Rate, "axis": axisConfig(c.Axis)}
}

// Config returns {}.
func (NonNeg) Config() map[string]any { return map[string]any{} }

// Config returns {"axis"}.
func (c UnitNorm) Config() map[string]any { return map[string]any{"axis": axisConfig(c.Axis)} }

// axisConfig writes an axis as Keras does: one integer, or a list.
func axisConfig(axis []int) any {
	switch len(axis) {
	case 0:
		return 0
	case 1:
		return axis[0]
	}
	out := make([]any, len(axis))
	for i, a := range axis {
		out[i] = a
	}
	return out
}

// Validate reports a negative or non-finite bound.
func (c MaxNorm) Validate() error {
	if !(c.MaxValue >= 0) || math.IsInf(c.MaxValue, 0) {
		return fmt.Errorf("MaxNorm: max_value %v must be a finite number ≥ 0", c.MaxValue)
	}
	return nil
}

// Validate reports bounds out of order or a rate outside [0, 1].
func (c MinMaxNorm) Validate() error {
	if !(c.MinValue >= 0 && c.MinValue <= c.MaxValue) || math.IsInf(c.MaxValue, 0) {
		return fmt.Errorf("MinMaxNorm: min_value %v and max_value %v must be finite with 0 ≤ min ≤ max", c.MinValue, c.MaxValue)
	}
	if !(c.Rate >= 0 && c.Rate <= 1) {
		return fmt.Errorf("MinMaxNorm: rate %v is outside [0, 1]", c.Rate)
	}
	return nil
}

// Apply scales each slice of w to a norm of at most MaxValue.
func (c MaxNorm) Apply(w *tensor.Dense) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return rescale(w, c.Axis, func(n float64) float64 { return math.Min(n, c.MaxValue) / (epsilon + n) })
}

// Apply moves each slice's norm towards [MinValue, MaxValue].
func (c MinMaxNorm) Apply(w *tensor.Dense) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return rescale(w, c.Axis, func(n float64) float64 {
		desired := c.Rate*math.Min(math.Max(n, c.MinValue), c.MaxValue) + (1-c.Rate)*n
		return desired / (epsilon + n)
	})
}

// Apply divides each slice by ε plus its norm.
func (c UnitNorm) Apply(w *tensor.Dense) error {
	return rescale(w, c.Axis, func(n float64) float64 { return 1 / (epsilon + n) })
}

// Apply sets negative weights to 0.
func (NonNeg) Apply(w *tensor.Dense) error {
	switch d := w.Data().(type) {
	case []float32:
		for i, v := range d {
			d[i] = max(v, 0)
		}
	case []float64:
		for i, v := range d {
			d[i] = max(v, 0)
		}
	default:
		return fmt.Errorf("NonNeg: weight of dtype %v, want float32 or float64", w.Dtype())
	}
	return nil
}

// rescale multiplies every element of w by factor(n), n being the L2 norm of its slice: the
// elements that share their indices on every axis but those listed.
func rescale(w *tensor.Dense, axis []int, factor func(n float64) float64) error {
	shape := w.Shape()
	if len(axis) == 0 {
		axis = []int{0}
	}
	reduced := make([]bool, len(shape))
	for _, a := range axis {
		if a < 0 {
			a += len(shape)
		}
		if a < 0 || a >= len(shape) {
			return fmt.Errorf("constraint axis %v does not fit a weight of shape %v", axis, shape)
		}
		reduced[a] = true
	}
	// slice[i] is the slice index of flat element i: its indices on the kept axes.
	total := shape.TotalSize()
	slice := make([]int, total)
	idx := make([]int, len(shape))
	slices := 0
	strides := make([]int, len(shape))
	for k, s := len(shape)-1, 1; k >= 0; k-- {
		if !reduced[k] {
			strides[k] = s
			s *= shape[k]
			slices = s
		}
	}
	if slices == 0 {
		slices = 1
	}
	for i := range total {
		s := 0
		for k := range idx {
			s += idx[k] * strides[k]
		}
		slice[i] = s
		for k := len(idx) - 1; k >= 0; k-- {
			if idx[k]++; idx[k] < shape[k] {
				break
			}
			idx[k] = 0
		}
	}
	sq := make([]float64, slices)
	switch d := w.Data().(type) {
	case []float32:
		for i, v := range d {
			sq[slice[i]] += float64(v) * float64(v)
		}
		for i := range d {
			d[i] = float32(float64(d[i]) * factor(math.Sqrt(sq[slice[i]])))
		}
	case []float64:
		for i, v := range d {
			sq[slice[i]] += v * v
		}
		for i := range d {
			d[i] *= factor(math.Sqrt(sq[slice[i]]))
		}
	default:
		return fmt.Errorf("constraint: weight of dtype %v, want float32 or float64", w.Dtype())
	}
	return nil
}
