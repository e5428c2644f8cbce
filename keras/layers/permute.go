package layers

import (
	"fmt"
	"slices"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// PermuteLayer permutes the axes of its input, batch excluded, as Keras's Permute: Permute(2, 1)
// swaps the steps and features of a sequence.
//
// # Input shape
//
// (batch, d1, …, dn). # Output shape: (batch, d[dims[0]], …, d[dims[n−1]]).
type PermuteLayer struct {
	keras.LayerBase
	dims []int // a permutation of 1 … n, as Keras counts the axes after the batch
}

var _ keras.Layer = (*PermuteLayer)(nil)

// Permute returns a layer moving input axis dims[i] to position i+1; dims is a permutation of
// 1 … n (the batch, axis 0, stays). Options: Name, Trainable, DType.
func Permute(dims []int, opts ...Option) *PermuteLayer {
	l := &PermuteLayer{dims: slices.Clone(dims)}
	return l.made(newOptions(opts))
}

// permuteKeys is Permute's Keras config.
var permuteKeys = configKeys[PermuteLayer]{
	intsKey("dims", func(l *PermuteLayer) *[]int { return &l.dims }).req(),
}

func init() {
	registerLayer("Permute", permuteKeys, func(l *PermuteLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks dims, as Keras's constructor does, given to Permute or read
// from a saved config.
func (l *PermuteLayer) made(o *options) *PermuteLayer {
	initBase(&l.LayerBase, "Permute", o)
	sorted := slices.Sorted(slices.Values(l.dims))
	for i, d := range sorted {
		if d != i+1 {
			l.SetErr(fmt.Errorf("%w: dims %v must be a permutation of 1 … %d", keras.ErrInvalidArgument, l.dims, len(l.dims)))
			break
		}
	}
	if len(l.dims) == 0 {
		l.SetErr(fmt.Errorf("%w: dims is empty", keras.ErrInvalidArgument))
	}
	return l
}

// Call applies the layer to x.
func (l *PermuteLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "Permute".
func (l *PermuteLayer) ClassName() string { return "Permute" }

// Build checks that the input has one axis per entry of dims: the layer has no weights.
func (l *PermuteLayer) Build(in []keras.Shape) error {
	return checkRank(in, len(l.dims)+1, fmt.Sprintf("(batch and %d axes, as dims %v)", len(l.dims), l.dims))
}

// OutputShapes permutes the input's axes.
func (l *PermuteLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := l.Build(in); err != nil {
		return nil, err
	}
	out := keras.Shape{in[0][0]}
	for _, d := range l.dims {
		out = append(out, in[0][d])
	}
	return []keras.Shape{out}, nil
}

// Forward transposes, the batch staying first.
func (l *PermuteLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	return o.Result(o.Transpose(in[0], append([]int{0}, l.dims...)...))
}

// Config returns Keras 3's Permute config.
func (l *PermuteLayer) Config() map[string]any { return permuteKeys.config(l) }
