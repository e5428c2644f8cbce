package losses

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// Dice is Keras's "dice": 1 - 2·Σ y·pred / (Σ y + Σ pred + Epsilon), the sums over Axis (all
// axes, batch included, when Axis is nil), then averaged over what remains.
//
// The zero value is Keras's default Dice() (axis None).
type Dice struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
	// Axis lists the axes summed over (Keras's axis; default nil, Keras's None: every axis).
	Axis []int
}

// Name returns "dice".
func (Dice) Name() string { return "dice" }

// Build returns the Dice loss.
func (l Dice) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	per, err := l.perSample(y, pred, nil, "")
	if err != nil {
		return nil, err
	}
	var e expr
	return e.mean(per), e.err
}

// perSample is the Dice loss before the reduction: with Axis nil one scalar for the whole
// batch (which Weighted, as Keras, multiplies by every sample weight), else one value per
// position left after the sums (per sample for Axis [1 … rank-1]).
func (l Dice) perSample(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	axes, err := overlapAxes(l.Name(), l.Axis, pred)
	if err != nil {
		return nil, err
	}
	var e expr
	inter := e.sum(e.mul(y, pred), axes...)
	den := e.shift(e.add(e.sum(y, axes...), e.sum(pred, axes...)), Epsilon)
	return e.rsub(1, e.div(e.scale(inter, 2), den)), e.err
}

// Tversky is Keras's "tversky": 1 - TP / (TP + α·FP + β·FN + Epsilon) with TP = Σ y·pred,
// FP = Σ (1-pred)·y and FN = Σ pred·(1-y) (Keras's naming) over Axis (all axes when nil),
// averaged over what remains.
//
// The zero value is Keras's default Tversky() (α = β = 0.5, axis None).
type Tversky struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
	// Alpha and Beta weigh FP and FN (Keras's alpha and beta; default 0.5 each). When both
	// are 0, the zero value, they mean the defaults; otherwise both are taken as given.
	Alpha, Beta float64
	// Axis lists the axes summed over (Keras's axis; default nil: every axis).
	Axis []int
}

// Name returns "tversky".
func (Tversky) Name() string { return "tversky" }

// weights returns α and β, 0.5 each for the zero value.
func (l Tversky) weights() (float64, float64) {
	if l.Alpha == 0 && l.Beta == 0 {
		return 0.5, 0.5
	}
	return l.Alpha, l.Beta
}

// Validate reports a weight that is not a finite number.
func (l Tversky) Validate() error {
	a, b := l.weights()
	for _, v := range []float64{a, b} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: alpha %v, beta %v: not finite numbers", l.Name(), l.Alpha, l.Beta)
		}
	}
	return nil
}

// Build returns the Tversky loss.
func (l Tversky) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	per, err := l.perSample(y, pred, nil, "")
	if err != nil {
		return nil, err
	}
	var e expr
	return e.mean(per), e.err
}

// perSample is the Tversky loss before the reduction, shaped as Dice's.
func (l Tversky) perSample(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	axes, err := overlapAxes(l.Name(), l.Axis, pred)
	if err != nil {
		return nil, err
	}
	a, b := l.weights()
	var e expr
	tp := e.sum(e.mul(y, pred), axes...)
	fp := e.sum(e.mul(e.rsub(1, pred), y), axes...)
	fn := e.sum(e.mul(pred, e.rsub(1, y)), axes...)
	den := e.shift(e.add(tp, e.add(e.scale(fp, a), e.scale(fn, b))), Epsilon)
	return e.rsub(1, e.div(tp, den)), e.err
}

// overlapAxes resolves Keras's axis argument against pred's rank: nil for every axis, else
// the axes made non-negative, each once.
func overlapAxes(name string, axis []int, pred *G.Node) ([]int, error) {
	if axis == nil {
		return nil, nil
	}
	seen := map[int]bool{}
	out := make([]int, 0, len(axis))
	for _, a := range axis {
		r := a
		if r < 0 {
			r += pred.Dims()
		}
		if r < 0 || r >= pred.Dims() || seen[r] {
			return nil, fmt.Errorf("%s: axis %v does not fit predictions of shape %v", name, axis, pred.Shape())
		}
		seen[r] = true
		out = append(out, r)
	}
	return out, nil
}
