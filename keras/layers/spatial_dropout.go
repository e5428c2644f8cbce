package layers

import (
	"fmt"
	"math/rand/v2"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SpatialDropoutLayer is Keras's SpatialDropout1D or SpatialDropout2D: in training it drops
// whole channels (feature maps) of each example, every step or pixel of a channel together,
// and scales the kept ones by 1/(1−rate); in Evaluate and Predict it returns its input.
//
// # Input shape
//
// SpatialDropout1D: (batch, steps, channels). SpatialDropout2D: (batch, rows, cols, channels),
// channels last. # Output shape: the input's.
type SpatialDropoutLayer struct {
	keras.LayerBase
	format dataFormat // data_format.go
	rate   float64
	dims   int // spatial axes: 1 or 2
}

var _ keras.Layer = (*SpatialDropoutLayer)(nil)

// SpatialDropout1D returns a layer that drops whole channels of a sequence in training, with
// probability rate each (0 ≤ rate ≤ 1, as Keras requires). The channels are drawn from the fit
// loop's random source (keras.SetRandomSeed); Keras's seed argument is not taken. Options:
// Name, DType (Trainable is accepted but not saved: Keras's config has no trainable key).
func SpatialDropout1D(rate float64, opts ...Option) *SpatialDropoutLayer {
	l := &SpatialDropoutLayer{rate: rate, dims: 1}
	return l.made(newOptions(opts))
}

// SpatialDropout2D is SpatialDropout1D for images (batch, rows, cols, channels): each dropped
// channel is zero at every pixel. Only Keras's channels_last data format is supported.
func SpatialDropout2D(rate float64, opts ...Option) *SpatialDropoutLayer {
	l := &SpatialDropoutLayer{rate: rate, dims: 2}
	return l.made(newOptions(opts))
}

// spatialDropout1DKeys is SpatialDropout1D's Keras config; a saved seed is read and ignored,
// since the channels are drawn from the fit loop's random source.
var spatialDropout1DKeys = configKeys[SpatialDropoutLayer]{
	floatKey("rate", func(l *SpatialDropoutLayer) *float64 { return &l.rate }, 0).req(),
	writeKey("seed", func(*SpatialDropoutLayer) any { return nil }),
}

// spatialDropout2DKeys adds the data format, of which channels_last is supported.
var spatialDropout2DKeys = append(configKeys[SpatialDropoutLayer]{
	dataFormatKey(func(l *SpatialDropoutLayer) *dataFormat { return &l.format }),
}, spatialDropout1DKeys...)

func init() {
	registerLayer("SpatialDropout1D", spatialDropout1DKeys, func(l *SpatialDropoutLayer, o *options) keras.Layer {
		l.dims = 1
		return l.made(o)
	})
	registerLayer("SpatialDropout2D", spatialDropout2DKeys, func(l *SpatialDropoutLayer, o *options) keras.Layer {
		l.dims = 2
		return l.made(o)
	})
}

// made names the layer and checks the rate, as Keras's constructor does, given to the
// constructors or read from a saved config.
func (l *SpatialDropoutLayer) made(o *options) *SpatialDropoutLayer {
	initBase(&l.LayerBase, l.ClassName(), o)
	l.SetErr(l.format.made(o))
	if !(l.rate >= 0 && l.rate <= 1) {
		l.SetErr(fmt.Errorf("%w: rate must be in [0, 1], got %v", keras.ErrInvalidArgument, l.rate))
	}
	return l
}

// Call applies the layer to x.
func (l *SpatialDropoutLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "SpatialDropout1D" or "SpatialDropout2D".
func (l *SpatialDropoutLayer) ClassName() string { return fmt.Sprintf("SpatialDropout%dD", l.dims) }

// Rate returns the fraction of channels dropped in training.
func (l *SpatialDropoutLayer) Rate() float64 { return l.rate }

// SupportsMasking reports that a mask passes through unchanged.
func (l *SpatialDropoutLayer) SupportsMasking() bool { return true }

// OmitTrainableKey is true: Keras 3's SpatialDropout config has no trainable key and its
// constructor refuses one (see keras.TrainableKeyOmitter).
func (l *SpatialDropoutLayer) OmitTrainableKey() bool { return true }

// buildLast, Build in the channels_last layout (data_format.go), checks the input: the layer has
// no weights.
func (l *SpatialDropoutLayer) buildLast(in []keras.Shape) error {
	_, err := l.outputShapesLast(in)
	return err
}

// outputShapesLast, OutputShapes in the channels_last layout (data_format.go), returns the input
// shape, which must have rank 3 (1D) or 4 (2D), batch included, as Keras's input spec requires.
func (l *SpatialDropoutLayer) outputShapesLast(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 1); err != nil {
		return nil, err
	}
	if want := l.dims + 2; in[0].Rank() != want {
		return nil, keras.ShapeError("%s expects an input of rank %d (batch included), got shape %v", l.ClassName(), want, in[0])
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// forwardLast, Forward in the channels_last layout (data_format.go), multiplies x by a mask drawn
// in Go for each step of the training realisation: one draw per example and channel, repeated over
// the spatial axes (Keras's noise shape (batch, 1, channels) or (batch, 1, 1, channels)), written
// at x's full shape because the kit's broadcasting operators repeat leading axes only.
func (l *SpatialDropoutLayer) forwardLast(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	if !ctx.Training() || l.rate == 0 {
		return in[:1], nil
	}
	x := in[0]
	s := x.Shape()
	batch, channels := s[0], s[len(s)-1]
	spatial := s.TotalSize() / (batch * channels)
	keep := 1 - l.rate
	mask := ctx.Feed(l.Name()+"/mask", x.Dtype(), s, func(t *tensor.Dense, rng *rand.Rand) {
		fillChannelMask(t, batch, spatial, channels, keep, rng)
	})
	o := ops.New(ctx)
	return o.Result(o.Mul(x, mask))
}

// fillChannelMask writes, for each example and channel, 1/keep with probability keep and 0
// otherwise, at every spatial position of that channel (all 0 when keep is 0).
func fillChannelMask(t *tensor.Dense, batch, spatial, channels int, keep float64, rng *rand.Rand) {
	scale := 0.0
	if keep > 0 {
		scale = 1 / keep
	}
	draw := make([]float64, channels)
	for b := range batch {
		for c := range draw {
			draw[c] = 0
			if rng.Float64() < keep {
				draw[c] = scale
			}
		}
		base := b * spatial * channels
		switch d := t.Data().(type) {
		case []float32:
			for i := range spatial * channels {
				d[base+i] = float32(draw[i%channels])
			}
		case []float64:
			for i := range spatial * channels {
				d[base+i] = draw[i%channels]
			}
		}
	}
}

// Config returns Keras 3's SpatialDropout1D or SpatialDropout2D config.
func (l *SpatialDropoutLayer) Config() map[string]any {
	if l.dims == 2 {
		return spatialDropout2DKeys.config(l)
	}
	return spatialDropout1DKeys.config(l)
}

// Build checks the input, its channel axis moved last when data_format is channels_first
// (data_format.go).
func (l *SpatialDropoutLayer) Build(in []keras.Shape) error { return l.format.build(in, l.buildLast) }

// OutputShapes returns the output shape, its channel axis at position 1 when data_format is
// channels_first.
func (l *SpatialDropoutLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return l.format.outputShapes(in, l.outputShapesLast)
}

// Forward emits the layer, through the channels_last layout when data_format is
// channels_first.
func (l *SpatialDropoutLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	return l.format.forward(in, func(in []*G.Node) ([]*G.Node, error) { return l.forwardLast(ctx, in) })
}
