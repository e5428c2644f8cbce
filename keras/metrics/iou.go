package metrics

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// IoU is Keras's IoU family (IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU): the
// intersection over union of each target class, from a weighted confusion matrix, averaged
// over the target classes that occur in the targets or predictions. Targets and predictions
// are class indices, or one value per class whose argmax is the class (SparseYTrue,
// SparseYPred; BinaryIoU thresholds a probability instead). Its matrix holds integers, as
// Keras's (dtype "int32"): sample weights are truncated to integers.
type IoU struct {
	name, class            string
	numClasses             int
	targets                []int
	ignoreClass            int
	hasIgnoreClass         bool
	denseYTrue, denseYPred bool
	binary                 bool // BinaryIoU: a prediction ≥ threshold is class 1
	threshold              float64
	cm                     []float64 // numClasses × numClasses, row = target, column = prediction
	err                    error
	yt, yp                 []float64
}

// MeanIoU is the IoU averaged over every class (Keras's MeanIoU); it is an IoU.
type MeanIoU = IoU

// NewMeanIoU returns Keras's MeanIoU. Options: NumClasses (required), IgnoreClass,
// SparseYTrue, SparseYPred, Name (default "mean_io_u", Keras's).
func NewMeanIoU(opts ...Option) *MeanIoU {
	return newIoU("MeanIoU", collect(options{name: "mean_io_u"}, opts), true)
}

// NewIoU returns Keras's IoU over the classes TargetClassIDs. Options: NumClasses and
// TargetClassIDs (both required), IgnoreClass, SparseYTrue, SparseYPred, Name (default
// "io_u").
func NewIoU(opts ...Option) *IoU {
	return newIoU("IoU", collect(options{name: "io_u"}, opts), false)
}

// NewOneHotIoU returns Keras's OneHotIoU: IoU with one-hot targets (their argmax is the
// class) and, by default, one score per class as predictions. Options: NumClasses and
// TargetClassIDs (required), IgnoreClass, SparseYPred (default false), Name (default
// "one_hot_io_u").
func NewOneHotIoU(opts ...Option) *IoU {
	o := collect(options{name: "one_hot_io_u", denseYPred: true}, opts)
	o.denseYTrue = true
	return newIoU("OneHotIoU", o, false)
}

// NewOneHotMeanIoU returns Keras's OneHotMeanIoU: MeanIoU with one-hot targets and, by
// default, one score per class as predictions. Options: NumClasses (required), IgnoreClass,
// SparseYPred (default false), Name (default "one_hot_mean_io_u").
func NewOneHotMeanIoU(opts ...Option) *IoU {
	o := collect(options{name: "one_hot_mean_io_u", denseYPred: true}, opts)
	o.denseYTrue = true
	return newIoU("OneHotMeanIoU", o, true)
}

// NewBinaryIoU returns Keras's BinaryIoU: the IoU of two classes, a prediction at or above
// Threshold (default 0.5) being class 1 and a target being its integer part. Options:
// TargetClassIDs (default 0 and 1), Threshold, Name (default "binary_io_u").
func NewBinaryIoU(opts ...Option) *IoU {
	o := collect(options{name: "binary_io_u", threshold: 0.5, targetClassIDs: []int{0, 1}}, opts)
	o.numClasses = 2
	m := newIoU("BinaryIoU", o, false)
	m.binary, m.threshold = true, o.threshold
	return m
}

