package metrics

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// MeanWrapper is Keras's MeanMetricWrapper: a function of each sample's targets and
// predictions (along the last axis), averaged over every sample seen, weighted by the
// sample weights when there are any (sum(w·v) / sum(w), as Keras's Mean).
type MeanWrapper struct {
	mean
	class  string // Keras class name, for configs
	fn     rowFn
	sparse bool // the targets are class indices
	hinge  bool // targets 0/1 become -1/1 when the whole batch is binary
	sqrt   bool // the result is the square root of the mean (RootMeanSquaredError)
	config map[string]any
	err    error
	yt, yp []float64
	info   batchInfo // the batch's facts, kept here so that a batch allocates none
}

// ClassName returns the Keras class of the metric ("MeanSquaredError", "BinaryAccuracy" ...).
func (m *MeanWrapper) ClassName() string { return m.class }

// Config returns the metric's Keras config (name, dtype and the class's arguments).
func (m *MeanWrapper) Config() map[string]any {
	c := map[string]any{"name": m.name, "dtype": "float32"}
	for k, v := range m.config {
		c[k] = v
	}
	return c
}

// Result returns the weighted mean so far (its square root for RootMeanSquaredError).
func (m *MeanWrapper) Result() float64 {
	r := m.mean.Result()
	if m.sqrt {
		return math.Sqrt(r)
	}
	return r
}

// Update accumulates one batch with every sample weighing 1.
func (m *MeanWrapper) Update(yTrue, yPred *tensor.Dense) error {
	return m.UpdateWeighted(yTrue, yPred, nil)
}

// UpdateWeighted accumulates one batch; sampleWeight has one weight per sample, or is nil.
func (m *MeanWrapper) UpdateWeighted(yTrue, yPred *tensor.Dense, sampleWeight []float64) error {
	var err error
	if m.yt, err = floats(yTrue, m.yt); err != nil {
		return fmt.Errorf("metrics: %s: targets: %w", m.name, err)
	}
	if m.yp, err = floats(yPred, m.yp); err != nil {
		return fmt.Errorf("metrics: %s: predictions: %w", m.name, err)
	}
	ps := yPred.Shape()
	k := 1
	if len(ps) > 1 {
		k = ps[len(ps)-1]
	}
	rows := len(m.yp) / k
	if m.sparse && len(m.yt) != rows || !m.sparse && len(m.yt) != len(m.yp) {
		return fmt.Errorf("metrics: %s: targets of shape %v do not fit predictions of shape %v", m.name, yTrue.Shape(), ps)
	}
	return m.accumulate(m.yt, m.yp, ps[0], k, sampleWeight)
}

// accumulate adds rows of k predictions, samples of them in all, to the mean.
func (m *MeanWrapper) accumulate(yt, yp []float64, samples, k int, w []float64) error {
	rows := len(yp) / k
	// One weight per sample, or one per row (per time step of a sequence, Keras's
	// temporal weights).
	perRow := w != nil && len(w) == rows && rows != samples
	if w != nil && len(w) != samples && !perRow {
		return fmt.Errorf("metrics: %s: %d sample weights for %d samples", m.name, len(w), samples)
	}
	// The metric's own batchInfo: a new one would escape to the heap through m.fn every
	// batch.
	m.info = batchInfo{}
	info := &m.info
	if m.hinge {
		info.binaryLabels = true
		for _, v := range yt {
			if v != 0 && v != 1 {
				info.binaryLabels = false
				break
			}
		}
	}
	tk := k
	if m.sparse {
		tk = 1
	}
	per := rows / max(samples, 1) // rows of one sample (time steps of a sequence)
	for s := 0; s < samples; s++ {
		v, sw := 0.0, 0.0
		for r := s * per; r < (s+1)*per; r++ {
			f := m.fn(yt[r*tk:(r+1)*tk], yp[r*k:(r+1)*k], info)
			if perRow {
				f *= w[r]
				sw += w[r]
			}
			v += f
		}
		v /= float64(per)
		if perRow {
			// Keras: Σ_steps v·w / steps over Σ_steps w / steps, summed over samples.
			m.total += v
			m.count += sw / float64(per)
		} else if w != nil {
			m.total += v * w[s]
			m.count += w[s]
		} else {
			m.total += v
			m.count++
		}
	}
	return nil
}

func wrapper(class string, fn rowFn) func(string) Metric {
	return func(n string) Metric { return &MeanWrapper{mean: mean{name: n}, class: class, fn: fn} }
}

// Err returns the first problem of the metric's options, or nil.
func (m *MeanWrapper) Err() error { return m.err }
