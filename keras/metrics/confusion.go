package metrics

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// confusion counts weighted true/false positives/negatives at a set of thresholds, as
// Keras's update_confusion_matrix_variables does: a prediction above a threshold is positive;
// a target is positive when it is not 0.
type confusion struct {
	thresholds []float64
	// evenly is Keras's thresholds_distributed_evenly: a prediction, clipped to [0, 1], falls
	// in bucket ceil(p·(n-1)) - 1 (computed in float32, floored at 0 when the end thresholds
	// are -ε and 1+ε) and is positive at every threshold up to its bucket. It is Keras's
	// fast path and decides the edge cases (p exactly on a threshold, p outside [0, 1]).
	evenly, withEps bool
	topK            int
	classID         int
	hasClassID      bool
	// labels is the number of label columns counted apart (AUC's multi_label); 1 otherwise.
	// The counts hold thresholds × labels values, threshold-major.
	labels int
	// labelWeights, when not nil and labels is 1, weigh each column's counts (AUC's
	// label_weights outside multi-label mode).
	labelWeights   []float64
	fromLogits     bool
	tp, fp, tn, fn []float64
	yt, yp         []float64
}

func (c *confusion) reset() {
	n := len(c.thresholds) * max(c.labels, 1)
	c.tp, c.fp, c.tn, c.fn = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
}

// bucket returns, for evenly spaced thresholds, the index of the last threshold p counts as
// above (-1 for none).
func (c *confusion) bucket(p float64) int {
	n := len(c.thresholds)
	p = math.Min(math.Max(p, 0), 1)
	b := int(math.Ceil(float64(float32(p)*float32(n-1)))) - 1
	if c.withEps && b < 0 {
		b = 0
	}
	return b
}

func (c *confusion) update(name string, yTrue, yPred *tensor.Dense, w []float64) error {
	var err error
	if c.yt, err = floats(yTrue, c.yt); err != nil {
		return fmt.Errorf("metrics: %s: targets: %w", name, err)
	}
	if c.yp, err = floats(yPred, c.yp); err != nil {
		return fmt.Errorf("metrics: %s: predictions: %w", name, err)
	}
	if len(c.yt) != len(c.yp) {
		return fmt.Errorf("metrics: %s: targets of shape %v do not fit predictions of shape %v", name, yTrue.Shape(), yPred.Shape())
	}
	ps := yPred.Shape()
	samples := ps[0]
	k := 1
	if len(ps) > 1 {
		k = ps[len(ps)-1]
	}
	if c.labels > 1 && (len(ps) != 2 || k != c.labels) {
		return fmt.Errorf("metrics: %s: multi-label counts were made for %d labels; predictions have shape %v", name, c.labels, ps)
	}
	if c.labelWeights != nil && c.labels <= 1 && len(c.labelWeights) != k {
		return fmt.Errorf("metrics: %s: %d label weights for predictions of shape %v", name, len(c.labelWeights), ps)
	}
	rows := len(c.yp) / k
	perRow := w != nil && len(w) == rows && rows != samples // per-time-step weights
	if w != nil && len(w) != samples && !perRow {
		return fmt.Errorf("metrics: %s: %d sample weights for %d samples", name, len(w), samples)
	}
	if c.hasClassID && (c.classID < 0 || c.classID >= k) {
		return fmt.Errorf("metrics: %s: class_id %d out of range for predictions of shape %v", name, c.classID, ps)
	}
	L := max(c.labels, 1)
	per := len(c.yp) / max(samples, 1) // values of one sample
	for r := 0; r < rows; r++ {
		row := c.yp[r*k : (r+1)*k]
		wt := 1.0
		if perRow {
			wt = w[r]
		} else if w != nil {
			wt = w[r*k/per]
		}
		for j := range row {
			if c.hasClassID && j != c.classID {
				continue
			}
			p := row[j]
			if c.fromLogits {
				p = 1 / (1 + math.Exp(-p))
			}
			if c.topK > 0 && !inTopKStrict(row, j, c.topK) {
				p = math.Inf(-1) // Keras's _filter_top_k
			}
			wj := wt
			if c.labelWeights != nil && L == 1 {
				wj *= c.labelWeights[j]
			}
			l := 0
			if L > 1 {
				l = j
			}
			pos := c.yt[r*k+j] != 0
			last := 0
			if c.evenly {
				last = c.bucket(p)
			}
			for i, t := range c.thresholds {
				at := i*L + l
				above := p > t
				if c.evenly {
					above = i <= last
				}
				switch {
				case pos && above:
					c.tp[at] += wj
				case pos:
					c.fn[at] += wj
				case above:
					c.fp[at] += wj
				default:
					c.tn[at] += wj
				}
			}
		}
	}
	return nil
}

// inTopKStrict reports whether index j is among the k largest values, ties going to the
// lower index as top_k sorts them.
func inTopKStrict(row []float64, j, k int) bool {
	rank := 0
	for i, v := range row {
		if v > row[j] || v == row[j] && i < j {
			rank++
		}
	}
	return rank < k
}

