package layers

import (
	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// unitNormEpsilon is Keras's floor on the norm (ops.normalize's epsilon, 1e-12): a row of
// zeros stays zeros instead of becoming NaN.
const unitNormEpsilon = 1e-12

// UnitNormalizationLayer scales each row of its last axis to unit L2 norm, as Keras's
// UnitNormalization.
//
// # Input shape
//
// Any of rank ≥ 2. # Output shape: the input's.
type UnitNormalizationLayer struct {
	keras.LayerBase
	axis int
}

var _ keras.Layer = (*UnitNormalizationLayer)(nil)

// UnitNormalization returns a layer normalising along the last axis (Keras's axis=-1, the
// only one supported). Options: Name, Trainable, DType.
func UnitNormalization(opts ...Option) *UnitNormalizationLayer {
	l := &UnitNormalizationLayer{axis: -1}
	return l.made(newOptions(opts))
}

// unitNormalizationKeys is UnitNormalization's Keras config.
var unitNormalizationKeys = configKeys[UnitNormalizationLayer]{
	intKey("axis", func(l *UnitNormalizationLayer) *int { return &l.axis }, -1),
}

func init() {
	registerLayer("UnitNormalization", unitNormalizationKeys, func(l *UnitNormalizationLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer, given to UnitNormalization or read from a saved config; the axis is
// checked against the input in Build.
func (l *UnitNormalizationLayer) made(o *options) *UnitNormalizationLayer {
	initBase(&l.LayerBase, "UnitNormalization", o)
	return l
}

// Call applies the layer to x.
func (l *UnitNormalizationLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "UnitNormalization".
func (l *UnitNormalizationLayer) ClassName() string { return "UnitNormalization" }

// SupportsMasking reports that a mask passes through unchanged.
func (l *UnitNormalizationLayer) SupportsMasking() bool { return true }

// Build checks the input and the axis (-1, or the last axis counted from the batch's 0).
func (l *UnitNormalizationLayer) Build(in []keras.Shape) error { return checkLastAxis(in, l.axis) }

// checkLastAxis checks one input of rank ≥ 2 with a known last dimension, and that axis is
// its last.
func checkLastAxis(in []keras.Shape, axis int) error {
	if err := checkOneInput(in, 2); err != nil {
		return err
	}
	if axis != -1 && axis != in[0].Rank()-1 {
		return keras.ShapeError("axis %d is not supported for input shape %v: only the last axis (-1)", axis, in[0])
	}
	if in[0].Last() < 0 {
		return keras.ShapeError("the last dimension of the input must be known, got %v", in[0])
	}
	return nil
}

// OutputShapes returns the input shape.
func (l *UnitNormalizationLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := l.Build(in); err != nil {
		return nil, err
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward divides x by max(‖x‖, 1e-12), Keras's min(rsqrt(Σx²), 1e12) factor; the floor is
// written ε² + relu(Σx² − ε²), since the kit's Maximum takes no scalar.
func (l *UnitNormalizationLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	x := in[0]
	n := x.Shape()[x.Dims()-1]
	const floor = unitNormEpsilon * unitNormEpsilon
	sq := o.Shift(o.Relu(o.Shift(o.SumLast(o.Mul(x, x)), -floor)), floor)
	return o.Result(o.Div(x, o.BroadcastLast(o.Sqrt(sq), n)))
}

// Config returns Keras 3's UnitNormalization config.
func (l *UnitNormalizationLayer) Config() map[string]any { return unitNormalizationKeys.config(l) }
