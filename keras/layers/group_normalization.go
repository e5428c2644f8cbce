package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// GroupNormalizationLayer splits the channels (the last axis) into groups and normalises each
// sample's group, over the group's channels and every other axis but the batch, to mean 0 and
// variance 1, then scales by gamma and shifts by beta per channel, as Keras's
// GroupNormalization. One group is LayerNormalization over all axes; groups = channels
// (Keras's -1) is instance normalization.
//
// # Input shape
//
// Any of rank ≥ 2, every dimension but the batch known, the channels a multiple of groups.
// # Output shape: the input's.
type GroupNormalizationLayer struct {
	keras.LayerBase
	groups, axis int
	eps          float64
	normAffine
}

var _ keras.Layer = (*GroupNormalizationLayer)(nil)

// GroupNormalization returns a group normalisation of the last axis (Keras's axis=-1, the
// only one supported) with Keras's arguments: groups (Keras's default 32; -1 for one group per
// channel), epsilon (Keras's default 1e-3) added to the variance, center to learn a shift beta,
// scale to learn a factor gamma (both true by default). Options: Name, Trainable, DType.
func GroupNormalization(groups int, epsilon float64, center, scale bool, opts ...Option) *GroupNormalizationLayer {
	l := &GroupNormalizationLayer{groups: groups, axis: -1, eps: epsilon, normAffine: newNormAffine(center, scale)}
	return l.made(newOptions(opts))
}

// groupNormKeys is GroupNormalization's Keras config, in Keras's order.
var groupNormKeys = func() configKeys[GroupNormalizationLayer] {
	a := affineKeys(func(l *GroupNormalizationLayer) *normAffine { return &l.normAffine })
	return append(configKeys[GroupNormalizationLayer]{
		intKey("groups", func(l *GroupNormalizationLayer) *int { return &l.groups }, 32),
		intKey("axis", func(l *GroupNormalizationLayer) *int { return &l.axis }, -1),
		floatKey("epsilon", func(l *GroupNormalizationLayer) *float64 { return &l.eps }, 1e-3),
		a.center, a.scale, a.betaInit, a.gammaInit,
	}, a.nulls...)
}()

func init() {
	registerLayer("GroupNormalization", groupNormKeys, func(l *GroupNormalizationLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks groups and epsilon, given to GroupNormalization or read
// from a saved config; the axis and the channels are checked against the input in Build.
func (l *GroupNormalizationLayer) made(o *options) *GroupNormalizationLayer {
	initBase(&l.LayerBase, "GroupNormalization", o)
	if l.groups < 1 && l.groups != -1 {
		l.SetErr(fmt.Errorf("%w: groups must be ≥ 1, or -1 for one group per channel, got %d", keras.ErrInvalidArgument, l.groups))
	}
	if !(l.eps > 0) {
		l.SetErr(fmt.Errorf("%w: epsilon must be > 0, got %v", keras.ErrInvalidArgument, l.eps))
	}
	return l
}

// Call applies the layer to x.
func (l *GroupNormalizationLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "GroupNormalization".
func (l *GroupNormalizationLayer) ClassName() string { return "GroupNormalization" }

// SupportsMasking reports that a mask passes through unchanged, as in Keras.
func (l *GroupNormalizationLayer) SupportsMasking() bool { return true }

// check refuses another axis than the last, unknown dimensions and channels that the groups
// do not divide, and returns the number of groups (the channels for -1).
func (l *GroupNormalizationLayer) check(in []keras.Shape) (int, error) {
	if err := checkLastAxis(in, l.axis); err != nil {
		return 0, err
	}
	for i, d := range in[0][1:] {
		if d < 0 {
			return 0, keras.ShapeError("axis %d of input shape %v must be known", i+1, in[0])
		}
	}
	c, g := in[0].Last(), l.groups
	if g == -1 {
		g = c
	}
	if c < g || c%g != 0 {
		return 0, keras.ShapeError("%d groups do not divide the %d channels of input shape %v", g, c, in[0])
	}
	return g, l.fits(in[0])
}

// Build resolves groups -1 to the channels (as Keras's build does, so the config then names
// them) and creates gamma, then beta, as Keras does, each of the channels' size.
func (l *GroupNormalizationLayer) Build(in []keras.Shape) error {
	g, err := l.check(in)
	if err != nil {
		return err
	}
	l.groups = g
	return l.build(&l.LayerBase, in[0].Last())
}

// OutputShapes returns the input shape, once checked.
func (l *GroupNormalizationLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if _, err := l.check(in); err != nil {
		return nil, err
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward brings each group's values together on the last axis, (batch, rest, groups, size)
// to (batch, groups, rest·size), normalises them there as LayerNormalization does a row, and
// puts them back before gamma and beta apply per channel.
func (l *GroupNormalizationLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	x := in[0]
	s := x.Shape()
	b, c := s[0], s[len(s)-1]
	rest := s.TotalSize() / (b * c)
	size := c / l.groups
	n := rest * size
	grouped := o.Reshape(o.Transpose(o.Reshape(x, b, rest, l.groups, size), 0, 2, 1, 3), b, l.groups, n)
	xc := o.Sub(grouped, o.BroadcastLast(o.MeanLast(grouped), n))
	std := o.Sqrt(o.Shift(o.MeanLast(o.Mul(xc, xc)), l.eps))
	y := o.Div(xc, o.BroadcastLast(std, n))
	y = o.Reshape(o.Transpose(o.Reshape(y, b, l.groups, rest, size), 0, 2, 1, 3), s...)
	return o.Result(l.apply(o, y))
}

// Config returns Keras 3's GroupNormalization config.
func (l *GroupNormalizationLayer) Config() map[string]any { return groupNormKeys.config(l) }
