package layers

import (
	"github.com/kerago/kerago/keras"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// GlobalPoolingLayer is GlobalMaxPooling1D, GlobalAveragePooling1D, GlobalMaxPooling2D or
// GlobalAveragePooling2D: the maximum or the mean over every step (1-D) or every position
// (2-D), per channel. It has no weights. On float inputs it is one pooling op whose window is
// the whole input (internal/ops.Pool2D), which keeps its memory between steps; where several
// positions share the maximum, the first receives the gradient, as in MaxPooling (JAX splits
// it among them; Gorgonia's Max, used for other dtypes, gives each the full gradient).
//
// # Input shape
//
// (batch, steps, channels) for the 1-D layers, (batch, height, width, channels) for the 2-D
// ones; steps, height and width may be unknown (None).
//
// # Output shape
//
// (batch, channels); with KeepDims(true) (batch, 1, channels) or (batch, 1, 1, channels).
//
// # Masks
//
// GlobalAveragePooling1D behind a layer that outputs a mask (Embedding with MaskZero)
// averages over the unmasked steps only, as Keras 3's does. The other three drop the mask
// (Keras 3 warns that they destroy it).
type GlobalPoolingLayer struct {
	keras.LayerBase
	format   dataFormat // data_format.go
	class    string
	rank     int
	avg      bool
	keepDims bool
}

var _ keras.Layer = (*GlobalPoolingLayer)(nil)

func newGlobalPooling(class string, rank int, avg bool, opts []GlobalPoolingOption) *GlobalPoolingLayer {
	o := newOptions(opts)
	l := &GlobalPoolingLayer{class: class, rank: rank, avg: avg, keepDims: o.keepDims}
	return l.made(o)
}

// globalPoolingKeys is the Keras config of the four global poolings.
var globalPoolingKeys = configKeys[GlobalPoolingLayer]{
	dataFormatKey(func(l *GlobalPoolingLayer) *dataFormat { return &l.format }),
	boolKey("keepdims", func(l *GlobalPoolingLayer) *bool { return &l.keepDims }, false),
}

// made names the layer, made by its constructor or read from a saved config.
func (l *GlobalPoolingLayer) made(o *options) *GlobalPoolingLayer {
	initBase(&l.LayerBase, l.class, o)
	l.SetErr(l.format.made(o))
	return l
}

// GlobalMaxPooling1D returns a layer taking the maximum over the steps of (batch, steps,
// channels) inputs. Options: KeepDims (default false), Name.
func GlobalMaxPooling1D(opts ...GlobalPoolingOption) *GlobalPoolingLayer {
	return newGlobalPooling("GlobalMaxPooling1D", 1, false, opts)
}

// GlobalAveragePooling1D returns a layer averaging over the steps of (batch, steps, channels)
// inputs. Options: KeepDims (default false), Name.
func GlobalAveragePooling1D(opts ...GlobalPoolingOption) *GlobalPoolingLayer {
	return newGlobalPooling("GlobalAveragePooling1D", 1, true, opts)
}

// GlobalMaxPooling2D returns a layer taking the maximum over the positions of (batch, height,
// width, channels) inputs. Options: KeepDims (default false), Name.
func GlobalMaxPooling2D(opts ...GlobalPoolingOption) *GlobalPoolingLayer {
	return newGlobalPooling("GlobalMaxPooling2D", 2, false, opts)
}

// GlobalAveragePooling2D returns a layer averaging over the positions of (batch, height,
// width, channels) inputs. Options: KeepDims (default false), Name.
func GlobalAveragePooling2D(opts ...GlobalPoolingOption) *GlobalPoolingLayer {
	return newGlobalPooling("GlobalAveragePooling2D", 2, true, opts)
}

// Call applies the layer to x.
func (l *GlobalPoolingLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns the Keras class name, e.g. "GlobalMaxPooling1D".
func (l *GlobalPoolingLayer) ClassName() string { return l.class }

// buildLast, Build in the channels_last layout (data_format.go), checks the input: the layer has
// no weights.
func (l *GlobalPoolingLayer) buildLast(in []keras.Shape) error {
	_, err := l.outputShapesLast(in)
	return err
}

// outputShapesLast, OutputShapes in the channels_last layout (data_format.go), returns (batch,
// channels), or with KeepDims the input shape with every spatial axis 1.
func (l *GlobalPoolingLayer) outputShapesLast(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkRank(in, l.rank+2, layoutOf(l.rank)); err != nil {
		return nil, err
	}
	s := in[0]
	for i := 1; i <= l.rank; i++ {
		if s[i] == 0 {
			return nil, keras.ShapeError("cannot pool over an empty axis %d (input shape %v)", i, s)
		}
	}
	if !l.keepDims {
		return []keras.Shape{{s[0], s.Last()}}, nil
	}
	out := keras.Shape{s[0]}
	for i := 0; i < l.rank; i++ {
		out = append(out, 1)
	}
	return []keras.Shape{append(out, s.Last())}, nil
}

// forwardLast, Forward in the channels_last layout (data_format.go), reduces the spatial axes with
// Max or Mean (the 2-D ones after merging height and width into one axis). GlobalAveragePooling1D
// given a mask (from Embedding with MaskZero) averages over the unmasked steps only, as Keras 3
// does; the other layers drop masks.
func (l *GlobalPoolingLayer) forwardLast(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	x := in[0]
	s := x.Shape()
	if s.Dims() != l.rank+2 {
		return nil, keras.ShapeError("expects an input of rank %d %s, got shape %v", l.rank+2, layoutOf(l.rank), s)
	}
	b, ch := s[0], s[len(s)-1]
	var err error
	if mask := ctx.Mask(x); (mask == nil || !l.avg || l.rank != 1) && (x.Dtype() == tensor.Float32 || x.Dtype() == tensor.Float64) {
		return l.pooled(x)
	}
	if l.rank == 2 {
		// A copy, not Gorgonia's view of the layer's input: Max's gradient reads it, and a
		// later layer reading the input may write into the input in place (docs/gorgonia.md).
		if x, err = internalops.Reshape(x, tensor.Shape{b, s[1] * s[2], ch}); err != nil {
			return nil, err
		}
	}
	var y *G.Node
	mask := ctx.Mask(x)
	switch {
	case l.avg && l.rank == 1 && mask != nil:
		y, err = maskedMean(x, mask)
	case l.avg:
		y, err = G.Mean(x, 1)
	default:
		y, err = G.Max(x, 1)
	}
	if err != nil {
		return nil, err
	}
	if l.keepDims {
		out := tensor.Shape{b, 1, ch}
		if l.rank == 2 {
			out = tensor.Shape{b, 1, 1, ch}
		}
		// A copy: Max's gradient reads its result y, which a view would let the next layer
		// overwrite in place.
		if y, err = internalops.Reshape(y, out); err != nil {
			return nil, err
		}
	}
	return []*G.Node{y}, nil
}

// pooled is the layer as one pooling op over the whole of the float input x: the input seen
// as (batch, height, width, channels), height 1 in the 1-D case, the window its full extent.
func (l *GlobalPoolingLayer) pooled(x *G.Node) ([]*G.Node, error) {
	s := x.Shape()
	b, ch := s[0], s[len(s)-1]
	h, w := 1, s[1]
	if l.rank == 2 {
		h, w = s[1], s[2]
	}
	// The whole input is the window; a (batch, steps, channels) input is pooled as it is.
	win := internalops.Window{KH: h, KW: w, SH: h, SW: w, DH: 1, DW: 1}
	y, err := internalops.Pool2D(x, win, l.avg)
	if err != nil {
		return nil, err
	}
	out := tensor.Shape{b, ch}
	switch {
	case l.keepDims && l.rank == 1:
		out = tensor.Shape{b, 1, ch}
	case l.keepDims:
		return []*G.Node{y}, nil
	}
	// A copy (kerago's Reshape) rather than Gorgonia's view: the copy writes into memory the
	// machine keeps, where the view allocates a tensor header and its shape on every run.
	y, err = internalops.Reshape(y, out)
	return []*G.Node{y}, err
}

// Config returns Keras 3's global pooling config: data_format and keepdims.
func (l *GlobalPoolingLayer) Config() map[string]any { return globalPoolingKeys.config(l) }

// maskedMean is Σ_t x[b,t,:]·m[b,t] / Σ_t m[b,t] for x (B, T, C) and a 0/1 mask m (B, T):
// Keras 3's GlobalAveragePooling1D with a mask (all steps masked gives 0/0 there too).
func maskedMean(x, mask *G.Node) (*G.Node, error) {
	s := x.Shape()
	b, steps := s[0], s[1]
	if ms := mask.Shape(); len(ms) != 2 || ms[0] != b || ms[1] != steps {
		return nil, keras.ShapeError("the mask has shape %v, the input %v", ms, s)
	}
	// A copy: the mask is read again (the count below, other layers), and the product's
	// gradient reads m3 (broadcast with a single channel, m3 itself).
	m3, err := internalops.Reshape(mask, tensor.Shape{b, steps, 1})
	if err != nil {
		return nil, err
	}
	// Safe: the broadcast operand (a view) is only read; the in-place write goes to x only once nothing reads x (m3 is a copy).
	xm, err := G.BroadcastHadamardProd(x, m3, nil, []byte{2})
	if err != nil {
		return nil, err
	}
	sum, err := G.Sum(xm, 1)
	if err != nil {
		return nil, err
	}
	count, err := G.Sum(mask, 1)
	if err != nil {
		return nil, err
	}
	// A view of count is safe: nothing else reads it.
	if count, err = G.Reshape(count, tensor.Shape{b, 1}); err != nil {
		return nil, err
	}
	return G.BroadcastHadamardDiv(sum, count, nil, []byte{1})
}

func init() {
	for _, g := range []struct {
		class string
		rank  int
		avg   bool
	}{{"GlobalMaxPooling1D", 1, false}, {"GlobalAveragePooling1D", 1, true}, {"GlobalMaxPooling2D", 2, false}, {"GlobalAveragePooling2D", 2, true}} {
		registerLayer(g.class, globalPoolingKeys, func(l *GlobalPoolingLayer, o *options) keras.Layer {
			l.class, l.rank, l.avg = g.class, g.rank, g.avg
			return l.made(o)
		})
	}
}

// GlobalPoolingOption is an option the global poolings take: KeepDims and the common
// options.
type GlobalPoolingOption interface {
	applier
	globalPooling()
}

// globalPoolingOnly carries the options only the global poolings take.
type globalPoolingOnly struct{ setter }

func (globalPoolingOnly) globalPooling() {}

// KeepDims makes a global pooling keep the reduced axes with size 1 (default false).
func KeepDims(b bool) GlobalPoolingOption {
	return globalPoolingOnly{func(o *options) { o.mark("KeepDims"); o.keepDims = b }}
}

// Build checks the input, its channel axis moved last when data_format is channels_first
// (data_format.go).
func (l *GlobalPoolingLayer) Build(in []keras.Shape) error { return l.format.build(in, l.buildLast) }

// OutputShapes returns the output shape, its channel axis at position 1 when data_format is
// channels_first.
func (l *GlobalPoolingLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return l.format.outputShapes(in, l.outputShapesLast)
}

// Forward emits the layer, through the channels_last layout when data_format is
// channels_first.
func (l *GlobalPoolingLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	return l.format.forward(in, func(in []*G.Node) ([]*G.Node, error) { return l.forwardLast(ctx, in) })
}
