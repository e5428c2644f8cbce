package layers

import (
	"github.com/kerago/kerago/keras"
	G "gorgonia.org/gorgonia"
)

// Pooling1DLayer is MaxPooling1D or AveragePooling1D: the maximum or the mean of each window
// of pool_size steps, per channel, moved by strides steps. It has no weights.
//
// With "same" padding, max((out-1)·strides + pool_size - steps, 0) positions are padded,
// half before the first step and the rest (one more when odd) after the last, as Keras
// (TensorFlow, JAX) does: a max ignores the padding (Keras pads with -inf) and an average
// divides by the number of real steps in the window.
//
// # Input shape
//
// (batch, steps, channels). The number of steps may be unknown (None).
//
// # Output shape
//
// (batch, new_steps, channels): floor((steps - pool_size) / strides) + 1 with "valid"
// padding, ceil(steps / strides) with "same"; None when steps is None.
type Pooling1DLayer struct {
	keras.LayerBase
	class string
	core  poolCore
}

var _ keras.Layer = (*Pooling1DLayer)(nil)

func newPooling1D(class string, avg bool, poolSize int, opts []PoolingOption) *Pooling1DLayer {
	o := newOptions(opts)
	l := &Pooling1DLayer{core: poolCore{poolSize: []int{poolSize}, strides: o.strides, padding: o.padding}}
	return l.made(class, avg, o)
}

// pooling1DKeys is the Keras config of MaxPooling1D and AveragePooling1D: Config writes it and
// LoadModel reads it back.
var pooling1DKeys = poolingKeys(func(l *Pooling1DLayer) *poolCore { return &l.core })

func init() {
	registerLayer("MaxPooling1D", pooling1DKeys, func(l *Pooling1DLayer, o *options) keras.Layer { return l.made("MaxPooling1D", false, o) })
	registerLayer("AveragePooling1D", pooling1DKeys, func(l *Pooling1DLayer, o *options) keras.Layer { return l.made("AveragePooling1D", true, o) })
}

// made names the layer and checks its values, given to its constructor or read from a saved
// config.
func (l *Pooling1DLayer) made(class string, avg bool, o *options) *Pooling1DLayer {
	l.class = class
	initBase(&l.LayerBase, class, o)
	l.SetErr(l.core.check(1, avg))
	l.SetErr(l.core.format.made(o))
	return l
}

// MaxPooling1D returns a layer taking the maximum over windows of poolSize steps (Keras's
// default pool size is 2). Options: Strides (default: poolSize), Padding ("valid" or "same"),
// Name.
func MaxPooling1D(poolSize int, opts ...PoolingOption) *Pooling1DLayer {
	return newPooling1D("MaxPooling1D", false, poolSize, opts)
}

// AveragePooling1D returns a layer averaging windows of poolSize steps. Options as for
// [MaxPooling1D].
func AveragePooling1D(poolSize int, opts ...PoolingOption) *Pooling1DLayer {
	return newPooling1D("AveragePooling1D", true, poolSize, opts)
}

// Call applies the layer to x.
func (l *Pooling1DLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "MaxPooling1D" or "AveragePooling1D".
func (l *Pooling1DLayer) ClassName() string { return l.class }

// Build checks the input: the layer has no weights.
func (l *Pooling1DLayer) Build(in []keras.Shape) error {
	return l.core.format.build(in, func(in []keras.Shape) error {
		_, err := l.core.outputShape(in)
		return err
	})
}

// OutputShapes returns (batch, new_steps, channels).
func (l *Pooling1DLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return l.core.format.outputShapes(in, func(in []keras.Shape) ([]keras.Shape, error) {
		s, err := l.core.outputShape(in)
		if err != nil {
			return nil, err
		}
		return []keras.Shape{s}, nil
	})
}

// Forward emits the pooling.
func (l *Pooling1DLayer) Forward(_ *keras.Context, in []*G.Node) ([]*G.Node, error) {
	return l.core.format.forward(in, func(in []*G.Node) ([]*G.Node, error) {
		y, err := l.core.forward(in[0])
		if err != nil {
			return nil, err
		}
		return []*G.Node{y}, nil
	})
}

// Config returns Keras 3's pooling config: pool_size, strides, padding, data_format.
func (l *Pooling1DLayer) Config() map[string]any { return pooling1DKeys.config(l) }
