package layers

import (
	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// MergeLayer combines two or more tensors of one shape element by element: Keras's Add,
// Subtract (exactly two), Multiply, Average, Maximum and Minimum. It has no weights.
//
// Masks (from Embedding with MaskZero) combine as in Keras 3: the output mask is the
// element-wise OR of the input masks, and there is none when any input has none (Keras 2
// ANDed the masks that exist instead). The values are computed on every step, masked or
// not.
type MergeLayer struct {
	keras.LayerBase
	class string
	op    func(o *ops.Builder, xs []*G.Node) *G.Node
	arity int // 0: two or more
}

var _ keras.Layer = (*MergeLayer)(nil)

func newMerge(class string, arity int, op func(*ops.Builder, []*G.Node) *G.Node, opts []Option) *MergeLayer {
	o := newOptions(opts)
	l := &MergeLayer{class: class, op: op, arity: arity}
	initBase(&l.LayerBase, class, o)
	return l
}

// fold combines the inputs pairwise, left to right, with the kit's operation f.
// Operands of different shapes are first broadcast to one (broadcastPair).
func fold(f func(o *ops.Builder, a, b *G.Node) *G.Node) func(*ops.Builder, []*G.Node) *G.Node {
	return func(o *ops.Builder, xs []*G.Node) *G.Node {
		return o.Fold(func(a, b *G.Node) *G.Node {
			a, b = broadcastPair(o, a, b)
			return f(o, a, b)
		}, xs...)
	}
}

// Add returns a layer that sums its inputs.
func Add(opts ...Option) *MergeLayer { return newMerge("Add", 0, fold((*ops.Builder).Add), opts) }

// Subtract returns a layer that subtracts its second input from its first.
func Subtract(opts ...Option) *MergeLayer {
	return newMerge("Subtract", 2, fold((*ops.Builder).Sub), opts)
}

// Multiply returns a layer that multiplies its inputs element by element.
func Multiply(opts ...Option) *MergeLayer {
	return newMerge("Multiply", 0, fold((*ops.Builder).Mul), opts)
}

// Maximum returns a layer that takes the element-wise maximum of its inputs.
func Maximum(opts ...Option) *MergeLayer {
	return newMerge("Maximum", 0, fold((*ops.Builder).Maximum), opts)
}

// Minimum returns a layer that takes the element-wise minimum of its inputs.
func Minimum(opts ...Option) *MergeLayer {
	return newMerge("Minimum", 0, fold((*ops.Builder).Minimum), opts)
}

// Average returns a layer that averages its inputs.
func Average(opts ...Option) *MergeLayer {
	return newMerge("Average", 0, func(o *ops.Builder, xs []*G.Node) *G.Node {
		return o.Scale(fold((*ops.Builder).Add)(o, xs), 1/float64(len(xs)))
	}, opts)
}

// Call applies the layer to its inputs.
func (l *MergeLayer) Call(inputs ...*keras.Tensor) *keras.Tensor { return keras.CallOne(l, inputs...) }

// ClassName returns the Keras class: "Add", "Subtract" ...
func (l *MergeLayer) ClassName() string { return l.class }

// Build checks the inputs; the layer has no weights.
func (l *MergeLayer) Build(in []keras.Shape) error {
	_, err := l.OutputShapes(in)
	return err
}

// OutputShapes checks that the inputs share one shape and returns it.
func (l *MergeLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if l.arity > 0 && len(in) != l.arity {
		return nil, keras.ShapeError("expects exactly %d inputs, got %d", l.arity, len(in))
	}
	if len(in) < 2 {
		return nil, keras.ShapeError("expects at least 2 inputs, got %d", len(in))
	}
	out := in[0].Clone()
	for i, s := range in[1:] {
		// Keras broadcasts inputs of one rank whose dimensions differ only where one is 1
		// (a (N, 1, 1, C) gate times a (N, H, W, C) image in MobileNetV3 and EfficientNet).
		b, err := broadcastShapes(out, s)
		if err != nil || s.Rank() != out.Rank() {
			return nil, keras.ShapeError("inputs must have one shape, or shapes of one rank that broadcast: input 0 is %v, input %d is %v", in[0], i+1, s)
		}
		out = b
	}
	return []keras.Shape{out}, nil
}

// Forward combines the inputs and attaches the output mask (see [MergeLayer]).
func (l *MergeLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	y := l.op(o, in)
	if o.Err() != nil {
		return nil, o.Err()
	}
	masks, _, err := inputMasks(ctx, in)
	if err != nil {
		return nil, err
	}
	for _, m := range masks {
		if m == nil {
			return []*G.Node{y}, nil // Keras 3: no mask when any input has none
		}
	}
	mask, err := orMasks(masks)
	if err != nil {
		return nil, err
	}
	ctx.SetMask(y, mask)
	return []*G.Node{y}, nil
}

// Config returns Keras 3's config of a merge layer (no keys of its own).
func (l *MergeLayer) Config() map[string]any { return map[string]any{} }

func init() {
	Register("Add", mergeFromConfig("Add", Add))
	Register("Subtract", mergeFromConfig("Subtract", Subtract))
	Register("Multiply", mergeFromConfig("Multiply", Multiply))
	Register("Maximum", mergeFromConfig("Maximum", Maximum))
	Register("Minimum", mergeFromConfig("Minimum", Minimum))
	Register("Average", mergeFromConfig("Average", Average))
}

// mergeFromConfig rebuilds Add, Subtract, Multiply, Maximum, Minimum or Average.
func mergeFromConfig(class string, newLayer func(...Option) *MergeLayer) func(map[string]any) (keras.Layer, error) {
	return func(c map[string]any) (keras.Layer, error) {
		r := newConfigReader(class, c)
		return r.done(newLayer(optsAs[Option](r)...))
	}
}
