package metrics

import (
	"fmt"
	"math"
	"sort"

	"gorgonia.org/tensor"
)

// AUC is Keras's AUC: the area under the ROC or precision-recall curve, from weighted
// confusion counts at NumThresholds evenly spaced thresholds (default 200, with -ε and 1+ε
// at the ends so that predictions of exactly 0 and 1 count), summed by interpolation as
// Keras does (Davis & Goadrich's interpolation for "PR"). Options: NumThresholds, Curve,
// SummationMethod, Thresholds (explicit thresholds instead of evenly spaced ones),
// MultiLabel, NumLabels, LabelWeights, FromLogits, Name (default "auc").
//
// By default every prediction counts as one binary decision (Keras's multi_label=False);
// MultiLabel(true) keeps counts per label column and averages the labels' areas (weighted by
// LabelWeights when given).
type AUC struct {
	confusion
	name          string
	numThresholds int
	curve         string
	summation     string
	explicit      []float64
	multiLabel    bool
	numLabels     int
	weights       []float64 // label_weights as given
	err           error
}

// NewAUC returns an AUC metric.
func NewAUC(opts ...Option) *AUC {
	o := collect(options{name: "auc", numThresholds: 200, curve: "ROC", summationMethod: "interpolation"}, opts)
	a := &AUC{name: o.name, curve: o.curve, summation: o.summationMethod, multiLabel: o.multiLabel,
		numLabels: o.numLabels, weights: o.labelWeights}
	a.fromLogits = o.fromLogits
	evenly := true
	if o.thresholds != nil {
		for _, t := range o.thresholds {
			if !(t >= 0 && t <= 1) {
				o.fail("threshold %v is not in [0, 1]", t)
			}
		}
		o.thresholds = append([]float64(nil), o.thresholds...)
		sort.Float64s(o.thresholds) // Keras sorts them
		o.numThresholds = len(o.thresholds) + 2
		evenly = evenlySpaced(o.thresholds)
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
	if o.numLabels != 0 && !o.multiLabel {
		o.fail("num_labels is needed only when multi_label is true")
	}
	if o.numLabels < 0 || o.numLabels > MaxNumClasses {
		o.fail("num_labels %d is not in [1, %d]", o.numLabels, MaxNumClasses)
		a.numLabels = 0
	}
	if o.multiLabel && o.numLabels > 0 && o.numThresholds*o.numLabels > maxAUCCounts {
		o.fail("num_thresholds %d × num_labels %d exceeds the limit %d counts", o.numThresholds, o.numLabels, maxAUCCounts)
		a.numLabels = 0
	}
	if o.multiLabel && o.numLabels > 0 && o.labelWeights != nil && len(o.labelWeights) != o.numLabels {
		o.fail("%d label_weights for num_labels %d", len(o.labelWeights), o.numLabels)
	}
	for _, w := range o.labelWeights {
		if !(w >= 0) || math.IsInf(w, 1) {
			o.fail("label_weights must be finite and non-negative, got %v", o.labelWeights)
			break
		}
	}
	a.numThresholds, a.err = o.numThresholds, o.err
	// Keras's thresholds: i/(n-1) for i = 1 … n-2 and -ε, 1+ε.
	th := []float64{-epsilon}
	if o.thresholds != nil {
		th = append(th, o.thresholds...)
	} else {
		for i := 0; i < max(o.numThresholds-2, 0); i++ {
			th = append(th, float64(float32(float64(i+1)*1.0/float64(o.numThresholds-1))))
		}
	}
	a.thresholds = append(th, 1+epsilon)
	a.evenly, a.withEps = evenly, true
	a.labels = 1
	if a.multiLabel {
		a.labels = a.numLabels // 0 until the first batch gives it, as Keras builds lazily
	} else {
		a.labelWeights = a.weights
	}
	a.reset()
	return a
}

// maxAUCCounts bounds a multi-label AUC's thresholds × labels (each count is kept four
// times), so that a model file cannot make it allocate without limit.
const maxAUCCounts = 1 << 22

// evenlySpaced reports whether explicit thresholds t are k/(n+1) for k = 1 … n, as Keras's
// is_evenly_distributed_thresholds decides (within ε), so that its bucketing path applies.
func evenlySpaced(t []float64) bool {
	all := append(append([]float64{0}, t...), 1)
	n := len(all)
	if n < 3 {
		return false
	}
	for i, v := range all {
		if math.Abs(v-float64(float32(i)/float32(n-1))) > epsilon+1e-5*math.Abs(float64(float32(i)/float32(n-1))) {
			return false
		}
	}
	return true
}

// Name returns the name the metric logs under.
func (a *AUC) Name() string { return a.name }

// Err returns the first problem of the metric's options, or nil.
func (a *AUC) Err() error { return a.err }

// Reset clears the counts (a multi-label AUC built without NumLabels learns the number of
// labels again from the next batch).
func (a *AUC) Reset() {
	if a.multiLabel && a.numLabels == 0 {
		a.labels = 0
	}
	a.reset()
}

// Update accumulates one batch with every sample weighing 1.
func (a *AUC) Update(yTrue, yPred *tensor.Dense) error { return a.UpdateWeighted(yTrue, yPred, nil) }

// UpdateWeighted accumulates one batch; sampleWeight has one weight per sample, or is nil.
func (a *AUC) UpdateWeighted(yTrue, yPred *tensor.Dense, sampleWeight []float64) error {
	if a.multiLabel && a.labels == 0 {
		ps := yPred.Shape()
		if len(ps) != 2 {
			return fmt.Errorf("metrics: %s: multi_label wants predictions of rank 2 (batch, labels), got shape %v", a.name, ps)
		}
		if a.weights != nil && len(a.weights) != ps[1] {
			return fmt.Errorf("metrics: %s: %d label_weights for predictions of shape %v", a.name, len(a.weights), ps)
		}
		if len(a.thresholds)*ps[1] > maxAUCCounts {
			return fmt.Errorf("metrics: %s: %d thresholds × %d labels exceed the limit %d counts", a.name, len(a.thresholds), ps[1], maxAUCCounts)
		}
		a.labels = ps[1]
		a.reset()
	}
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
		"curve": a.curve, "summation_method": a.summation, "multi_label": a.multiLabel,
		"num_labels": nilIfZero(a.numLabels), "label_weights": nil, "from_logits": a.fromLogits}
	if a.weights != nil {
		c["label_weights"] = append([]float64(nil), a.weights...)
	}
	if th != nil {
		c["thresholds"] = th
	}
	return c
}

