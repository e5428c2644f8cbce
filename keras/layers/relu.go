package layers

import (
	"fmt"
	"math"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// ReLULayer is Keras's ReLU layer: x where x > threshold (0 elsewhere), clipped to maxValue,
// minus negativeSlope·relu(threshold − x) below the threshold. ReLU(math.Inf(1), 0, 0) is the
// plain rectifier max(x, 0).
//
// # Input shape
//
// Any. # Output shape: the input's.
type ReLULayer struct {
	keras.LayerBase
	maxValue, negativeSlope, threshold float64
}

var _ keras.Layer = (*ReLULayer)(nil)

// ReLU returns Keras's ReLU layer. maxValue caps the output (math.Inf(1) for none, Keras's
// null); negativeSlope (≥ 0) scales the part below threshold (≥ 0), as Keras's
// ReLU(max_value, negative_slope, threshold). Options: Name, Trainable, DType.
func ReLU(maxValue, negativeSlope, threshold float64, opts ...Option) *ReLULayer {
	l := &ReLULayer{maxValue: maxValue, negativeSlope: negativeSlope, threshold: threshold}
	return l.made(newOptions(opts))
}

// reluKeys is ReLU's Keras config; max_value null is no cap.
var reluKeys = configKeys[ReLULayer]{
	noneFloatKey("max_value", func(l *ReLULayer) *float64 { return &l.maxValue }, math.Inf(1)),
	floatKey("negative_slope", func(l *ReLULayer) *float64 { return &l.negativeSlope }, 0),
	floatKey("threshold", func(l *ReLULayer) *float64 { return &l.threshold }, 0),
}

func init() {
	registerLayer("ReLU", reluKeys, func(l *ReLULayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its values as Keras's constructor does, given to ReLU or
// read from a saved config.
func (l *ReLULayer) made(o *options) *ReLULayer {
	initBase(&l.LayerBase, "ReLU", o)
	for _, v := range []struct {
		key string
		x   float64
	}{{"max_value", l.maxValue}, {"negative_slope", l.negativeSlope}, {"threshold", l.threshold}} {
		if !(v.x >= 0) || (v.key != "max_value" && math.IsInf(v.x, 1)) {
			l.SetErr(fmt.Errorf("%w: %s must be ≥ 0 and finite, got %v", keras.ErrInvalidArgument, v.key, v.x))
		}
	}
	return l
}

// Call applies the layer to x.
func (l *ReLULayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "ReLU".
func (l *ReLULayer) ClassName() string { return "ReLU" }

// SupportsMasking reports that a mask passes through unchanged.
func (l *ReLULayer) SupportsMasking() bool { return true }

// Build checks the input: the layer has no weights.
func (l *ReLULayer) Build(in []keras.Shape) error { return checkOneInput(in, 1) }

// OutputShapes returns the input shape.
func (l *ReLULayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 1); err != nil {
		return nil, err
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward follows Keras's relu step by step, so its gradients are those of JAX's: the
// thresholded part, the cap written as m − relu(m − y), then the negative part.
func (l *ReLULayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	x := in[0]
	capped := !math.IsInf(l.maxValue, 1)
	if l.negativeSlope != 0 && !capped && l.threshold == 0 {
		return o.Result(o.LeakyRelu(x, l.negativeSlope)) // Keras's leaky_relu shortcut
	}
	y := o.ThresholdedRelu(x, l.threshold)
	if capped {
		y = o.Shift(o.Neg(o.Relu(o.Shift(o.Neg(y), l.maxValue))), l.maxValue)
	}
	if l.negativeSlope != 0 {
		y = o.Sub(y, o.Scale(o.Relu(o.Shift(o.Neg(x), l.threshold)), l.negativeSlope))
	}
	return o.Result(y)
}

// Config returns Keras 3's ReLU config.
func (l *ReLULayer) Config() map[string]any { return reluKeys.config(l) }

// PaddingRole reports that each time step is computed on its own and the mask passes through,
// so batches of masked token ids may be bucketed (see keras.PaddingRole).
func (l *ReLULayer) PaddingRole() keras.PaddingRole { return keras.PaddingStepwise }
