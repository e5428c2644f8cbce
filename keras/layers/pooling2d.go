package layers

import (
	"github.com/kerago/kerago/keras"
	G "gorgonia.org/gorgonia"
)

// Pooling2DLayer is MaxPooling2D or AveragePooling2D: the maximum or the mean of each
// pool_size×pool_size window, per channel, moved by strides. It has no weights.
//
// With "same" padding each axis is padded as for [MaxPooling1D], half before and the rest
// (one more when odd) after: a max ignores the padding (Keras pads with -inf) and an average
// divides by the number of real positions in the window.
//
// # Input shape
//
// (batch, height, width, channels). Height and width may be unknown (None).
//
// # Output shape
//
// (batch, new_height, new_width, channels), each size computed as for [MaxPooling1D].
type Pooling2DLayer struct {
	keras.LayerBase
	class string
	core  poolCore
}

var _ keras.Layer = (*Pooling2DLayer)(nil)

func newPooling2D(class string, avg bool, poolSize int, opts []PoolingOption) *Pooling2DLayer {
	o := newOptions(opts)
	l := &Pooling2DLayer{core: poolCore{poolSize: []int{poolSize}, strides: o.strides, padding: o.padding}}
	return l.made(class, avg, o)
}

// pooling2DKeys is the Keras config of MaxPooling2D and AveragePooling2D: Config writes it and
// LoadModel reads it back.
var pooling2DKeys = poolingKeys(func(l *Pooling2DLayer) *poolCore { return &l.core })

func init() {
	registerLayer("MaxPooling2D", pooling2DKeys, func(l *Pooling2DLayer, o *options) keras.Layer { return l.made("MaxPooling2D", false, o) })
	registerLayer("AveragePooling2D", pooling2DKeys, func(l *Pooling2DLayer, o *options) keras.Layer { return l.made("AveragePooling2D", true, o) })
}

// made names the layer and checks its values, given to its constructor or read from a saved
// config.
func (l *Pooling2DLayer) made(class string, avg bool, o *options) *Pooling2DLayer {
	l.class = class
	initBase(&l.LayerBase, class, o)
	l.SetErr(l.core.check(2, avg))
	l.SetErr(l.core.format.made(o))
	return l
}

// MaxPooling2D returns a layer taking the maximum over poolSize×poolSize windows (Keras's
// default pool size is 2). Options: Strides (default: poolSize; one value or one per axis),
// Padding ("valid" or "same"), Name.
func MaxPooling2D(poolSize int, opts ...PoolingOption) *Pooling2DLayer {
	return newPooling2D("MaxPooling2D", false, poolSize, opts)
}

// AveragePooling2D returns a layer averaging poolSize×poolSize windows. Options as for
// [MaxPooling2D].
func AveragePooling2D(poolSize int, opts ...PoolingOption) *Pooling2DLayer {
	return newPooling2D("AveragePooling2D", true, poolSize, opts)
}

// Call applies the layer to x.
func (l *Pooling2DLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "MaxPooling2D" or "AveragePooling2D".
func (l *Pooling2DLayer) ClassName() string { return l.class }

// Build checks the input: the layer has no weights.
func (l *Pooling2DLayer) Build(in []keras.Shape) error {
	return l.core.format.build(in, func(in []keras.Shape) error {
		_, err := l.core.outputShape(in)
		return err
	})
}

// OutputShapes returns (batch, new_height, new_width, channels).
func (l *Pooling2DLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return l.core.format.outputShapes(in, func(in []keras.Shape) ([]keras.Shape, error) {
		s, err := l.core.outputShape(in)
		if err != nil {
			return nil, err
		}
		return []keras.Shape{s}, nil
	})
}

// Forward emits the pooling.
func (l *Pooling2DLayer) Forward(_ *keras.Context, in []*G.Node) ([]*G.Node, error) {
	return l.core.format.forward(in, func(in []*G.Node) ([]*G.Node, error) {
		y, err := l.core.forward(in[0])
		if err != nil {
			return nil, err
		}
		return []*G.Node{y}, nil
	})
}

// Config returns Keras 3's pooling config: pool_size, strides, padding, data_format.
func (l *Pooling2DLayer) Config() map[string]any { return pooling2DKeys.config(l) }
