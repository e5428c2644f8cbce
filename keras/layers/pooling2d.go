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
	l := &Pooling2DLayer{class: class}
	initBase(&l.LayerBase, class, o)
	var err error
	l.core, err = newPoolCore(2, avg, poolSize, o)
	l.SetErr(err)
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
	_, err := l.core.outputShape(in)
	return err
}

// OutputShapes returns (batch, new_height, new_width, channels).
func (l *Pooling2DLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	s, err := l.core.outputShape(in)
	if err != nil {
		return nil, err
	}
	return []keras.Shape{s}, nil
}

// Forward emits the pooling.
func (l *Pooling2DLayer) Forward(_ *keras.Context, in []*G.Node) ([]*G.Node, error) {
	y, err := l.core.forward(in[0])
	if err != nil {
		return nil, err
	}
	return []*G.Node{y}, nil
}

// Config returns Keras 3's pooling config: pool_size, strides, padding, data_format.
func (l *Pooling2DLayer) Config() map[string]any { return l.core.config() }

func init() {
	Register("MaxPooling2D", poolingFromConfig("MaxPooling2D", 2, MaxPooling2D))
	Register("AveragePooling2D", poolingFromConfig("AveragePooling2D", 2, AveragePooling2D))
}
