package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// UpSamplingLayer repeats each step of a sequence, or each row and column of channels-last
// images, as Keras's UpSampling1D and UpSampling2D with nearest-neighbour interpolation.
//
// # Input shape
//
// (batch, steps, channels) for UpSampling1D; (batch, height, width, channels) for
// UpSampling2D.
//
// # Output shape
//
// (batch, steps·size, channels); (batch, height·rows, width·cols, channels).
type UpSamplingLayer struct {
	keras.LayerBase
	format dataFormat // data_format.go
	size   []int      // the repeat count of each spatial axis: one for 1-D, (rows, cols) for 2-D
}

var _ keras.Layer = (*UpSamplingLayer)(nil)

// UpSampling1D returns a layer repeating each time step size times (Keras's default is 2).
// Options: Name, Trainable, DType.
func UpSampling1D(size int, opts ...Option) *UpSamplingLayer {
	l := &UpSamplingLayer{size: []int{size}}
	return l.made(newOptions(opts))
}

// UpSampling2D returns a layer repeating each row rows times and each column cols times,
// nearest-neighbour as Keras's UpSampling2D((rows, cols)) (Keras's default is (2, 2)).
// Options: Name, Trainable, DType.
func UpSampling2D(rows, cols int, opts ...Option) *UpSamplingLayer {
	l := &UpSamplingLayer{size: []int{rows, cols}}
	return l.made(newOptions(opts))
}

// upSampling1DKeys is UpSampling1D's Keras config: size is one integer.
var upSampling1DKeys = configKeys[UpSamplingLayer]{
	{name: "size",
		write: func(l *UpSamplingLayer) any { return l.size[0] },
		read:  func(r *configReader, key string, l *UpSamplingLayer) { l.size = []int{r.int(key, 2, false)} },
		unset: func(l *UpSamplingLayer) { l.size = []int{2} }},
}

// upSampling2DKeys is UpSampling2D's Keras config: size is (rows, cols), and a saved integer
// serves both; interpolation must be "nearest".
var upSampling2DKeys = configKeys[UpSamplingLayer]{
	{name: "size",
		write: func(l *UpSamplingLayer) any { return []any{l.size[0], l.size[1]} },
		read: func(r *configReader, key string, l *UpSamplingLayer) {
			if l.size = r.ints(key, 2); len(l.size) != 2 {
				r.fail("%s %v: want (rows, cols)", key, r.cfg[key])
			}
		},
		unset: func(l *UpSamplingLayer) { l.size = []int{2, 2} }},
	dataFormatKey(func(l *UpSamplingLayer) *dataFormat { return &l.format }),
	{name: "interpolation",
		write: func(*UpSamplingLayer) any { return "nearest" },
		read: func(r *configReader, key string, _ *UpSamplingLayer) {
			if v := r.str(key, "nearest"); v != "nearest" {
				r.fail("%s %q is not supported (only nearest)", key, v)
			}
		}},
}

func init() {
	registerLayer("UpSampling1D", upSampling1DKeys, func(l *UpSamplingLayer, o *options) keras.Layer { return l.made(o) })
	registerLayer("UpSampling2D", upSampling2DKeys, func(l *UpSamplingLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its size, given to its constructor or read from a saved
// config.
func (l *UpSamplingLayer) made(o *options) *UpSamplingLayer {
	initBase(&l.LayerBase, l.ClassName(), o)
	l.SetErr(l.format.made(o))
	for _, s := range l.size {
		if s < 1 {
			l.SetErr(fmt.Errorf("%w: size must be ≥ 1, got %v", keras.ErrInvalidArgument, l.size))
			break
		}
	}
	return l
}

// Call applies the layer to x.
func (l *UpSamplingLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "UpSampling1D" or "UpSampling2D".
func (l *UpSamplingLayer) ClassName() string { return fmt.Sprintf("UpSampling%dD", len(l.size)) }

// buildLast, Build in the channels_last layout (data_format.go), checks the input: the layer has
// no weights.
func (l *UpSamplingLayer) buildLast(in []keras.Shape) error {
	return checkRank(in, len(l.size)+2, layoutOf(len(l.size)))
}

// outputShapesLast, OutputShapes in the channels_last layout (data_format.go), multiplies each
// spatial size by its repeat count; unknown sizes stay None.
func (l *UpSamplingLayer) outputShapesLast(in []keras.Shape) ([]keras.Shape, error) {
	if err := l.buildLast(in); err != nil {
		return nil, err
	}
	out := in[0].Clone()
	for i, s := range l.size {
		if out[i+1] >= 0 {
			out[i+1] *= s
		}
	}
	return []keras.Shape{out}, nil
}

// forwardLast, Forward in the channels_last layout (data_format.go), repeats along each spatial
// axis in turn: the axis is split off as (…, n, 1, …), copied size times into (…, n, size, …) and
// merged back, which puts each copy next to its original, as nearest-neighbour upsampling does.
func (l *UpSamplingLayer) forwardLast(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	y := in[0]
	for i, s := range l.size {
		if s == 1 || y == nil {
			continue
		}
		shape := y.Shape().Clone()
		split := append(append(append([]int(nil), shape[:i+2]...), 1), shape[i+2:]...)
		merged := append([]int(nil), shape...)
		merged[i+1] *= s
		y = o.Reshape(o.Tile(o.Reshape(y, split...), i+2, s), merged...)
	}
	return o.Result(y)
}

// Config returns Keras 3's UpSampling1D or UpSampling2D config.
func (l *UpSamplingLayer) Config() map[string]any {
	if len(l.size) == 1 {
		return upSampling1DKeys.config(l)
	}
	return upSampling2DKeys.config(l)
}

// Build checks the input, its channel axis moved last when data_format is channels_first
// (data_format.go).
func (l *UpSamplingLayer) Build(in []keras.Shape) error { return l.format.build(in, l.buildLast) }

// OutputShapes returns the output shape, its channel axis at position 1 when data_format is
// channels_first.
func (l *UpSamplingLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return l.format.outputShapes(in, l.outputShapesLast)
}

// Forward emits the layer, through the channels_last layout when data_format is
// channels_first.
func (l *UpSamplingLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	return l.format.forward(in, func(in []*G.Node) ([]*G.Node, error) { return l.forwardLast(ctx, in) })
}