// Result returns the area under the curve: with MultiLabel, the mean over labels (weighted
// by LabelWeights when given).
func (a *AUC) Result() float64 {
	L := max(a.labels, 1)
	if !a.multiLabel || a.labels == 0 {
		return a.area(0, 1)
	}
	sum, sw := 0.0, 0.0
	for l := 0; l < L; l++ {
		w := 1.0
		if a.weights != nil {
			w = a.weights[l]
		}
		sum += w * a.area(l, L)
		sw += w
	}
	if a.weights == nil {
		return sum / float64(L)
	}
	return divNoNaN(sum, sw)
}

// area returns the area of label column l of L.
func (a *AUC) area(l, L int) float64 {
	n := len(a.thresholds)
	at := func(v []float64, i int) float64 { return v[i*L+l] }
	if a.curve == "PR" && a.summation == "interpolation" {
		return a.interpolatePR(l, L)
	}
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		tp, fp, tn, fn := at(a.tp, i), at(a.fp, i), at(a.tn, i), at(a.fn, i)
		recall := divNoNaN(tp, tp+fn)
		if a.curve == "ROC" {
			x[i], y[i] = divNoNaN(fp, fp+tn), recall
		} else {
			x[i], y[i] = recall, divNoNaN(tp, tp+fp)
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
// the number of positives between thresholds (Keras's interpolate_pr_auc), for label
// column l of L.
func (a *AUC) interpolatePR(l, L int) float64 {
	at := func(v []float64, i int) float64 { return v[i*L+l] }
	s := 0.0
	for i := 0; i < len(a.thresholds)-1; i++ {
		tp0, tp1 := at(a.tp, i), at(a.tp, i+1)
		dtp := tp0 - tp1
		pA, pB := tp0+at(a.fp, i), tp1+at(a.fp, i+1)
		slope := divNoNaN(dtp, math.Max(pA-pB, 0))
		intercept := tp1 - slope*pB
		ratio := 1.0
		if pA > 0 && pB > 0 {
			ratio = divNoNaN(pA, math.Max(pB, 0))
		}
		s += divNoNaN(slope*(dtp+intercept*math.Log(ratio)), math.Max(tp1+at(a.fn, i+1), 0))
	}
	return s
}
