package layers

import (
	"fmt"
	"math"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// ActivityRegularizationLayer passes its input through and adds a penalty on it to the
// total loss, as Keras's ActivityRegularization: (l1·Σ|x| + l2·Σx²) / batch size, the batch
// division being Keras 3's (Layer.__call__ normalises an activity regularizer's loss by the
// output's first dimension). The penalty counts in the "loss" Fit and Evaluate log, as in
// Keras, and its gradient reaches the layers before it (keras.Context.AddLoss).
//
// # Input shape
//
// Any. # Output shape: the input's.
type ActivityRegularizationLayer struct {
	keras.LayerBase
	l1, l2 float64
}

var _ keras.Layer = (*ActivityRegularizationLayer)(nil)

// ActivityRegularization returns a layer adding l1·Σ|x| + l2·Σx², divided by the batch
// size, to the loss (Keras's defaults are 0 and 0). Options: Name, Trainable, DType.
func ActivityRegularization(l1, l2 float64, opts ...Option) *ActivityRegularizationLayer {
	l := &ActivityRegularizationLayer{l1: l1, l2: l2}
	return l.made(newOptions(opts))
}

// activityRegularizationKeys is ActivityRegularization's Keras config (Keras drops the
// activity_regularizer key its base class would write).
var activityRegularizationKeys = configKeys[ActivityRegularizationLayer]{
	floatKey("l1", func(l *ActivityRegularizationLayer) *float64 { return &l.l1 }, 0),
	floatKey("l2", func(l *ActivityRegularizationLayer) *float64 { return &l.l2 }, 0),
}

func init() {
	registerLayer("ActivityRegularization", activityRegularizationKeys, func(l *ActivityRegularizationLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks the factors, given to ActivityRegularization or read from
// a saved config.
func (l *ActivityRegularizationLayer) made(o *options) *ActivityRegularizationLayer {
	initBase(&l.LayerBase, "ActivityRegularization", o)
	for _, v := range []struct {
		key string
		x   float64
	}{{"l1", l.l1}, {"l2", l.l2}} {
		if math.IsNaN(v.x) || math.IsInf(v.x, 0) || v.x < 0 {
			l.SetErr(fmt.Errorf("%w: %s must be a finite number ≥ 0, got %v", keras.ErrInvalidArgument, v.key, v.x))
		}
	}
	return l
}

// Call applies the layer to x.
func (l *ActivityRegularizationLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "ActivityRegularization".
func (l *ActivityRegularizationLayer) ClassName() string { return "ActivityRegularization" }

// SupportsMasking reports that a mask passes through unchanged, as in Keras.
func (l *ActivityRegularizationLayer) SupportsMasking() bool { return true }

// Build checks the input: the layer has no weights.
func (l *ActivityRegularizationLayer) Build(in []keras.Shape) error { return checkOneInput(in, 1) }

// OutputShapes returns the input shape.
func (l *ActivityRegularizationLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 1); err != nil {
		return nil, err
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward adds the penalty to the realisation's loss and returns the input node itself.
func (l *ActivityRegularizationLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	x := in[0]
	if l.l1 != 0 || l.l2 != 0 {
		o.AddLoss(o.Scale(o.L1L2(x, l.l1, l.l2), 1/float64(x.Shape()[0])))
	}
	if err := o.Err(); err != nil {
		return nil, err
	}
	return in[:1], nil
}

// Config returns Keras 3's ActivityRegularization config.
func (l *ActivityRegularizationLayer) Config() map[string]any {
	return activityRegularizationKeys.config(l)
}
