package metrics

import (
	"gorgonia.org/tensor"
)

// Accuracy is what Keras's compile makes of "acc" and "accuracy": binary accuracy
// (threshold 0.5) when the predictions' last dimension is 1, sparse categorical accuracy
// when the targets are class indices (rank one less, or a last dimension of 1 against
// several classes), categorical accuracy otherwise. The kind is picked at the first update
// from the shapes, as Keras's get_metric does.
type Accuracy struct {
	MeanWrapper
	resolved bool
}

func newAccuracy(name string) Metric {
	return &Accuracy{MeanWrapper: MeanWrapper{mean: mean{name: name}}}
}

// Update accumulates one batch with every sample weighing 1.
func (a *Accuracy) Update(yTrue, yPred *tensor.Dense) error {
	return a.UpdateWeighted(yTrue, yPred, nil)
}

// UpdateWeighted accumulates one batch; sampleWeight has one weight per sample, or is nil.
func (a *Accuracy) UpdateWeighted(yTrue, yPred *tensor.Dense, sampleWeight []float64) error {
	if !a.resolved {
		ts, ps := yTrue.Shape(), yPred.Shape()
		last := ps[len(ps)-1]
		switch {
		case last == 1:
			a.class, a.fn = "BinaryAccuracy", binaryAccuracy(0.5)
			a.config = map[string]any{"threshold": 0.5}
		case len(ts) < len(ps) || ts[len(ts)-1] == 1 && last > 1:
			a.class, a.fn, a.sparse = "SparseCategoricalAccuracy", sparseCategoricalAccuracy, true
		default:
			a.class, a.fn = "CategoricalAccuracy", categoricalAccuracy
		}
		a.resolved = true
	}
	return a.MeanWrapper.UpdateWeighted(yTrue, yPred, sampleWeight)
}
