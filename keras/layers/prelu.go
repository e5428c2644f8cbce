package layers

import (
	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// PReLULayer is the parametric rectifier, as Keras's PReLU: x for x ≥ 0 and alpha·x
// otherwise, with a learned alpha per input position (batch excluded), shared along the
// shared axes.
//
// # Input shape
//
// Any, its dimensions known except along the shared axes. # Output shape: the input's.
type PReLULayer struct {
	keras.LayerBase
	alphaInit  initializers.Initializer
	sharedAxes []int // input axes (batch is 0) along which one alpha serves; nil for none
	alpha      *keras.Variable
	built      keras.Shape // the input shape the layer was built on
}

var _ keras.Layer = (*PReLULayer)(nil)

// PReLU returns a parametric rectifier. alphaInitializer is a Keras initializer name, an
// initializers.Initializer, or nil for Keras's "zeros"; sharedAxes are the input axes (the
// batch is 0, so ≥ 1) that share one alpha, e.g. []int{1, 2} for one alpha per channel of
// images, or nil for an alpha per position. Options: Name, Trainable, DType.
func PReLU(alphaInitializer any, sharedAxes []int, opts ...Option) *PReLULayer {
	l := &PReLULayer{sharedAxes: sharedAxes}
	if alphaInitializer == nil {
		l.alphaInit = initializers.Zeros()
	} else {
		l.alphaInit = resolveInit(&l.LayerBase, "alphaInitializer", alphaInitializer)
	}
	return l.made(newOptions(opts))
}

// preluKeys is PReLU's Keras config; shared_axes is null when no axis is shared, and a
// single saved integer reads as a list of one, as in Keras.
var preluKeys = configKeys[PReLULayer]{
	initializerKey("alpha_initializer", func(l *PReLULayer) *initializers.Initializer { return &l.alphaInit }, initializers.Zeros),
	nullKey[PReLULayer]("alpha_regularizer"),
	nullKey[PReLULayer]("alpha_constraint"),
	{name: "shared_axes",
		write: func(l *PReLULayer) any {
			if l.sharedAxes == nil {
				return nil
			}
			return intsKey("", func(l *PReLULayer) *[]int { return &l.sharedAxes }).write(l)
		},
		read:  func(r *configReader, key string, l *PReLULayer) { l.sharedAxes = r.ints(key, 0) },
		unset: func(l *PReLULayer) { l.sharedAxes = nil }},
}

func init() {
	registerLayer("PReLU", preluKeys, func(l *PReLULayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer, given to PReLU or read from a saved config; the shared axes are
// checked against the input in Build.
func (l *PReLULayer) made(o *options) *PReLULayer {
	initBase(&l.LayerBase, "PReLU", o)
	return l
}

// Call applies the layer to x.
func (l *PReLULayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "PReLU".
func (l *PReLULayer) ClassName() string { return "PReLU" }

// SupportsMasking reports that a mask passes through unchanged.
func (l *PReLULayer) SupportsMasking() bool { return true }

// alphaShape is alpha's shape for input shape in, as Keras's build: the input's without the
// batch, 1 along each shared axis.
func (l *PReLULayer) alphaShape(in keras.Shape) (keras.Shape, error) {
	s := in[1:].Clone()
	for _, a := range l.sharedAxes {
		if a < 1 || a >= in.Rank() {
			return nil, keras.ShapeError("shared axis %d is out of range for input shape %v (axes 1 to %d)", a, in, in.Rank()-1)
		}
		if s[a-1] == 1 && in[a] != 1 {
			return nil, keras.ShapeError("shared axis %d is given twice", a)
		}
		s[a-1] = 1
	}
	for i, d := range s {
		if d < 0 {
			return nil, keras.ShapeError("axis %d of input shape %v must be known, or shared", i+1, in)
		}
	}
	return s, nil
}

// Build creates alpha.
func (l *PReLULayer) Build(in []keras.Shape) error {
	if err := checkOneInput(in, 2); err != nil {
		return err
	}
	s, err := l.alphaShape(in[0])
	if err != nil {
		return err
	}
	l.built = in[0].Clone()
	l.alpha, err = l.AddWeightInit("alpha", s, l.alphaInit, true)
	return err
}

// OutputShapes returns the input shape, once it has been checked against alpha's.
func (l *PReLULayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 2); err != nil {
		return nil, err
	}
	s, err := l.alphaShape(in[0])
	if err != nil {
		return nil, err
	}
	if l.alpha != nil && !s.Equal(l.alpha.Shape()) {
		return nil, keras.ShapeError("input shape %v does not fit alpha %v, built for input shape %v", in[0], l.alpha.Shape(), l.built)
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward computes relu(x) − alpha·relu(−x), in Keras's order. alpha is copied along the
// shared axes to the input's shape without the batch (the copies' gradients sum back into
// alpha), since the kit's Mul broadcasts a trailing shape only; the Mul broadcasts it over
// the batch.
func (l *PReLULayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	x := in[0]
	alpha := o.Var(l.alpha)
	for _, a := range l.sharedAxes {
		alpha = o.Tile(alpha, a-1, x.Shape()[a])
	}
	return o.Result(o.Sub(o.Relu(x), o.Mul(o.Relu(o.Neg(x)), alpha)))
}

// Config returns Keras 3's PReLU config.
func (l *PReLULayer) Config() map[string]any { return preluKeys.config(l) }
