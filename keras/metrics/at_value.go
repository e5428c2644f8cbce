package metrics

import (
	"math"

	"gorgonia.org/tensor"
)

// AtValue is one of Keras's constrained-curve metrics: PrecisionAtRecall, RecallAtPrecision,
// SensitivityAtSpecificity and SpecificityAtSensitivity. It counts weighted true/false
// positives/negatives at NumThresholds evenly spaced thresholds (0, 1/(n-1), …, 1; a single
// threshold is 0.5) and returns the best value of one rate among the thresholds where the
// other rate reaches the constraint (0 when none does), as Keras's
// _find_max_under_constraint. Options: NumThresholds (default 200), ClassID, Name.
type AtValue struct {
	confusion
	name, class   string
	key           string  // the constraint's config key: "recall", "precision" ...
	value         float64 // the constraint
	numThresholds int
	// constrained and dependent compute the two rates from tp, fp, tn, fn at a threshold.
	constrained, dependent func(tp, fp, tn, fn float64) float64
	err                    error
}

func recallRate(tp, _, _, fn float64) float64      { return divNoNaN(tp, tp+fn) }
func precisionRate(tp, fp, _, _ float64) float64   { return divNoNaN(tp, tp+fp) }
func specificityRate(_, fp, tn, _ float64) float64 { return divNoNaN(tn, tn+fp) }

// NewPrecisionAtRecall returns Keras's PrecisionAtRecall(recall): the best precision among
// the thresholds whose recall is at least recall, in [0, 1]. Name default
// "precision_at_recall".
func NewPrecisionAtRecall(recall float64, opts ...Option) *AtValue {
	return newAtValue("PrecisionAtRecall", "precision_at_recall", "recall", recall, recallRate, precisionRate, opts)
}

// NewRecallAtPrecision returns Keras's RecallAtPrecision(precision): the best recall among
// the thresholds whose precision is at least precision. Name default "recall_at_precision".
func NewRecallAtPrecision(precision float64, opts ...Option) *AtValue {
	return newAtValue("RecallAtPrecision", "recall_at_precision", "precision", precision, precisionRate, recallRate, opts)
}

// NewSensitivityAtSpecificity returns Keras's SensitivityAtSpecificity(specificity): the
// best sensitivity (recall) among the thresholds whose specificity, tn/(tn+fp), is at least
// specificity. Name default "sensitivity_at_specificity".
func NewSensitivityAtSpecificity(specificity float64, opts ...Option) *AtValue {
	return newAtValue("SensitivityAtSpecificity", "sensitivity_at_specificity", "specificity", specificity, specificityRate, recallRate, opts)
}

// NewSpecificityAtSensitivity returns Keras's SpecificityAtSensitivity(sensitivity): the
// best specificity among the thresholds whose sensitivity is at least sensitivity. Name
// default "specificity_at_sensitivity".
func NewSpecificityAtSensitivity(sensitivity float64, opts ...Option) *AtValue {
	return newAtValue("SpecificityAtSensitivity", "specificity_at_sensitivity", "sensitivity", sensitivity, recallRate, specificityRate, opts)
}

func newAtValue(class, defName, key string, value float64, constrained, dependent func(_, _, _, _ float64) float64, opts []Option) *AtValue {
	o := collect(options{name: defName, numThresholds: 200}, opts)
	if !(value >= 0 && value <= 1) {
		o.fail("%s must be in [0, 1], got %v", key, value)
	}
	if o.numThresholds <= 0 {
		o.fail("num_thresholds must be > 0, got %d", o.numThresholds)
		o.numThresholds = 1
	}
	if o.numThresholds > MaxNumThresholds {
		o.fail("num_thresholds %d exceeds the limit %d", o.numThresholds, MaxNumThresholds)
		o.numThresholds = 1
	}
	a := &AtValue{name: o.name, class: class, key: key, value: value, numThresholds: o.numThresholds,
		constrained: constrained, dependent: dependent, err: o.err}
	a.classID, a.hasClassID, a.labels = o.classID, o.hasClassID, 1
	if o.numThresholds == 1 {
		a.thresholds = []float64{0.5}
	} else {
		// Keras: [0] + [(i+1)/(n-1) for i < n-2] + [1], bucketed (thresholds_distributed_evenly).
		a.thresholds = []float64{0}
		for i := 0; i < o.numThresholds-2; i++ {
			a.thresholds = append(a.thresholds, float64(i+1)/float64(o.numThresholds-1))
		}
		a.thresholds = append(a.thresholds, 1)
		a.evenly = true
	}
	a.reset()
	return a
}

// Name returns the name the metric logs under.
func (a *AtValue) Name() string { return a.name }

// Err returns the first problem of the metric's options, or nil.
func (a *AtValue) Err() error { return a.err }

// Reset clears the counts.
func (a *AtValue) Reset() { a.reset() }

// Update accumulates one batch with every sample weighing 1.
func (a *AtValue) Update(yTrue, yPred *tensor.Dense) error {
	return a.update(a.name, yTrue, yPred, nil)
}

// UpdateWeighted accumulates one batch; sampleWeight has one weight per sample, or is nil.
func (a *AtValue) UpdateWeighted(yTrue, yPred *tensor.Dense, sampleWeight []float64) error {
	return a.update(a.name, yTrue, yPred, sampleWeight)
}

// Result returns the best dependent rate among the thresholds that meet the constraint.
func (a *AtValue) Result() float64 {
	best := 0.0
	for i := range a.thresholds {
		// Keras compares in float32: a rate that only float64 rounding puts under the
		// constraint (4/5 against 0.8) still meets it.
		if float32(a.constrained(a.tp[i], a.fp[i], a.tn[i], a.fn[i])) >= float32(a.value) {
			best = math.Max(best, a.dependent(a.tp[i], a.fp[i], a.tn[i], a.fn[i]))
		}
	}
	return best
}

// ClassName returns the Keras class ("PrecisionAtRecall" ...).
func (a *AtValue) ClassName() string { return a.class }

// Config returns the Keras config of the metric.
func (a *AtValue) Config() map[string]any {
	var id any
	if a.hasClassID {
		id = a.classID
	}
	return map[string]any{"name": a.name, "dtype": "float32", "class_id": id,
		"num_thresholds": a.numThresholds, a.key: a.value}
}

// Direction returns "up".
func (a *AtValue) Direction() string { return "up" }