func divNoNaN(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// Confusion is one of Keras's threshold metrics: Precision, Recall, TruePositives,
// FalsePositives, TrueNegatives or FalseNegatives. Its result is the value at the first
// threshold.
type Confusion struct {
	confusion
	name, class string
	result      func(c *confusion) float64
	err         error
}

func newConfusion(class, defName string, result func(*confusion) float64, opts []Option) *Confusion {
	o := collect(options{name: defName}, opts)
	if o.thresholds == nil {
		if o.topK > 0 {
			o.thresholds = []float64{math.Inf(-1)}
		} else {
			o.thresholds = []float64{0.5}
		}
	}
	for _, t := range o.thresholds {
		if !(t >= 0 && t <= 1) && !math.IsInf(t, -1) {
			o.fail("threshold %v is not in [0, 1]", t)
		}
	}
	if o.topK < 0 {
		o.fail("top_k must be positive, got %d", o.topK)
	}
	c := &Confusion{confusion: confusion{thresholds: o.thresholds, topK: o.topK, classID: o.classID, hasClassID: o.hasClassID},
		name: o.name, class: class, result: result, err: o.err}
	c.reset()
	return c
}

// NewPrecision returns Keras's Precision: tp / (tp + fp). Options: Thresholds, TopK, ClassID,
// Name (default "precision").
func NewPrecision(opts ...Option) *Confusion {
	return newConfusion("Precision", "precision", func(c *confusion) float64 { return divNoNaN(c.tp[0], c.tp[0]+c.fp[0]) }, opts)
}

// NewRecall returns Keras's Recall: tp / (tp + fn). Options: Thresholds, TopK, ClassID, Name
// (default "recall").
func NewRecall(opts ...Option) *Confusion {
	return newConfusion("Recall", "recall", func(c *confusion) float64 { return divNoNaN(c.tp[0], c.tp[0]+c.fn[0]) }, opts)
}

// NewTruePositives returns Keras's TruePositives: the weighted count. Options: Thresholds, Name.
func NewTruePositives(opts ...Option) *Confusion {
	return newConfusion("TruePositives", "true_positives", func(c *confusion) float64 { return c.tp[0] }, opts)
}

// NewFalsePositives returns Keras's FalsePositives. Options: Thresholds, Name.
func NewFalsePositives(opts ...Option) *Confusion {
	return newConfusion("FalsePositives", "false_positives", func(c *confusion) float64 { return c.fp[0] }, opts)
}

// NewTrueNegatives returns Keras's TrueNegatives. Options: Thresholds, Name.
func NewTrueNegatives(opts ...Option) *Confusion {
	return newConfusion("TrueNegatives", "true_negatives", func(c *confusion) float64 { return c.tn[0] }, opts)
}

// NewFalseNegatives returns Keras's FalseNegatives. Options: Thresholds, Name.
func NewFalseNegatives(opts ...Option) *Confusion {
	return newConfusion("FalseNegatives", "false_negatives", func(c *confusion) float64 { return c.fn[0] }, opts)
}

// Name returns the name the metric logs under.
func (c *Confusion) Name() string { return c.name }

// Err returns the first problem of the metric's options, or nil.
func (c *Confusion) Err() error { return c.err }

// Reset clears the counts.
func (c *Confusion) Reset() { c.reset() }

// Result returns the metric at the first threshold.
func (c *Confusion) Result() float64 { return c.result(&c.confusion) }

// Update accumulates one batch with every sample weighing 1.
func (c *Confusion) Update(yTrue, yPred *tensor.Dense) error {
	return c.update(c.name, yTrue, yPred, nil)
}

// UpdateWeighted accumulates one batch; sampleWeight has one weight per sample, or is nil.
func (c *Confusion) UpdateWeighted(yTrue, yPred *tensor.Dense, sampleWeight []float64) error {
	return c.update(c.name, yTrue, yPred, sampleWeight)
}

// ClassName returns the Keras class name ("Precision" ...).
func (c *Confusion) ClassName() string { return c.class }

// Config returns the Keras config of the metric.
func (c *Confusion) Config() map[string]any {
	cfg := map[string]any{"name": c.name, "dtype": "float32"}
	switch c.class {
	case "Precision", "Recall":
		var th any
		if len(c.thresholds) == 1 {
			th = c.thresholds[0]
		} else {
			th = append([]float64(nil), c.thresholds...)
		}
		if c.topK > 0 && len(c.thresholds) == 1 && math.IsInf(c.thresholds[0], -1) {
			th = nil
		}
		cfg["thresholds"] = th
		cfg["top_k"] = nilIfZero(c.topK)
		if c.hasClassID {
			cfg["class_id"] = c.classID
		} else {
			cfg["class_id"] = nil
		}
	default:
		if len(c.thresholds) == 1 {
			cfg["thresholds"] = c.thresholds[0]
		} else {
			cfg["thresholds"] = append([]float64(nil), c.thresholds...)
		}
	}
	return cfg
}

func nilIfZero(n int) any {
	if n == 0 {
		return nil
	}
	return n
}
