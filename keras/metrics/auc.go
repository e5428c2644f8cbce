package metrics

import (
	"math"

	"gorgonia.org/tensor"
)

// AUC is Keras's AUC: the area under the ROC or precision-recall curve, from weighted
// confusion counts at NumThresholds evenly spaced thresholds (default 200, with -ε and 1+ε
// at the ends so that predictions of exactly 0 and 1 count), summed by interpolation as
// Keras does (Davis & Goadrich's interpolation for "PR"). Options: NumThresholds, Curve,
// SummationMethod, Thresholds (explicit thresholds instead of evenly spaced ones), Name
// (default "auc"). Multi-label and label weights are not supported: every prediction
// counts as one binary decision, as Keras's default multi_label=False does.
type AUC struct {
	confusion
	name          string
	numThresholds int
	curve         string
	summation     string
	explicit      []float64
	err           error
}

// NewAUC returns an AUC metric.
func NewAUC(opts ...Option) *AUC {
	o := collect(options{name: "auc", numThresholds: 200, curve: "ROC", summationMethod: "interpolation"}, opts)
	a := &AUC{name: o.name, curve: o.curve, summation: o.summationMethod, explicit: o.thresholds}
	if o.thresholds != nil {
		for _, t := range o.thresholds {
			if !(t >= 0 && t <= 1) {
				o.fail("threshold %v is not in [0, 1]", t)
			}
		}
		o.numThresholds = len(o.thresholds) + 2
	} else if o.numThresholds <= 1 {
		o.fail("num_thresholds must be > 1, got %d", o.numThresholds)
	}
	if o.numThresholds > MaxNumThresholds {
		o.fail("num_thresholds %d exceeds the limit %d", o.numThresholds, MaxNumThresholds)
		o.numThresholds, o.thresholds = 2, nil
	}
	if o.curve != "ROC" && o.curve != "PR" {
		o.fail(`curve must be "ROC" or "PR", got %q`, o.curve)
	}
	switch o.summationMethod {
	case "interpolation", "minoring", "majoring":
	default:
		o.fail(`summation_method must be "interpolation", "minoring" or "majoring", got %q`, o.summationMethod)
	}
	a.numThresholds, a.err = o.numThresholds, o.err
	// Keras's thresholds: i/(n-1) for i = 1 … n-2, computed in float32, and -ε, 1+ε.
	th := []float64{-epsilon}
	if o.thresholds != nil {
		th = append(th, o.thresholds...)
	} else {
		for i := 0; i < max(o.numThresholds-2, 0); i++ {
			th = append(th, float64(float32(float64(i+1)*1.0/float64(o.numThresholds-1))))
		}
	}
	a.thresholds = append(th, 1+epsilon)
	a.reset()
	return a
}

// Name returns the name the metric logs under.
func (a *AUC) Name() string { return a.name }

// Err returns the first problem of the metric's options, or nil.
func (a *AUC) Err() error { return a.err }

// Reset clears the counts.
func (a *AUC) Reset() { a.reset() }

// Update accumulates one batch with every sample weighing 1.
func (a *AUC) Update(yTrue, yPred *tensor.Dense) error { return a.update(a.name, yTrue, yPred, nil) }

// UpdateWeighted accumulates one batch; sampleWeight has one weight per sample, or is nil.
func (a *AUC) UpdateWeighted(yTrue, yPred *tensor.Dense, sampleWeight []float64) error {
	return a.update(a.name, yTrue, yPred, sampleWeight)
}

// ClassName returns "AUC".
func (a *AUC) ClassName() string { return "AUC" }

// Config returns the Keras config of the metric.
func (a *AUC) Config() map[string]any {
	var th any
	if a.explicit != nil {
		th = append([]float64(nil), a.explicit...)
	}
	c := map[string]any{"name": a.name, "dtype": "float32", "num_thresholds": a.numThresholds,
		"curve": a.curve, "summation_method": a.summation, "multi_label": false,
		"num_labels": nil, "label_weights": nil, "from_logits": false}
	if th != nil {
		c["thresholds"] = th
	}
	return c
}

// Result returns the area under the curve.
func (a *AUC) Result() float64 {
	n := len(a.thresholds)
	tp, fp, tn, fn := a.tp, a.fp, a.tn, a.fn
	if a.curve == "PR" && a.summation == "interpolation" {
		return a.interpolatePR()
	}
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		recall := divNoNaN(tp[i], tp[i]+fn[i])
		if a.curve == "ROC" {
			x[i], y[i] = divNoNaN(fp[i], fp[i]+tn[i]), recall
		} else {
			x[i], y[i] = recall, divNoNaN(tp[i], tp[i]+fp[i])
		}
	}
	s := 0.0
	for i := 0; i < n-1; i++ {
		var h float64
		switch a.summation {
		case "interpolation":
			h = (y[i] + y[i+1]) / 2
		case "minoring":
			h = math.Min(y[i], y[i+1])
		default:
			h = math.Max(y[i], y[i+1])
		}
		s += (x[i] - x[i+1]) * h
	}
	return s
}

// interpolatePR integrates precision over recall with precision interpolated linearly in
// the number of positives between thresholds (Keras's interpolate_pr_auc).
func (a *AUC) interpolatePR() float64 {
	tp, fp, fn := a.tp, a.fp, a.fn
	s := 0.0
	for i := 0; i < len(tp)-1; i++ {
		dtp := tp[i] - tp[i+1]
		pA, pB := tp[i]+fp[i], tp[i+1]+fp[i+1]
		slope := divNoNaN(dtp, math.Max(pA-pB, 0))
		intercept := tp[i+1] - slope*pB
		ratio := 1.0
		if pA > 0 && pB > 0 {
			ratio = divNoNaN(pA, math.Max(pB, 0))
		}
		s += divNoNaN(slope*(dtp+intercept*math.Log(ratio)), math.Max(tp[i+1]+fn[i+1], 0))
	}
	return s
}
