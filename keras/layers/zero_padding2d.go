package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
)

// ZeroPadding2DLayer adds rows and columns of zeros around channels-last images. It has no
// weights.
//
// # Input shape
//
// (batch, height, width, channels).
//
// # Output shape
//
// (batch, height + top + bottom, width + left + right, channels); unknown sizes stay None.
type ZeroPadding2DLayer struct {
	keras.LayerBase
	format                   dataFormat // data_format.go
	top, bottom, left, right int
}

var _ keras.Layer = (*ZeroPadding2DLayer)(nil)

// ZeroPadding2D returns a layer adding padding rows of zeros at the top and the bottom and
// padding columns at the left and the right: Keras's ZeroPadding2D(padding) with an int
// (Keras's default is 1). [ZeroPadding2DSides] takes Keras's ((top, bottom), (left, right))
// form. Options: Name.
func ZeroPadding2D(padding int, opts ...Option) *ZeroPadding2DLayer {
	return ZeroPadding2DSides(padding, padding, padding, padding, opts...)
}

// ZeroPadding2DSides returns a ZeroPadding2D layer with its own padding on each side: Keras's
// ZeroPadding2D(((top, bottom), (left, right))). Keras's symmetric (height, width) form is
// ZeroPadding2DSides(h, h, w, w). Options: Name.
func ZeroPadding2DSides(top, bottom, left, right int, opts ...Option) *ZeroPadding2DLayer {
	l := &ZeroPadding2DLayer{top: top, bottom: bottom, left: left, right: right}
	return l.made(newOptions(opts))
}

// made names the layer and checks its padding, given to its constructor or read from a saved
// config.
func (l *ZeroPadding2DLayer) made(o *options) *ZeroPadding2DLayer {
	initBase(&l.LayerBase, "ZeroPadding2D", o)
	l.SetErr(l.format.made(o))
	if l.top < 0 || l.bottom < 0 || l.left < 0 || l.right < 0 {
		l.SetErr(fmt.Errorf("%w: padding must be non-negative, got ((%d, %d), (%d, %d))", keras.ErrInvalidArgument, l.top, l.bottom, l.left, l.right))
	}
	return l
}

// zeroPadding2DKeys is ZeroPadding2D's Keras config. Keras writes padding as ((top, bottom),
// (left, right)) and reads an int, a (height, width) pair or that form.
var zeroPadding2DKeys = configKeys[ZeroPadding2DLayer]{
	{name: "padding",
		write: func(l *ZeroPadding2DLayer) any { return [][]int{{l.top, l.bottom}, {l.left, l.right}} },
		read:  readPadding2D,
		unset: func(l *ZeroPadding2DLayer) { l.top, l.bottom, l.left, l.right = 1, 1, 1, 1 }},
	dataFormatKey(func(l *ZeroPadding2DLayer) *dataFormat { return &l.format }),
}

func init() {
	registerLayer("ZeroPadding2D", zeroPadding2DKeys, func(l *ZeroPadding2DLayer, o *options) keras.Layer { return l.made(o) })
}

// readPadding2D reads the three forms of a saved padding, each side bounded by
// MaxConfigWindow.
func readPadding2D(r *configReader, key string, l *ZeroPadding2DLayer) {
	switch p := r.cfg[key].(type) {
	case float64:
		n := r.int(key, 1, false)
		l.top, l.bottom, l.left, l.right = n, n, n, n
	case []any:
		if len(p) != 2 {
			r.fail("padding %v: want ((top, bottom), (left, right))", p)
			return
		}
		hv, hok := p[0].([]any)
		wv, wok := p[1].([]any)
		switch {
		case hok && wok && len(hv) == 2 && len(wv) == 2:
			l.top, l.bottom = r.toInt(key, hv[0]), r.toInt(key, hv[1])
			l.left, l.right = r.toInt(key, wv[0]), r.toInt(key, wv[1])
		case !hok && !wok:
			l.top, l.left = r.toInt(key, p[0]), r.toInt(key, p[1])
			l.bottom, l.right = l.top, l.left
		default:
			r.fail("padding %v: want ((top, bottom), (left, right))", p)
		}
	default:
		r.fail("padding is %T", p)
	}
}

// Call applies the layer to x.
func (l *ZeroPadding2DLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "ZeroPadding2D".
func (l *ZeroPadding2DLayer) ClassName() string { return "ZeroPadding2D" }

// buildLast, Build in the channels_last layout (data_format.go), checks the input: the layer has
// no weights.
func (l *ZeroPadding2DLayer) buildLast(in []keras.Shape) error {
	return checkRank(in, 4, layoutOf(2))
}

// outputShapesLast, OutputShapes in the channels_last layout (data_format.go), grows height and
// width by the padding.
func (l *ZeroPadding2DLayer) outputShapesLast(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkRank(in, 4, layoutOf(2)); err != nil {
		return nil, err
	}
	out := in[0].Clone()
	if out[1] >= 0 {
		out[1] += l.top + l.bottom
	}
	if out[2] >= 0 {
		out[2] += l.left + l.right
	}
	return []keras.Shape{out}, nil
}

// forwardLast, Forward in the channels_last layout (data_format.go), emits the padding.
func (l *ZeroPadding2DLayer) forwardLast(_ *keras.Context, in []*G.Node) ([]*G.Node, error) {
	if in[0].Dims() != 4 {
		return nil, keras.ShapeError("expects an input of rank 4 %s, got shape %v", layoutOf(2), in[0].Shape())
	}
	if l.top+l.bottom+l.left+l.right == 0 {
		return in, nil
	}
	y, err := internalops.Pad2D(in[0], l.top, l.bottom, l.left, l.right)
	if err != nil {
		return nil, err
	}
	return []*G.Node{y}, nil
}

// Config returns Keras 3's ZeroPadding2D config: padding ((top, bottom), (left, right)) and
// data_format.
func (l *ZeroPadding2DLayer) Config() map[string]any { return zeroPadding2DKeys.config(l) }

// Build checks the input, its channel axis moved last when data_format is channels_first
// (data_format.go).
func (l *ZeroPadding2DLayer) Build(in []keras.Shape) error { return l.format.build(in, l.buildLast) }

// OutputShapes returns the output shape, its channel axis at position 1 when data_format is
// channels_first.
func (l *ZeroPadding2DLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return l.format.outputShapes(in, l.outputShapesLast)
}

// Forward emits the layer, through the channels_last layout when data_format is
// channels_first.
func (l *ZeroPadding2DLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	return l.format.forward(in, func(in []*G.Node) ([]*G.Node, error) { return l.forwardLast(ctx, in) })
}
