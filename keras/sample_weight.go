package keras

import (
	"fmt"
	"math"

	"github.com/kerago/kerago/keras/losses"
	"github.com/kerago/kerago/keras/metrics"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SampleWeightOption is an option that Fit and Evaluate both take (Predict does not).
type SampleWeightOption func(*loopConfig)

func (o SampleWeightOption) applyFit(c *fitConfig)       { o(&c.loopConfig) }
func (o SampleWeightOption) applyEvaluate(c *loopConfig) { o(c) }

// SampleWeight weights each sample's loss, and the weighted metrics (WeightedMetrics), as
// Keras's sample_weight: w is a []float64, a []float32 or a *tensor.Dense of shape (n,) or
// (n, 1), one weight per sample. With several outputs the weights apply to every output.
// A sequence output (batch, steps, features) takes a weight per time step instead, a
// *tensor.Dense of shape (n, steps), as Keras's temporal sample weights; one weight per
// sample is an error there, as in Keras 3.
// The loss of a batch is then Σ wᵢ·lossᵢ divided by the number of per-sample losses (the
// batch size), not by Σ wᵢ, as Keras's default "sum_over_batch_size" reduction computes it
// (a loss's Reduction field picks another, see losses.Reduction); a
// weighted metric is Σ wᵢ·vᵢ / Σ wᵢ. Fit's ValidationSplit holds out the weights of the
// held-out samples with them; ValidationData is evaluated unweighted.
func SampleWeight(w any) SampleWeightOption {
	return func(c *loopConfig) { c.sampleWeight, c.hasSampleWeight = w, true }
}

// ClassWeight weights each training sample by the weight of its class (Keras's
// class_weight): the class is the target's value rounded to an integer (half to even), or
// the argmax of a one-hot target; a class missing from the map weighs 1. Only models with
// one output take it, and not together with SampleWeight, as in Keras. Validation is not
// weighted.
func ClassWeight(w map[int]float64) FitOption {
	return fitOption(func(c *fitConfig) { c.classWeight, c.hasClassWeight = w, true })
}

// ValidationFreq runs validation only at the end of every n-th epoch (epochs n, 2n, ...
// counted from 1), as Keras's integer validation_freq (default 1); the other epochs log no
// val_ values.
func ValidationFreq(n int) FitOption { return fitOption(func(c *fitConfig) { c.validationFreq = n }) }

// ValidationEpochs runs validation only at the end of the listed epochs, counted from 1, as
// Keras's validation_freq given as a list; it replaces ValidationFreq.
func ValidationEpochs(epochs ...int) FitOption {
	return fitOption(func(c *fitConfig) {
		c.validationEpochs = map[int]bool{}
		for _, e := range epochs {
			c.validationEpochs[e] = true
		}
	})
}

// ValidationSampleWeight weights the samples of ValidationData (w as for SampleWeight), as
// the third element of Keras's validation_data tuple does.
func ValidationSampleWeight(w any) FitOption {
	return fitOption(func(c *fitConfig) { c.valSampleWeight = w })
}

// checkWeightOptions reports bad weighting and validation options.
func (c *fitConfig) checkWeightOptions() []error {
	var errs []error
	if c.validationFreq < 1 {
		errs = append(errs, argErr("Fit", "validation_freq", ErrInvalidArgument, "must be at least 1, got %d", c.validationFreq))
	}
	if c.valSampleWeight != nil && !c.hasVal {
		errs = append(errs, argErr("Fit", "validation_sample_weight", ErrInvalidArgument, "needs ValidationData"))
	}
	if c.hasClassWeight && c.hasSampleWeight {
		errs = append(errs, argErr("Fit", "class_weight", ErrInvalidArgument, "cannot be given together with sample_weight (Keras refuses both at once)"))
	}
	for k, v := range c.classWeight {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			errs = append(errs, argErr("Fit", "class_weight", ErrInvalidArgument, "class %d has weight %v", k, v))
		}
	}
	return errs
}

// validateEpoch reports whether epoch (from 0) ends with validation.
func (c *fitConfig) validateEpoch(epoch int) bool {
	if c.validationEpochs != nil {
		return c.validationEpochs[epoch+1]
	}
	return (epoch+1)%c.validationFreq == 0
}