func newIoU(class string, o options, all bool) *IoU {
	if o.numClasses < 2 {
		o.fail("num_classes must be at least 2, got %d", o.numClasses)
	}
	if o.numClasses > MaxNumClasses {
		o.fail("num_classes %d exceeds the limit %d", o.numClasses, MaxNumClasses)
		o.numClasses = 0 // no matrix is allocated for a metric that cannot be used
	}
	if all {
		o.targetClassIDs = make([]int, max(o.numClasses, 0))
		for i := range o.targetClassIDs {
			o.targetClassIDs[i] = i
		}
	} else if len(o.targetClassIDs) == 0 {
		o.fail("target_class_ids is required")
	}
	for _, id := range o.targetClassIDs {
		if id < 0 || id >= o.numClasses {
			o.fail("target class id %d is out of range [0, %d)", id, o.numClasses)
			break
		}
	}
	if math.IsNaN(o.threshold) {
		o.fail("threshold is NaN")
	}
	m := &IoU{name: o.name, class: class, numClasses: o.numClasses, targets: o.targetClassIDs,
		ignoreClass: o.ignoreClass, hasIgnoreClass: o.hasIgnoreClass,
		denseYTrue: o.denseYTrue, denseYPred: o.denseYPred, err: o.err}
	m.Reset()
	return m
}

// Name returns the name the metric logs under.
func (m *IoU) Name() string { return m.name }

// Err returns the first problem of the metric's options, or nil.
func (m *IoU) Err() error { return m.err }

// Reset clears the confusion matrix.
func (m *IoU) Reset() { m.cm = make([]float64, max(m.numClasses, 0)*max(m.numClasses, 0)) }

// ClassName returns the Keras class ("MeanIoU", "IoU", "BinaryIoU" ...).
func (m *IoU) ClassName() string { return m.class }

// Config returns the Keras config of the metric, with the keys Keras's class writes.
func (m *IoU) Config() map[string]any {
	var ignore any
	if m.hasIgnoreClass {
		ignore = m.ignoreClass
	}
	ids := append([]int{}, m.targets...)
	c := map[string]any{"name": m.name, "dtype": "int32"}
	switch m.class {
	case "BinaryIoU":
		c["target_class_ids"], c["threshold"] = ids, m.threshold
		return c
	case "IoU":
		c["target_class_ids"], c["sparse_y_true"] = ids, !m.denseYTrue
	case "MeanIoU":
		c["sparse_y_true"] = !m.denseYTrue
	case "OneHotIoU":
		c["target_class_ids"] = ids
	}
	c["num_classes"], c["ignore_class"], c["sparse_y_pred"], c["axis"] = m.numClasses, ignore, !m.denseYPred, -1
	return c
}

// Update accumulates one batch with every sample weighing 1.
func (m *IoU) Update(yTrue, yPred *tensor.Dense) error {
	return m.UpdateWeighted(yTrue, yPred, nil)
}

// classes returns one class per position: the value itself (truncated to an integer, as
// Keras casts to "int"), or the argmax of the last axis.
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
func (m *IoU) UpdateWeighted(yTrue, yPred *tensor.Dense, w []float64) error {
	if m.err != nil {
		return m.err
	}
	var err error
	if m.yt, err = floats(yTrue, m.yt); err != nil {
		return fmt.Errorf("metrics: %s: targets: %w", m.name, err)
	}
	if m.yp, err = floats(yPred, m.yp); err != nil {
		return fmt.Errorf("metrics: %s: predictions: %w", m.name, err)
	}
	if m.binary {
		for i, v := range m.yp {
			m.yp[i] = b2f(v >= m.threshold)
		}
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
	for i := range t { // checked before counting, so that a bad batch leaves no trace
		if m.hasIgnoreClass && t[i] == m.ignoreClass {
			continue
		}
		if t[i] < 0 || t[i] >= m.numClasses || p[i] < 0 || p[i] >= m.numClasses {
			return fmt.Errorf("metrics: %s: class %d or %d out of range [0, %d)", m.name, t[i], p[i], m.numClasses)
		}
	}
	per := len(t) / max(samples, 1)
	for i := range t {
		if m.hasIgnoreClass && t[i] == m.ignoreClass {
			continue
		}
		wt := 1.0
		if w != nil {
			// Keras keeps the matrix in dtype "int" and casts the weights to it.
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

// Result returns the mean IoU over the target classes present.
func (m *IoU) Result() float64 {
	n := m.numClasses
	sum, valid := 0.0, 0.0
	for _, c := range m.targets {
		if c < 0 || c >= n {
			continue
		}
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
