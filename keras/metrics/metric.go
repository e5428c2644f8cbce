package metrics

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kerago/kerago/keras/internal/errs"
	"gorgonia.org/tensor"
)

// ErrUnknownMetric is wrapped by Get's error for a name that is not a Keras metric. It is a
// keras.ErrUnknownName: errors.Is matches either.
var ErrUnknownMetric = errs.Refine(errs.UnknownName, "unknown metric")

// Metric is a stateful metric: Update accumulates batches, Result is the mean so far.
type Metric interface {
	// Name is the name the metric logs under.
	Name() string
	// Reset clears the state, at the start of an epoch or an evaluation.
	Reset()
	// Update accumulates one batch: the targets as the user gave them and the predictions.
	Update(yTrue, yPred *tensor.Dense) error
	// Result returns the mean over every sample seen since Reset.
	Result() float64
}

// mean accumulates a sample-weighted mean.
type mean struct {
	name  string
	total float64
	count float64
}

func (m *mean) Name() string { return m.name }
func (m *mean) Reset()       { m.total, m.count = 0, 0 }
func (m *mean) Result() float64 {
	if m.count == 0 {
		return 0
	}
	return m.total / m.count
}

// Mean is a running mean of values, each with a weight (the loss tracker of Keras).
type Mean struct{ mean }

// NewMean returns a running mean named name.
func NewMean(name string) *Mean { return &Mean{mean{name: name}} }

// Add accumulates value with weight w (a batch's loss with the batch size).
func (m *Mean) Add(value, w float64) { m.total += value * w; m.count += w }

// Update is not used for Mean; it returns an error.
func (m *Mean) Update(_, _ *tensor.Dense) error {
	return fmt.Errorf("metrics: %s: Mean takes values through Add", m.name)
}

type maker func(name string) Metric

var registry = map[string]maker{
	"acc":                         func(n string) Metric { return &Accuracy{mean: mean{name: n}} },
	"accuracy":                    func(n string) Metric { return &Accuracy{mean: mean{name: n}} },
	"binary_accuracy":             func(n string) Metric { return &Accuracy{mean: mean{name: n}, kind: binaryKind} },
	"categorical_accuracy":        func(n string) Metric { return &Accuracy{mean: mean{name: n}, kind: categoricalKind} },
	"sparse_categorical_accuracy": func(n string) Metric { return &Accuracy{mean: mean{name: n}, kind: sparseKind} },
	"mse":                         func(n string) Metric { return &elementwise{mean: mean{name: n}, f: sq} },
	"mean_squared_error":          func(n string) Metric { return &elementwise{mean: mean{name: n}, f: sq} },
	"mae":                         func(n string) Metric { return &elementwise{mean: mean{name: n}, f: abs} },
	"mean_absolute_error":         func(n string) Metric { return &elementwise{mean: mean{name: n}, f: abs} },
}

// Get returns a new metric for a Keras name; it logs under that name.
func Get(name string) (Metric, error) {
	if mk, ok := registry[name]; ok {
		return mk(name), nil
	}
	known := make([]string, 0, len(registry))
	for k := range registry {
		known = append(known, k)
	}
	sort.Strings(known)
	return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownMetric, name, strings.Join(known, ", "))
}

// floats returns the tensor's values as float64, converting as needed.
func floats(t *tensor.Dense, buf []float64) ([]float64, error) {
	n := t.Shape().TotalSize()
	if cap(buf) < n {
		buf = make([]float64, n)
	}
	buf = buf[:n]
	switch d := t.Data().(type) {
	case []float32:
		for i, v := range d {
			buf[i] = float64(v)
		}
	case []float64:
		copy(buf, d)
	case []int:
		for i, v := range d {
			buf[i] = float64(v)
		}
	case []int32:
		for i, v := range d {
			buf[i] = float64(v)
		}
	case []int64:
		for i, v := range d {
			buf[i] = float64(v)
		}
	case float32:
		buf[0] = float64(d)
	case float64:
		buf[0] = d
	default:
		return nil, fmt.Errorf("metrics: unsupported dtype %v", t.Dtype())
	}
	return buf, nil
}
