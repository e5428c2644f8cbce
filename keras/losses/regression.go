package losses

import (
	"fmt"
	"math"

	"github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
)

// MeanSquaredError is Keras's "mse": mean((pred - y)²).
type MeanSquaredError struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
}

// Name returns "mean_squared_error".
func (MeanSquaredError) Name() string { return "mean_squared_error" }

// Build returns mean((pred - y)²).
func (l MeanSquaredError) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	sq, err := squaredErrors(y, pred)
	if err != nil {
		return nil, err
	}
	return meanAll(sq)
}

// squaredErrors is (pred - y)², value by value: MeanSquaredError before its mean, over
// everything (Build) or over the last axis (Weighted). One op (internal/ops SquaredError)
// with the arithmetic of Gorgonia's Sub and Square and their gradients, bit for bit.
func squaredErrors(y, pred *G.Node) (*G.Node, error) {
	return ops.SquaredError(pred, y)
}

// MeanAbsoluteError is Keras's "mae": mean(|pred - y|).
type MeanAbsoluteError struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
}

// Name returns "mean_absolute_error".
func (MeanAbsoluteError) Name() string { return "mean_absolute_error" }

// Build returns mean(|pred - y|).
func (l MeanAbsoluteError) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	a, err := absoluteErrors(y, pred)
	if err != nil {
		return nil, err
	}
	return meanAll(a)
}

// absoluteErrors is |pred - y|, value by value: MeanAbsoluteError before its mean.
func absoluteErrors(y, pred *G.Node) (*G.Node, error) {
	d, err := G.Sub(pred, y)
	if err != nil {
		return nil, err
	}
	return G.Abs(d)
}

// MeanAbsolutePercentageError is Keras's "mape": 100·mean(|y - pred| / max(|y|, Epsilon)).
type MeanAbsolutePercentageError struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
}

// Name returns "mean_absolute_percentage_error".
func (MeanAbsolutePercentageError) Name() string { return "mean_absolute_percentage_error" }

// Build returns 100·mean(|y - pred| / max(|y|, Epsilon)).
func (l MeanAbsolutePercentageError) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	var e expr
	return e.scale(e.mean(l.elementwise(&e, y, pred)), 100), e.err
}

// elementwise is |y - pred| / max(|y|, Epsilon), value by value: Build before its mean and
// its factor 100.
func (MeanAbsolutePercentageError) elementwise(e *expr, y, pred *G.Node) *G.Node {
	return e.div(e.abs(e.sub(y, pred)), e.maxConst(e.abs(y), Epsilon))
}

// perSample is the percentage error averaged over the last axis.
func (l MeanAbsolutePercentageError) perSample(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	var e expr
	return e.scale(meanLast(&e, l.elementwise(&e, y, pred)), 100), e.err
}

// MeanSquaredLogarithmicError is Keras's "msle": mean((log(max(pred, ε)+1) - log(max(y, ε)+1))²)
// with ε = Epsilon.
type MeanSquaredLogarithmicError struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
}

// Name returns "mean_squared_logarithmic_error".
func (MeanSquaredLogarithmicError) Name() string { return "mean_squared_logarithmic_error" }

// Build returns the mean squared logarithmic error.
func (l MeanSquaredLogarithmicError) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	var e expr
	return e.mean(l.elementwise(&e, y, pred)), e.err
}

// elementwise is the squared logarithmic error of each value: Build before its mean.
func (MeanSquaredLogarithmicError) elementwise(e *expr, y, pred *G.Node) *G.Node {
	a := e.log(e.shift(e.maxConst(pred, Epsilon), 1))
	b := e.log(e.shift(e.maxConst(y, Epsilon), 1))
	return e.square(e.sub(a, b))
}

// perSample is the squared logarithmic error averaged over the last axis.
func (l MeanSquaredLogarithmicError) perSample(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	var e expr
	return meanLast(&e, l.elementwise(&e, y, pred)), e.err
}

// Huber is Keras's "huber": per element ½d² where |d| ≤ δ and δ·|d| - ½δ² beyond, for
// d = pred - y, averaged.
//
// The zero value is Keras's default Huber() (δ = 1).
type Huber struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
	// Delta is the point δ > 0 where the loss turns from quadratic to linear (Keras's delta;
	// default 1, which the zero value means).
	Delta float64
}

// Name returns "huber".
func (Huber) Name() string { return "huber" }

// delta is δ, 1 for the zero value.
func (l Huber) delta() float64 {
	if l.Delta == 0 {
		return 1
	}
	return l.Delta
}

// Validate reports a negative or non-finite delta.
func (l Huber) Validate() error {
	if d := l.delta(); !(d > 0) || math.IsInf(d, 0) {
		return fmt.Errorf("%s: delta %v must be positive", l.Name(), l.Delta)
	}
	return nil
}

// Build returns the Huber loss, written as ½a² + δ·(|d| - a) with a = min(|d|, δ): the same
// values and gradients as Keras's where(), from element-wise ops alone.
func (l Huber) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	per, err := l.elementwise(y, pred)
	if err != nil {
		return nil, err
	}
	return G.Mean(per)
}

// elementwise is the Huber loss of each value: Build before its mean, over everything (Build)
// or over the last axis (Weighted).
func (l Huber) elementwise(y, pred *G.Node) (*G.Node, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	δ := l.delta()
	var e expr
	ad := e.abs(e.sub(pred, y))
	a := e.minConst(ad, δ)
	return e.add(e.scale(e.square(a), 0.5), e.scale(e.sub(ad, a), δ)), e.err
}

// LogCosh is Keras's "log_cosh": mean(log(cosh(pred - y))), computed as
// x + softplus(-2x) - log 2, which stays finite for large x.
type LogCosh struct {
	// Reduction is Keras's reduction argument; the zero value is SumOverBatchSize.
	Reduction
}

// Name returns "log_cosh".
func (LogCosh) Name() string { return "log_cosh" }

// Build returns the mean log-cosh error.
func (l LogCosh) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	var e expr
	return e.mean(l.elementwise(&e, y, pred)), e.err
}

// elementwise is the log-cosh of each error: Build before its mean.
func (LogCosh) elementwise(e *expr, y, pred *G.Node) *G.Node {
	x := e.sub(pred, y)
	return e.shift(e.add(x, e.softplus(e.scale(x, -2))), -math.Ln2)
}

// perSample is the log-cosh error averaged over the last axis.
func (l LogCosh) perSample(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	var e expr
	return meanLast(&e, l.elementwise(&e, y, pred)), e.err
}