// checkWeightedOutputs checks that per weights a sample fit every output that a loss or
// weighted metric reads: one weight per sample fits outputs of shape (batch, features), as
// in Keras 3 (which fails to broadcast (batch,) weights against (batch, steps) losses);
// per-step weights (batch, steps) fit outputs of shape (batch, steps, features).
func (m *Model) checkWeightedOutputs(call string, per int) error {
	for i, h := range m.compiled.heads {
		if h.loss == nil && len(h.weighted) == 0 {
			continue
		}
		s := m.outputs[i].Shape()
		if h.shaped != nil {
			// CTC, Circle: one loss per sample, whatever the output's rank.
			if per != 1 {
				return argErr(call, "sample_weight", ErrShape, "has %d weights per sample; the %s loss of output %q takes one weight per sample", per, h.loss.Name(), h.name)
			}
			continue
		}
		switch {
		case per == 1 && len(s) > 2:
			return argErr(call, "sample_weight", ErrShape, "output %q has shape %v: one weight per sample fits outputs of shape (batch, features) only, as in Keras 3; give one weight per time step, shape (n, %v)", h.name, s, dimString(s[1]))
		case per > 1 && (len(s) != 3 || s[1] != per):
			return argErr(call, "sample_weight", ErrShape, "has %d weights per sample, which fit outputs of shape (batch, %d, features); output %q has shape %v", per, per, h.name, s)
		}
	}
	return nil
}

func dimString(d int) string {
	if d < 0 {
		return "steps"
	}
	return fmt.Sprint(d)
}

// sampleWeights reads the SampleWeight argument for a dataset of n samples.
func (m *Model) sampleWeights(call string, w any, n int) ([]float64, int, error) {
	out, per, err := readSampleWeights(call, w, n)
	if err != nil {
		return nil, 0, err
	}
	if err := m.checkWeightedOutputs(call, per); err != nil {
		return nil, 0, err
	}
	return out, per, nil
}

// readSampleWeights reads w: one weight per sample, or a (n, steps) tensor of per-step weights.
func readSampleWeights(call string, w any, n int) ([]float64, int, error) {
	per := 1
	var out []float64
	switch v := w.(type) {
	case []float64:
		out = append([]float64(nil), v...)
	case []float32:
		for _, f := range v {
			out = append(out, float64(f))
		}
	case *tensor.Dense:
		if v == nil {
			return nil, 0, argErr(call, "sample_weight", ErrData, "is a nil tensor")
		}
		s := v.Shape()
		if len(s) == 0 || len(s) > 2 || len(s) == 2 && s[0] != n {
			return nil, 0, argErr(call, "sample_weight", ErrShape, "has shape %v; want (%d,) or (%d, 1): one weight per sample, or (%d, steps) per time step", s, n, n, n)
		}
		if len(s) == 2 {
			per = s[1]
		}
		for i := 0; i < s.TotalSize(); i++ {
			c := []int{i}
			if len(s) == 2 {
				c = []int{i / per, i % per}
			}
			x, err := v.At(c...)
			if err != nil {
				return nil, 0, argErr(call, "sample_weight", ErrData, "%v", err)
			}
			f, ok := toFloat(x)
			if !ok {
				return nil, 0, argErr(call, "sample_weight", ErrData, "dtype %v is not a number", v.Dtype())
			}
			out = append(out, f)
		}
	default:
		return nil, 0, argErr(call, "sample_weight", ErrInvalidArgument, "must be []float64, []float32 or *tensor.Dense, got %T", w)
	}
	if len(out) != n*per {
		return nil, 0, argErr(call, "sample_weight", ErrShape, "has %d weights for %d samples", len(out), n)
	}
	return out, per, nil
}

func toFloat(x any) (float64, bool) {
	switch f := x.(type) {
	case float64:
		return f, true
	case float32:
		return float64(f), true
	case int:
		return float64(f), true
	case int32:
		return float64(f), true
	case int64:
		return float64(f), true
	}
	return 0, false
}

