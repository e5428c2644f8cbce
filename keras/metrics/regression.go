package metrics

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

func sq(d float64) float64  { return d * d }
func abs(d float64) float64 { return math.Abs(d) }

// elementwise is a mean of f(pred - target) per sample over the last axis, then over samples:
// Keras's MeanSquaredError and MeanAbsoluteError metrics.
type elementwise struct {
	mean
	f      func(float64) float64
	yt, yp []float64
}

// Update accumulates one batch.
func (m *elementwise) Update(yTrue, yPred *tensor.Dense) error {
	var err error
	if m.yt, err = floats(yTrue, m.yt); err != nil {
		return err
	}
	if m.yp, err = floats(yPred, m.yp); err != nil {
		return err
	}
	if len(m.yt) != len(m.yp) {
		return fmt.Errorf("metrics: %s: targets have %d values, predictions %d", m.name, len(m.yt), len(m.yp))
	}
	ps := yPred.Shape()
	last := 1
	if len(ps) > 1 {
		last = ps[len(ps)-1]
	}
	rows := len(m.yp) / last
	for r := 0; r < rows; r++ {
		s := 0.0
		for j := 0; j < last; j++ {
			s += m.f(m.yp[r*last+j] - m.yt[r*last+j])
		}
		m.total += s / float64(last)
		m.count++
	}
	return nil
}
