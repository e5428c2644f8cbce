package losses

import (
	"fmt"
	"math"

	"github.com/kerago/kerago/keras/internal/errs"
	"github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

var (
	_ Configurable = CTC{}
	_ TargetShaper = CTC{}
)

func init() { register(func() Loss { return CTC{} }, "ctc", "CTC") }

// CTC is Keras's "ctc" loss, connectionist temporal classification: the negative log
// probability of each sample's label sequence summed over every alignment with the
// prediction's steps, averaged over the batch.
//
// Targets are label sequences (batch, max_label_length) of class indices, right-padded
// with 0: class 0 is the blank and the padding (Keras's mask_index=0), so labels are
// 1 … classes-1 and a sample's label length is its number of non-zero entries.
// Predictions are (batch, steps, classes) scores: the loss applies log_softmax to them, as
// Keras's ops.ctc_loss does (give it a Dense layer's linear output; a softmax output gets
// a second softmax, as in Keras). Every sample uses all the steps. A sample with more labels
// than steps is an error (Keras returns a loss near 1e5 for it).
//
// The loss and its gradient are one op (internal/ops.CTCLoss) following Keras's JAX
// recursion. Sample weights are one per sample.
type CTC struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
}

// Name returns "ctc".
func (CTC) Name() string { return "ctc" }

// ClassName returns "CTC".
func (CTC) ClassName() string { return "CTC" }

// Config returns Keras's config: name and reduction.
func (l CTC) Config() map[string]any { return baseConfig(l.Name(), l.Reduction) }

// CheckTargets wants label sequences (batch, max_label_length) of class indices in
// [0, classes), with at most steps non-zero labels each, for predictions (batch, steps,
// classes).
func (l CTC) CheckTargets(y *tensor.Dense, pred []int) error {
	if err := l.checkShapes(y.Shape(), pred); err != nil {
		return err
	}
	v, err := targetValues(y)
	if err != nil {
		return fmt.Errorf("%s: %w", l.Name(), err)
	}
	n := y.Shape()[1]
	for i := 0; i < y.Shape()[0]; i++ {
		k := 0
		for _, c := range v[i*n : (i+1)*n] {
			if c != math.Trunc(c) || c < 0 || pred[2] > 0 && c >= float64(pred[2]) {
				return fmt.Errorf("%s: %w: sample %d: label %v is not a class index in [0, %d) (0 is the blank and the padding)", l.Name(), errs.Data, i, c, pred[2])
			}
			if c != 0 {
				k++
			}
		}
		if pred[1] > 0 && k > pred[1] {
			return fmt.Errorf("%s: %w: sample %d has %d labels, more than the %d steps of the predictions can emit", l.Name(), errs.Data, i, k, pred[1])
		}
	}
	return nil
}

// checkShapes wants targets (batch, max_label_length) for predictions (batch, steps,
// classes).
func (l CTC) checkShapes(given, pred []int) error {
	if len(pred) != 3 {
		return fmt.Errorf("%s: %w: predictions must be (batch, steps, classes), got shape %v", l.Name(), errs.Shape, pred)
	}
	if len(given) != 2 {
		return fmt.Errorf("%s: %w: targets must be label sequences (batch, max_label_length) of class indices, 0 for padding; got shape %v", l.Name(), errs.Shape, given)
	}
	return nil
}

// TargetShape returns (batch, steps): labels are fed padded (or cut) to the number of steps,
// which changes nothing, since only a sample's first label-length entries count and no
// sample may have more labels than steps.
func (CTC) TargetShape(pred []int) []int { return []int{pred[0], pred[1]} }

// FitTargets copies the labels, padding each row with 0 to dst's width; labels beyond it
// (more labels than steps) are an error naming the sample.
func (l CTC) FitTargets(dst, raw *tensor.Dense) error {
	v, err := targetValues(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", l.Name(), err)
	}
	rs, ds := raw.Shape(), dst.Shape()
	if len(rs) != 2 || len(ds) != 2 || rs[0] != ds[0] {
		return fmt.Errorf("%s: targets of shape %v for a buffer of shape %v", l.Name(), rs, ds)
	}
	out := make([]float64, ds.TotalSize())
	for i := 0; i < rs[0]; i++ {
		k := 0
		for j := 0; j < rs[1]; j++ {
			if v[i*rs[1]+j] != 0 {
				k++
			}
			if j < ds[1] {
				out[i*ds[1]+j] = v[i*rs[1]+j]
			} else if v[i*rs[1]+j] != 0 {
				return fmt.Errorf("%s: sample %d has %d or more labels, more than the %d steps of the predictions can emit", l.Name(), i, k, ds[1])
			}
		}
	}
	return setValues(dst, out)
}

// Build returns the CTC loss averaged over the batch. y holds the labels, (batch, steps).
func (l CTC) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	per, err := l.perSample(y, pred)
	if err != nil {
		return nil, err
	}
	return G.Mean(per)
}

// perSample returns each sample's loss, (batch,).
func (l CTC) perSample(y, pred *G.Node) (*G.Node, error) {
	if err := l.checkShapes(y.Shape(), pred.Shape()); err != nil {
		return nil, err
	}
	per, err := ops.CTCLoss(y, pred)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l.Name(), err)
	}
	return per, nil
}