// classWeights turns class weights into sample weights from the targets y of the model's
// only output, as Keras's class_weight_to_sample_weights does.
func (m *Model) classWeights(cw map[int]float64, d dataset) ([]float64, error) {
	if len(d.y) != 1 {
		return nil, argErr("Fit", "class_weight", ErrInvalidArgument, "is only supported for models with a single output; this one has %d", len(d.y))
	}
	y := d.y[0]
	s := y.Shape()
	k := 1
	if len(s) > 1 {
		k = s[len(s)-1]
	}
	if len(s) > 2 {
		return nil, argErr("Fit", "class_weight", ErrShape, "targets of shape %v: want (n,), (n, 1) or one-hot (n, classes)", s)
	}
	out := make([]float64, d.n)
	row := make([]float64, k)
	for i := 0; i < d.n; i++ {
		for j := 0; j < k; j++ {
			c := []int{i}
			if len(s) > 1 {
				c = []int{i, j}
			}
			x, err := y.At(c...)
			if err != nil {
				return nil, argErr("Fit", "class_weight", ErrData, "%v", err)
			}
			f, ok := toFloat(x)
			if !ok {
				return nil, argErr("Fit", "class_weight", ErrData, "targets of dtype %v", y.Dtype())
			}
			row[j] = f
		}
		var class int
		if k > 1 {
			class = argmaxRow(row)
		} else {
			class = int(math.RoundToEven(row[0]))
		}
		out[i] = 1
		if w, ok := cw[class]; ok {
			out[i] = w
		}
	}
	return out, nil
}

func argmaxRow(v []float64) int {
	best := 0
	for i := range v {
		if v[i] > v[best] {
			best = i
		}
	}
	return best
}

// weightedLoss builds head h's loss with a sample-weight input shaped like the per-sample
// losses: the output's shape without its last axis. id names the input uniquely (see
// buildLoss).
func (p *program) weightedLoss(h head, id string, dt tensor.Dtype, y, out, logits *G.Node, act string) (*G.Node, *G.Node, error) {
	s := out.Shape()
	if len(s) < 2 {
		return nil, nil, fmt.Errorf("sample weights need an output with a batch and a last axis, got shape %v", s)
	}
	ws := s[:len(s)-1].Clone()
	if h.shaped != nil {
		ws = s[:1].Clone() // CTC, Circle: one loss per sample
	}
	w := G.NewTensor(p.g, dt, len(ws), G.WithShape(ws...), G.WithName("sample_weight:"+id))
	ln, err := losses.Reduced(h.loss, y, out, logits, act, w)
	return ln, w, err
}

// feedWeights copies the batch's sample weights into the weighted program's inputs (each
// sample's weight repeated over its time steps) and keeps them for the weighted metrics.
func (r *runner) feedWeights(p *program, b *batchBuffers, d dataset, idx []int) error {
	b.swB = b.swB[:0]
	if d.sw == nil {
		return nil
	}
	for _, i := range idx {
		b.swB = append(b.swB, d.sw[i*d.swPer:(i+1)*d.swPer]...)
	}
	if p.sampleW == nil {
		return nil
	}
	if b.sw == nil {
		b.sw = make([]*tensor.Dense, len(p.sampleW))
	}
	for i, n := range p.sampleW {
		if n == nil {
			continue
		}
		if b.sw[i] == nil || !b.sw[i].Shape().Eq(n.Shape()) {
			b.sw[i] = tensor.New(tensor.WithShape(n.Shape().Clone()...), tensor.Of(n.Dtype()))
		}
		// The node holds one weight per per-sample loss: the batch's weights as they are
		// (checkWeightedOutputs made the counts agree).
		switch data := b.sw[i].Data().(type) {
		case []float32:
			for j := range data {
				data[j] = float32(b.swB[j])
			}
		case []float64:
			copy(data, b.swB)
		default:
			return fmt.Errorf("keras: %w: sample weights of dtype %v", ErrInternal, n.Dtype())
		}
		if err := let(n, b.sw[i]); err != nil {
			return fmt.Errorf("keras: feeding the sample weights of output %q: %w", r.m.compiled.heads[i].name, err)
		}
	}
	return nil
}

// updateWeighted updates weighted metrics with the batch's sample weights (none: every
// sample weighs 1, as Keras's weighted metrics without sample_weight).
func updateWeighted(ms []metrics.Metric, yTrue, yPred *tensor.Dense, w []float64) error {
	for _, mt := range ms {
		if len(w) == 0 {
			if err := mt.Update(yTrue, yPred); err != nil {
				return fmt.Errorf("weighted metric %q: %w", mt.Name(), err)
			}
			continue
		}
		wm, ok := mt.(metrics.WeightedMetric)
		if !ok {
			return fmt.Errorf("weighted metric %q (%T) has no UpdateWeighted", mt.Name(), mt)
		}
		if err := wm.UpdateWeighted(yTrue, yPred, w); err != nil {
			return fmt.Errorf("weighted metric %q: %w", mt.Name(), err)
		}
	}
	return nil
}
