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
	l := &Pooling1DLayer{class: class}
	initBase(&l.LayerBase, class, o)
	var err error
	l.core, err = newPoolCore(1, avg, poolSize, o)
	l.SetErr(err)
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
	_, err := l.core.outputShape(in)
	return err
}

// OutputShapes returns (batch, new_steps, channels).
func (l *Pooling1DLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	s, err := l.core.outputShape(in)
	if err != nil {
		return nil, err
	}
	return []keras.Shape{s}, nil
}

// Forward emits the pooling.
func (l *Pooling1DLayer) Forward(_ *keras.Context, in []*G.Node) ([]*G.Node, error) {
	y, err := l.core.forward(in[0])
	if err != nil {
		return nil, err
	}
	return []*G.Node{y}, nil
}

// Config returns Keras 3's pooling config: pool_size, strides, padding, data_format.
func (l *Pooling1DLayer) Config() map[string]any { return l.core.config() }

func init() {
	Register("MaxPooling1D", poolingFromConfig("MaxPooling1D", 1, MaxPooling1D))
	Register("AveragePooling1D", poolingFromConfig("AveragePooling1D", 1, AveragePooling1D))
}

// poolingFromConfig rebuilds a 1-D or 2-D max or average pooling.
func poolingFromConfig[L keras.Layer](class string, rank int, newLayer func(int, ...PoolingOption) L) func(map[string]any) (keras.Layer, error) {
	return func(c map[string]any) (keras.Layer, error) {
		r := newConfigReader(class, c)
		pool := r.ints("pool_size", rank)
		if len(pool) == 2 && pool[0] != pool[1] {
			r.fail("pool_size %v: only square pools are supported", pool)
		}
		if s, ok := c["strides"]; ok && s != nil {
			r.add(Strides(r.ints("strides", rank)...))
		}
		if _, ok := c["padding"]; ok {
			r.add(Padding(r.str("padding", "valid")))
		}
		return r.done(newLayer(first(pool), optsAs[PoolingOption](r)...))
	}
}
