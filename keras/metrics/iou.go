package metrics

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// MeanIoU is Keras's MeanIoU: the intersection over union of each class, from a weighted
// confusion matrix, averaged over the classes that occur in the targets or predictions.
// Targets and predictions are class indices by default (SparseYTrue, SparseYPred). Its
// matrix holds integers, as Keras's (dtype "int"): sample weights are truncated to integers.
type MeanIoU struct {
	name                   string
	numClasses             int
	denseYTrue, denseYPred bool
	cm                     []float64 // numClasses × numClasses, row = target, column = prediction
	err                    error
	yt, yp                 []float64
}

// NewMeanIoU returns a MeanIoU. Options: NumClasses (required), SparseYTrue, SparseYPred,
// Name (default "mean_io_u", Keras's).
func NewMeanIoU(opts ...Option) *MeanIoU {
	o := collect(options{name: "mean_io_u"}, opts)
	if o.numClasses < 2 {
		o.fail("num_classes must be at least 2, got %d", o.numClasses)
	}
	if o.numClasses > MaxNumClasses {
		o.fail("num_classes %d exceeds the limit %d", o.numClasses, MaxNumClasses)
		o.numClasses = 0 // no matrix is allocated for a metric that cannot be used
	}
	m := &MeanIoU{name: o.name, numClasses: o.numClasses, denseYTrue: o.denseYTrue, denseYPred: o.denseYPred, err: o.err}
	m.Reset()
	return m
}

// Name returns the name the metric logs under.
func (m *MeanIoU) Name() string { return m.name }

// Err returns the first problem of the metric's options, or nil.
func (m *MeanIoU) Err() error { return m.err }

// Reset clears the confusion matrix.
func (m *MeanIoU) Reset() { m.cm = make([]float64, max(m.numClasses, 0)*max(m.numClasses, 0)) }

// ClassName returns "MeanIoU".
func (m *MeanIoU) ClassName() string { return "MeanIoU" }

// Config returns the Keras config of the metric.
func (m *MeanIoU) Config() map[string]any {
	return map[string]any{"name": m.name, "dtype": "int", "num_classes": m.numClasses,
		"ignore_class": nil, "sparse_y_true": !m.denseYTrue, "sparse_y_pred": !m.denseYPred, "axis": -1}
}

// Update accumulates one batch with every sample weighing 1.
func (m *MeanIoU) Update(yTrue, yPred *tensor.Dense) error {
	return m.UpdateWeighted(yTrue, yPred, nil)
}

// classes returns one class per position: the value itself, or the argmax of the last axis.
func classes(v []float64, s tensor.Shape, dense bool) []int {
	k := 1
	if dense {
		k = s[len(s)-1]
	}
	out := make([]int, len(v)/k)
	for i := range out {
		if dense {
			out[i] = argmax(v[i*k : (i+1)*k])
		} else {
			out[i] = int(v[i])
		}
	}
	return out
}

// UpdateWeighted accumulates one batch; sampleWeight has one weight per sample, or is nil.
func (m *MeanIoU) UpdateWeighted(yTrue, yPred *tensor.Dense, w []float64) error {
	var err error
	if m.yt, err = floats(yTrue, m.yt); err != nil {
		return fmt.Errorf("metrics: %s: targets: %w", m.name, err)
	}
	if m.yp, err = floats(yPred, m.yp); err != nil {
		return fmt.Errorf("metrics: %s: predictions: %w", m.name, err)
	}
	t := classes(m.yt, yTrue.Shape(), m.denseYTrue)
	p := classes(m.yp, yPred.Shape(), m.denseYPred)
	if len(t) != len(p) {
		return fmt.Errorf("metrics: %s: targets of shape %v do not fit predictions of shape %v", m.name, yTrue.Shape(), yPred.Shape())
	}
	samples := yPred.Shape()[0]
	perValue := w != nil && len(w) == len(t) && len(t) != samples // per-time-step weights
	if w != nil && len(w) != samples && !perValue {
		return fmt.Errorf("metrics: %s: %d sample weights for %d samples", m.name, len(w), samples)
	}
	per := len(t) / max(samples, 1)
	for i := range t {
		if t[i] < 0 || t[i] >= m.numClasses || p[i] < 0 || p[i] >= m.numClasses {
			return fmt.Errorf("metrics: %s: class %d or %d out of range [0, %d)", m.name, t[i], p[i], m.numClasses)
		}
		wt := 1.0
		if w != nil {
			// Keras's MeanIoU keeps its matrix in dtype "int" and casts the weights to it.
			if perValue {
				wt = math.Trunc(w[i])
			} else {
				wt = math.Trunc(w[i/per])
			}
		}
		m.cm[t[i]*m.numClasses+p[i]] += wt
	}
	return nil
}

// Result returns the mean IoU over the classes present.
func (m *MeanIoU) Result() float64 {
	n := m.numClasses
	sum, valid := 0.0, 0.0
	for c := 0; c < n; c++ {
		row, col := 0.0, 0.0
		for j := 0; j < n; j++ {
			row += m.cm[c*n+j]
			col += m.cm[j*n+c]
		}
		tp := m.cm[c*n+c]
		den := row + col - tp
		if den > 1e-9 {
			valid++
			sum += tp / (den + epsilon)
		}
	}
	return sum / (valid + epsilon)
}
