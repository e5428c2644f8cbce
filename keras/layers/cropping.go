package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// CroppingLayer cuts steps off both ends of a sequence, or rows and columns off the sides of
// channels-last images, as Keras's Cropping1D and Cropping2D.
//
// # Input shape
//
// (batch, steps, channels) for Cropping1D; (batch, height, width, channels) for Cropping2D.
//
// # Output shape
//
// (batch, steps − start − end, channels); (batch, height − top − bottom, width − left −
// right, channels).
type CroppingLayer struct {
	keras.LayerBase
	format dataFormat // data_format.go
	crop   [][2]int   // per spatial axis, what is cut at its start and at its end
}

var _ keras.Layer = (*CroppingLayer)(nil)

// Cropping1D returns a layer cutting start steps at the beginning of a sequence and end at
// its end (Keras's default is (1, 1)). Options: Name, Trainable, DType.
func Cropping1D(start, end int, opts ...Option) *CroppingLayer {
	l := &CroppingLayer{crop: [][2]int{{start, end}}}
	return l.made(newOptions(opts))
}

// Cropping2D returns a layer cutting top and bottom rows and left and right columns, as
// Keras's Cropping2D(((top, bottom), (left, right))) (Keras's default crops nothing).
// Options: Name, Trainable, DType.
func Cropping2D(top, bottom, left, right int, opts ...Option) *CroppingLayer {
	l := &CroppingLayer{crop: [][2]int{{top, bottom}, {left, right}}}
	return l.made(newOptions(opts))
}

// cropping1DKeys is Cropping1D's Keras config: cropping is (start, end); a saved integer
// serves both.
var cropping1DKeys = configKeys[CroppingLayer]{
	{name: "cropping",
		write: func(l *CroppingLayer) any { return []any{l.crop[0][0], l.crop[0][1]} },
		read:  func(r *configReader, key string, l *CroppingLayer) { l.crop = [][2]int{readPair(r, key, r.cfg[key])} },
		unset: func(l *CroppingLayer) { l.crop = [][2]int{{1, 1}} }},
}

// cropping2DKeys is Cropping2D's Keras config: cropping is ((top, bottom), (left, right)); a
// saved integer serves all four sides and a (height, width) pair both sides of each axis.
var cropping2DKeys = configKeys[CroppingLayer]{
	{name: "cropping",
		write: func(l *CroppingLayer) any {
			return []any{[]any{l.crop[0][0], l.crop[0][1]}, []any{l.crop[1][0], l.crop[1][1]}}
		},
		read: func(r *configReader, key string, l *CroppingLayer) {
			v := r.cfg[key]
			if p, ok := v.([]any); ok && len(p) == 2 {
				l.crop = [][2]int{readPair(r, key, p[0]), readPair(r, key, p[1])}
				return
			}
			if _, ok := v.(float64); !ok {
				r.fail("%s %v: want ((top, bottom), (left, right))", key, v)
				return
			}
			p := readPair(r, key, v)
			l.crop = [][2]int{p, p}
		},
		unset: func(l *CroppingLayer) { l.crop = [][2]int{{0, 0}, {0, 0}} }},
	dataFormatKey(func(l *CroppingLayer) *dataFormat { return &l.format }),
}

// readPair reads a saved (start, end) pair, or an integer serving both, each bounded as
// config integers are.
func readPair(r *configReader, key string, v any) [2]int {
	switch p := v.(type) {
	case []any:
		if len(p) == 2 {
			return [2]int{r.toInt(key, p[0]), r.toInt(key, p[1])}
		}
	case float64:
		n := r.toInt(key, p)
		return [2]int{n, n}
	}
	r.fail("%s: %v is not an integer or a pair of integers", key, v)
	return [2]int{}
}

func init() {
	registerLayer("Cropping1D", cropping1DKeys, func(l *CroppingLayer, o *options) keras.Layer { return l.made(o) })
	registerLayer("Cropping2D", cropping2DKeys, func(l *CroppingLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks the cropping, given to its constructor or read from a saved
// config.
func (l *CroppingLayer) made(o *options) *CroppingLayer {
	initBase(&l.LayerBase, l.ClassName(), o)
	l.SetErr(l.format.made(o))
	for _, c := range l.crop {
		if c[0] < 0 || c[1] < 0 {
			l.SetErr(fmt.Errorf("%w: cropping must be non-negative, got %v", keras.ErrInvalidArgument, l.crop))
			break
		}
	}
	return l
}

// Call applies the layer to x.
func (l *CroppingLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "Cropping1D" or "Cropping2D".
func (l *CroppingLayer) ClassName() string { return fmt.Sprintf("Cropping%dD", len(l.crop)) }

// buildLast, Build in the channels_last layout (data_format.go), checks the input: the layer has
// no weights.
func (l *CroppingLayer) buildLast(in []keras.Shape) error {
	_, err := l.outputShapesLast(in)
	return err
}

// outputShapesLast, OutputShapes in the channels_last layout (data_format.go), shortens each
// spatial axis by its cropping; a known size must keep at least one step, as Keras requires.
func (l *CroppingLayer) outputShapesLast(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkRank(in, len(l.crop)+2, layoutOf(len(l.crop))); err != nil {
		return nil, err
	}
	out := in[0].Clone()
	for i, c := range l.crop {
		if out[i+1] < 0 {
			continue
		}
		if out[i+1] -= c[0] + c[1]; out[i+1] < 1 {
			return nil, keras.ShapeError("cropping %v leaves nothing of axis %d of input shape %v", l.crop, i+1, in[0])
		}
	}
	return []keras.Shape{out}, nil
}

// forwardLast, Forward in the channels_last layout (data_format.go), slices each spatial axis.
func (l *CroppingLayer) forwardLast(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	y := in[0]
	for i, c := range l.crop {
		if y == nil {
			break
		}
		y = o.Slice(y, i+1, c[0], y.Shape()[i+1]-c[1])
	}
	return o.Result(y)
}

// Config returns Keras 3's Cropping1D or Cropping2D config.
func (l *CroppingLayer) Config() map[string]any {
	if len(l.crop) == 1 {
		return cropping1DKeys.config(l)
	}
	return cropping2DKeys.config(l)
}

// Build checks the input, its channel axis moved last when data_format is channels_first
// (data_format.go).
func (l *CroppingLayer) Build(in []keras.Shape) error { return l.format.build(in, l.buildLast) }

// OutputShapes returns the output shape, its channel axis at position 1 when data_format is
// channels_first.
func (l *CroppingLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return l.format.outputShapes(in, l.outputShapesLast)
}

// Forward emits the layer, through the channels_last layout when data_format is
// channels_first.
func (l *CroppingLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	return l.format.forward(in, func(in []*G.Node) ([]*G.Node, error) { return l.forwardLast(ctx, in) })
}
