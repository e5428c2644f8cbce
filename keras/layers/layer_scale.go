package layers

import (
	"fmt"
	"math"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// LayerScaleLayer multiplies its input by a learned vector along the last axis, as the
// LayerScale layer of Keras's ConvNeXt application (keras.src.applications.convnext): the
// vector, of size projectionDim, starts at initValues (ConvNeXt uses 1e-6) everywhere.
//
// # Input shape
//
// Any rank ≥ 2 whose last axis is projectionDim. # Output shape: the input's.
type LayerScaleLayer struct {
	keras.LayerBase
	initValues    float64
	projectionDim int
	gamma         *keras.Variable
}

var _ keras.Layer = (*LayerScaleLayer)(nil)

// LayerScale returns ConvNeXt's layer scale: x·gamma, gamma of size projectionDim, each entry
// initValues at the start. Options: Name, Trainable, DType.
func LayerScale(initValues float64, projectionDim int, opts ...Option) *LayerScaleLayer {
	l := &LayerScaleLayer{initValues: initValues, projectionDim: projectionDim}
	return l.made(newOptions(opts))
}

// layerScaleKeys is LayerScale's Keras config; Keras requires both keys.
var layerScaleKeys = configKeys[LayerScaleLayer]{
	floatKey("init_values", func(l *LayerScaleLayer) *float64 { return &l.initValues }, 0).req(),
	intKey("projection_dim", func(l *LayerScaleLayer) *int { return &l.projectionDim }, 0).req(),
}

func init() {
	registerLayer("LayerScale", layerScaleKeys, func(l *LayerScaleLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its values, given to LayerScale or read from a saved config.
func (l *LayerScaleLayer) made(o *options) *LayerScaleLayer {
	initBase(&l.LayerBase, "LayerScale", o)
	if math.IsNaN(l.initValues) || math.IsInf(l.initValues, 0) {
		l.SetErr(fmt.Errorf("%w: init_values must be finite, got %v", keras.ErrInvalidArgument, l.initValues))
	}
	if l.projectionDim < 1 {
		l.SetErr(fmt.Errorf("%w: projection_dim must be ≥ 1, got %d", keras.ErrInvalidArgument, l.projectionDim))
	}
	return l
}

// KerasModule returns the module Keras defines LayerScale in, which its loader needs.
func (l *LayerScaleLayer) KerasModule() (string, string) {
	return "keras.src.applications.convnext", "LayerScale"
}

// Call applies the layer to x.
func (l *LayerScaleLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "LayerScale".
func (l *LayerScaleLayer) ClassName() string { return "LayerScale" }

// check refuses an input whose last axis is not projectionDim.
func (l *LayerScaleLayer) check(in []keras.Shape) error {
	if err := checkOneInput(in, 2); err != nil {
		return err
	}
	if d := in[0][in[0].Rank()-1]; d != l.projectionDim {
		return keras.ShapeError("the last axis of input shape %v must be projection_dim %d", in[0], l.projectionDim)
	}
	return nil
}

// Build creates gamma, named "variable" as Keras's add_weight names an unnamed weight.
func (l *LayerScaleLayer) Build(in []keras.Shape) error {
	if err := l.check(in); err != nil {
		return err
	}
	var err error
	l.gamma, err = l.AddWeightInit("variable", keras.Shape{l.projectionDim}, initializers.Constant(l.initValues), true)
	return err
}

// OutputShapes returns the input shape.
func (l *LayerScaleLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := l.check(in); err != nil {
		return nil, err
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward computes x·gamma, gamma repeated over the leading axes.
func (l *LayerScaleLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	return o.Result(o.Mul(in[0], o.Var(l.gamma)))
}

// Config returns Keras 3's LayerScale config.
func (l *LayerScaleLayer) Config() map[string]any { return layerScaleKeys.config(l) }
