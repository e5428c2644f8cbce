package layers

import (
	"github.com/kerago/kerago/keras"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
)

// ConcatenateLayer joins its inputs along an axis (Axis, default -1, the last): every other
// dimension must match, and the output's size on the axis is the sum of the inputs'.
//
// Masks (from Embedding with MaskZero) combine as in Keras 3: when at least one input has a
// mask, an input without one counts as all ones; concatenating along the time axis (axis 1
// of a sequence) concatenates the masks, and concatenating along the last (feature) axis
// gives their element-wise OR (Keras 3 reduces the concatenated masks with any over the last
// axis; Keras 2 used all, an AND). No input mask, no output mask.
type ConcatenateLayer struct {
	keras.LayerBase
	axis int
}

var _ keras.Layer = (*ConcatenateLayer)(nil)

// Concatenate returns a layer that concatenates its inputs along Axis (default -1).
func Concatenate(opts ...ConcatenateOption) *ConcatenateLayer {
	o := newOptions(opts)
	l := &ConcatenateLayer{axis: o.axis}
	return l.made(o)
}

// concatenateKeys is Concatenate's Keras config.
var concatenateKeys = configKeys[ConcatenateLayer]{
	intKey("axis", func(l *ConcatenateLayer) *int { return &l.axis }, -1),
}

func init() {
	registerLayer("Concatenate", concatenateKeys, func(l *ConcatenateLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer, made by Concatenate or read from a saved config; the axis is checked
// against the inputs at the call.
func (l *ConcatenateLayer) made(o *options) *ConcatenateLayer {
	initBase(&l.LayerBase, "Concatenate", o)
	return l
}

// Call applies the layer to its inputs.
func (l *ConcatenateLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "Concatenate".
func (l *ConcatenateLayer) ClassName() string { return "Concatenate" }

// Build checks the inputs; the layer has no weights.
func (l *ConcatenateLayer) Build(in []keras.Shape) error {
	_, err := l.OutputShapes(in)
	return err
}

// axisFor resolves a negative axis for inputs of rank r; the batch axis is not allowed.
func (l *ConcatenateLayer) axisFor(r int) (int, error) {
	a := l.axis
	if a < 0 {
		a += r
	}
	if a <= 0 || a >= r {
		return 0, keras.ShapeError("axis %d is out of range for inputs of rank %d (the batch axis cannot be concatenated)", l.axis, r)
	}
	return a, nil
}

// OutputShapes checks the inputs and sums their sizes along the axis.
func (l *ConcatenateLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if len(in) < 2 {
		return nil, keras.ShapeError("expects at least 2 inputs, got %d", len(in))
	}
	r := in[0].Rank()
	a, err := l.axisFor(r)
	if err != nil {
		return nil, err
	}
	out := in[0].Clone()
	for i, s := range in[1:] {
		if s.Rank() != r {
			return nil, keras.ShapeError("inputs must have one rank: input 0 is %v, input %d is %v", in[0], i+1, s)
		}
		for j := range s {
			if j == a {
				if out[j] < 0 || s[j] < 0 {
					out[j] = keras.None
				} else {
					out[j] += s[j]
				}
				continue
			}
			if out[j] >= 0 && s[j] >= 0 && out[j] != s[j] {
				return nil, keras.ShapeError("a Concatenate layer requires inputs with matching shapes except for the concatenation axis %d: got %v and %v", l.axis, in[0], s)
			}
			if out[j] < 0 {
				out[j] = s[j]
			}
		}
	}
	return []keras.Shape{out}, nil
}

// Forward concatenates the inputs and attaches the output mask (see [ConcatenateLayer]).
func (l *ConcatenateLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	a, err := l.axisFor(in[0].Dims())
	if err != nil {
		return nil, err
	}
	y, err := internalops.Concat(a, in...)
	if err != nil {
		return nil, err
	}
	mask, err := l.outputMask(ctx, in, a)
	if err != nil {
		return nil, err
	}
	ctx.SetMask(y, mask)
	return []*G.Node{y}, nil
}

// outputMask is Keras 3's Concatenate.compute_mask for masks that drop the last axis: nil
// when no input has a mask; otherwise each missing mask counts as all ones, and the masks
// are concatenated along axis a, or, when a is the last (feature) axis, ORed.
func (l *ConcatenateLayer) outputMask(ctx *keras.Context, in []*G.Node, a int) (*G.Node, error) {
	masks, anyMask, err := inputMasks(ctx, in)
	if err != nil || !anyMask {
		return nil, err
	}
	last := a == in[0].Dims()-1
	for i, m := range masks {
		if m != nil {
			continue
		}
		if last {
			// OR with all ones: every step of the output is valid.
			return onesMask(ctx, l.Name(), i, maskShapeOf(in[i])), nil
		}
		masks[i] = onesMask(ctx, l.Name(), i, maskShapeOf(in[i]))
	}
	if last {
		return orMasks(masks)
	}
	return internalops.Concat(a, masks...)
}

// Config returns Keras 3's Concatenate config.
func (l *ConcatenateLayer) Config() map[string]any { return concatenateKeys.config(l) }

// ConcatenateOption is an option Concatenate takes: Axis and the common options.
type ConcatenateOption interface {
	applier
	concatenate()
}
