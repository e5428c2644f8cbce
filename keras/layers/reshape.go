package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// FlattenLayer flattens every dimension but the batch: (batch, d1, d2, ...) → (batch, d1·d2·...).
type FlattenLayer struct {
	keras.LayerBase
	format dataFormat // data_format.go
}

var _ keras.Layer = (*FlattenLayer)(nil)

// Flatten returns a Flatten layer.
func Flatten(opts ...Option) *FlattenLayer {
	l := &FlattenLayer{}
	return l.made(newOptions(opts))
}

// flattenKeys is Flatten's Keras config.
var flattenKeys = configKeys[FlattenLayer]{dataFormatKey(func(l *FlattenLayer) *dataFormat { return &l.format })}

// made names the layer, made by Flatten or read from a saved config.
func (l *FlattenLayer) made(o *options) *FlattenLayer {
	initBase(&l.LayerBase, "Flatten", o)
	l.SetErr(l.format.made(o))
	return l
}

// Call applies the layer to x.
func (l *FlattenLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "Flatten".
func (l *FlattenLayer) ClassName() string { return "Flatten" }

// buildLast, Build in the channels_last layout (data_format.go), does nothing: the layer has no
// weights.
func (l *FlattenLayer) buildLast(in []keras.Shape) error { return checkOneInput(in, 1) }

// outputShapesLast, OutputShapes in the channels_last layout (data_format.go), returns (batch,
// product of the other dimensions); None if one is unknown.
func (l *FlattenLayer) outputShapesLast(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 1); err != nil {
		return nil, err
	}
	rest := in[0][1:]
	n := rest.Size()
	if len(rest) == 0 {
		n = 1
	}
	return []keras.Shape{{in[0][0], n}}, nil
}

// forwardLast, Forward in the channels_last layout (data_format.go), reshapes x.
func (l *FlattenLayer) forwardLast(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	return o.Result(o.Flatten(in[0]))
}

// Config returns Keras 3's Flatten config.
func (l *FlattenLayer) Config() map[string]any { return flattenKeys.config(l) }

// ReshapeLayer reshapes its input to a target shape (batch dimension excluded); one
// dimension may be -1 and is then inferred.
type ReshapeLayer struct {
	keras.LayerBase
	target keras.Shape
}

var _ keras.Layer = (*ReshapeLayer)(nil)

// Reshape returns a layer that reshapes its input to targetShape (batch excluded).
func Reshape(targetShape keras.Shape, opts ...Option) *ReshapeLayer {
	l := &ReshapeLayer{target: targetShape.Clone()}
	return l.made(newOptions(opts))
}

// reshapeKeys is Reshape's Keras config.
var reshapeKeys = configKeys[ReshapeLayer]{
	intsKey("target_shape", func(l *ReshapeLayer) *[]int { return (*[]int)(&l.target) }).req(),
}

// made names the layer and checks its target shape, given to Reshape or read from a saved
// config.
func (l *ReshapeLayer) made(o *options) *ReshapeLayer {
	initBase(&l.LayerBase, "Reshape", o)
	unknown := 0
	for _, d := range l.target {
		if d == -1 {
			unknown++
		} else if d <= 0 {
			l.SetErr(keras.ShapeError("target shape %v: dimensions must be positive or -1", l.target))
		}
	}
	if unknown > 1 {
		l.SetErr(keras.ShapeError("target shape %v: at most one dimension may be -1", l.target))
	}
	return l
}

// Call applies the layer to x.
func (l *ReshapeLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "Reshape".
func (l *ReshapeLayer) ClassName() string { return "Reshape" }

// Build does nothing: the layer has no weights.
func (l *ReshapeLayer) Build(in []keras.Shape) error { return checkOneInput(in, 1) }

// resolve returns the target shape for size elements per sample (-1 when unknown).
func (l *ReshapeLayer) resolve(size int) (keras.Shape, error) {
	out := l.target.Clone()
	known := 1
	free := -1
	for i, d := range out {
		if d == -1 {
			free = i
		} else {
			known *= d
		}
	}
	if size < 0 {
		return out, nil
	}
	if free >= 0 {
		if size%known != 0 {
			return nil, keras.ShapeError("cannot reshape %d values per sample into %v", size, l.target)
		}
		out[free] = size / known
	} else if known != size {
		return nil, keras.ShapeError("cannot reshape %d values per sample into %v (%d values)", size, l.target, known)
	}
	return out, nil
}

// OutputShapes returns (batch, target...).
func (l *ReshapeLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 1); err != nil {
		return nil, err
	}
	t, err := l.resolve(in[0][1:].Size())
	if err != nil {
		return nil, fmt.Errorf("input shape %v: %w", in[0], err)
	}
	return []keras.Shape{append(keras.Shape{in[0][0]}, t...)}, nil
}

// Forward reshapes x.
func (l *ReshapeLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	s := in[0].Shape()
	t, err := l.resolve(s.TotalSize() / s[0])
	o.Fail(err)
	return o.Result(o.Reshape(in[0], append([]int{s[0]}, t...)...))
}

// Config returns Keras 3's Reshape config.
func (l *ReshapeLayer) Config() map[string]any { return reshapeKeys.config(l) }

func init() {
	registerLayer("Flatten", flattenKeys, func(l *FlattenLayer, o *options) keras.Layer { return l.made(o) })
	registerLayer("Reshape", reshapeKeys, func(l *ReshapeLayer, o *options) keras.Layer { return l.made(o) })
}

// Build checks the input, its channel axis moved last when data_format is channels_first
// (data_format.go).
func (l *FlattenLayer) Build(in []keras.Shape) error { return l.format.build(in, l.buildLast) }

// OutputShapes returns the output shape, its channel axis at position 1 when data_format is
// channels_first.
func (l *FlattenLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return l.format.outputShapes(in, l.outputShapesLast)
}

// Forward emits the layer, through the channels_last layout when data_format is
// channels_first.
func (l *FlattenLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	return l.format.forward(in, func(in []*G.Node) ([]*G.Node, error) { return l.forwardLast(ctx, in) })
}
