package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// RepeatVectorLayer repeats its input vector n times, as Keras's RepeatVector: it turns a
// (batch, features) encoding into a (batch, n, features) sequence, e.g. to feed a recurrent
// decoder.
//
// # Input shape
//
// (batch, features). # Output shape: (batch, n, features).
type RepeatVectorLayer struct {
	keras.LayerBase
	n int
}

var _ keras.Layer = (*RepeatVectorLayer)(nil)

// RepeatVector returns a layer repeating its input n (≥ 1) times. Options: Name, Trainable,
// DType.
func RepeatVector(n int, opts ...Option) *RepeatVectorLayer {
	l := &RepeatVectorLayer{n: n}
	return l.made(newOptions(opts))
}

// repeatVectorKeys is RepeatVector's Keras config.
var repeatVectorKeys = configKeys[RepeatVectorLayer]{
	intKey("n", func(l *RepeatVectorLayer) *int { return &l.n }, 1).req(),
}

func init() {
	registerLayer("RepeatVector", repeatVectorKeys, func(l *RepeatVectorLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks n, given to RepeatVector or read from a saved config.
func (l *RepeatVectorLayer) made(o *options) *RepeatVectorLayer {
	initBase(&l.LayerBase, "RepeatVector", o)
	if l.n < 1 {
		l.SetErr(fmt.Errorf("%w: n must be ≥ 1, got %d", keras.ErrInvalidArgument, l.n))
	}
	return l
}

// Call applies the layer to x.
func (l *RepeatVectorLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "RepeatVector".
func (l *RepeatVectorLayer) ClassName() string { return "RepeatVector" }

// Build checks the input: the layer has no weights.
func (l *RepeatVectorLayer) Build(in []keras.Shape) error {
	return checkRank(in, 2, "(batch, features)")
}

// OutputShapes inserts the n steps.
func (l *RepeatVectorLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := l.Build(in); err != nil {
		return nil, err
	}
	return []keras.Shape{{in[0][0], l.n, in[0][1]}}, nil
}

// Forward makes each vector a one-step sequence and copies it n times along the steps.
func (l *RepeatVectorLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	s := in[0].Shape()
	return o.Result(o.Tile(o.Reshape(in[0], s[0], 1, s[1]), 1, l.n))
}

// Config returns Keras 3's RepeatVector config.
func (l *RepeatVectorLayer) Config() map[string]any { return repeatVectorKeys.config(l) }
