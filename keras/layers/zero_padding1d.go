package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// ZeroPadding1DLayer adds steps of zeros at both ends of a sequence, as Keras's
// ZeroPadding1D.
//
// # Input shape
//
// (batch, steps, channels). # Output shape: (batch, steps + left + right, channels); an
// unknown length stays None.
type ZeroPadding1DLayer struct {
	keras.LayerBase
	format      dataFormat // data_format.go
	left, right int
}

var _ keras.Layer = (*ZeroPadding1DLayer)(nil)

// ZeroPadding1D returns a layer adding left steps of zeros before a sequence and right after
// it, as Keras's ZeroPadding1D((left, right)); ZeroPadding1D(n, n) is Keras's
// ZeroPadding1D(n) (its default n is 1). Options: Name, Trainable, DType.
func ZeroPadding1D(left, right int, opts ...Option) *ZeroPadding1DLayer {
	l := &ZeroPadding1DLayer{left: left, right: right}
	return l.made(newOptions(opts))
}

// zeroPadding1DKeys is ZeroPadding1D's Keras config: padding is (left, right); a saved integer
// serves both.
var zeroPadding1DKeys = configKeys[ZeroPadding1DLayer]{
	{name: "padding",
		write: func(l *ZeroPadding1DLayer) any { return []any{l.left, l.right} },
		read: func(r *configReader, key string, l *ZeroPadding1DLayer) {
			p := readPair(r, key, r.cfg[key])
			l.left, l.right = p[0], p[1]
		},
		unset: func(l *ZeroPadding1DLayer) { l.left, l.right = 1, 1 }},
	dataFormatKey(func(l *ZeroPadding1DLayer) *dataFormat { return &l.format }),
}

func init() {
	registerLayer("ZeroPadding1D", zeroPadding1DKeys, func(l *ZeroPadding1DLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its padding, given to ZeroPadding1D or read from a saved
// config.
func (l *ZeroPadding1DLayer) made(o *options) *ZeroPadding1DLayer {
	initBase(&l.LayerBase, "ZeroPadding1D", o)
	l.SetErr(l.format.made(o))
	if l.left < 0 || l.right < 0 {
		l.SetErr(fmt.Errorf("%w: padding must be non-negative, got (%d, %d)", keras.ErrInvalidArgument, l.left, l.right))
	}
	return l
}

// Call applies the layer to x.
func (l *ZeroPadding1DLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "ZeroPadding1D".
func (l *ZeroPadding1DLayer) ClassName() string { return "ZeroPadding1D" }

// buildLast, Build in the channels_last layout (data_format.go), checks the input: the layer has
// no weights.
func (l *ZeroPadding1DLayer) buildLast(in []keras.Shape) error {
	return checkRank(in, 3, layoutOf(1))
}

// outputShapesLast, OutputShapes in the channels_last layout (data_format.go), lengthens the steps
// by the padding.
func (l *ZeroPadding1DLayer) outputShapesLast(in []keras.Shape) ([]keras.Shape, error) {
	if err := l.buildLast(in); err != nil {
		return nil, err
	}
	out := in[0].Clone()
	if out[1] >= 0 {
		out[1] += l.left + l.right
	}
	return []keras.Shape{out}, nil
}

// forwardLast, Forward in the channels_last layout (data_format.go), pads the sequence as an image
// one column wide, with the 2-D padding op.
func (l *ZeroPadding1DLayer) forwardLast(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	if l.left+l.right == 0 {
		return in[:1], nil
	}
	o := ops.New(ctx)
	s := in[0].Shape()
	x := o.Reshape(in[0], s[0], s[1], 1, s[2])
	if x == nil {
		return o.Result(x)
	}
	y, err := internalops.Pad2D(x, l.left, l.right, 0, 0)
	if err != nil {
		o.Fail(err)
		return o.Result(nil)
	}
	return o.Result(o.Reshape(y, s[0], s[1]+l.left+l.right, s[2]))
}

// Config returns Keras 3's ZeroPadding1D config.
func (l *ZeroPadding1DLayer) Config() map[string]any { return zeroPadding1DKeys.config(l) }

// Build checks the input, its channel axis moved last when data_format is channels_first
// (data_format.go).
func (l *ZeroPadding1DLayer) Build(in []keras.Shape) error { return l.format.build(in, l.buildLast) }

// OutputShapes returns the output shape, its channel axis at position 1 when data_format is
// channels_first.
func (l *ZeroPadding1DLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return l.format.outputShapes(in, l.outputShapesLast)
}

// Forward emits the layer, through the channels_last layout when data_format is
// channels_first.
func (l *ZeroPadding1DLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	return l.format.forward(in, func(in []*G.Node) ([]*G.Node, error) { return l.forwardLast(ctx, in) })
}
