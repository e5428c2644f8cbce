package layers

import (
	"fmt"
	"math"

	"github.com/kerago/kerago/keras"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// DiscretizationLayer buckets values by boundaries, as Keras's Discretization: a value's bin
// is i where boundaries[i−1] ≤ x < boundaries[i] (0 below the first, len(boundaries) from the
// last up). output_mode "int" gives the bin indices as int32, "one_hot", "multi_hot" and
// "count" encode them as CategoryEncoding does with len(boundaries)+1 entries. The boundaries
// are given, or computed by Adapt from quantiles of data as Keras computes them (num_bins,
// epsilon). No gradient flows through the bins, as in Keras.
//
// # Input shape
//
// Float values, any shape (batch, values) for multi_hot and count.
// # Output shape: the input's for int, else as CategoryEncoding's.
type DiscretizationLayer struct {
	keras.LayerBase
	boundaries []float64 // nil until adapted when numBins is set
	numBins    int       // 0 when the boundaries are given (Keras's null)
	epsilon    float64
	outputMode string
}

var _ keras.Layer = (*DiscretizationLayer)(nil)

// Discretization returns a layer bucketing values by the given sorted boundaries; outputMode
// is "int" (Keras's default), "one_hot", "multi_hot" or "count". Options: Name, DType.
func Discretization(binBoundaries []float64, outputMode string, opts ...Option) *DiscretizationLayer {
	l := &DiscretizationLayer{boundaries: append([]float64{}, binBoundaries...), epsilon: 0.01, outputMode: outputMode}
	return l.made(newOptions(opts))
}

// DiscretizationBins returns a layer to be adapted to data (Adapt) into numBins bins of about
// equal counts, with Keras's epsilon (its default 0.01) the precision of the quantile
// summaries. Options: Name, DType.
func DiscretizationBins(numBins int, epsilon float64, outputMode string, opts ...Option) *DiscretizationLayer {
	l := &DiscretizationLayer{numBins: numBins, epsilon: epsilon, outputMode: outputMode}
	return l.made(newOptions(opts))
}

// discretizationKeys is Discretization's Keras config (which has no trainable key); a
// num_bins layer saved after adapt keeps both keys, as Keras's from_config does.
var discretizationKeys = configKeys[DiscretizationLayer]{
	{name: "bin_boundaries",
		write: func(l *DiscretizationLayer) any {
			if l.boundaries == nil {
				return nil
			}
			out := make([]any, len(l.boundaries))
			for i, b := range l.boundaries {
				out[i] = b
			}
			return out
		},
		read: func(r *configReader, key string, l *DiscretizationLayer) {
			v, shape := r.nested(key)
			if len(shape) != 1 {
				r.fail("%s must be a list of numbers", key)
			}
			l.boundaries = append([]float64{}, v...)
		},
		unset: func(l *DiscretizationLayer) { l.boundaries = nil }},
	{name: "num_bins",
		write: func(l *DiscretizationLayer) any {
			if l.numBins == 0 {
				return nil
			}
			return l.numBins
		},
		read:  func(r *configReader, key string, l *DiscretizationLayer) { l.numBins = r.int(key, 0, false) },
		unset: func(l *DiscretizationLayer) { l.numBins = 0 }},
	floatKey("epsilon", func(l *DiscretizationLayer) *float64 { return &l.epsilon }, 0.01),
	stringKey("output_mode", func(l *DiscretizationLayer) *string { return &l.outputMode }, "int"),
	constKey[DiscretizationLayer]("sparse", false),
}

func init() {
	registerLayer("Discretization", discretizationKeys, func(l *DiscretizationLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its values, given to a constructor or read from a saved
// config.
func (l *DiscretizationLayer) made(o *options) *DiscretizationLayer {
	initBase(&l.LayerBase, "Discretization", o)
	switch l.outputMode {
	case "int", "one_hot", "multi_hot", "count":
	default:
		l.SetErr(fmt.Errorf("%w: output_mode %q (want int, one_hot, multi_hot or count)", keras.ErrInvalidArgument, l.outputMode))
	}
	if l.numBins < 0 {
		l.SetErr(fmt.Errorf("%w: num_bins must be ≥ 0, got %d", keras.ErrInvalidArgument, l.numBins))
	}
	if l.numBins == 0 && l.boundaries == nil {
		l.SetErr(fmt.Errorf("%w: give bin_boundaries, or num_bins to adapt", keras.ErrInvalidArgument))
	}
	if !(l.epsilon > 0 && l.epsilon <= 1) {
		l.SetErr(fmt.Errorf("%w: epsilon must be in (0, 1], got %v", keras.ErrInvalidArgument, l.epsilon))
	}
	for i, b := range l.boundaries {
		if math.IsNaN(b) || (i > 0 && b < l.boundaries[i-1]) {
			l.SetErr(fmt.Errorf("%w: bin_boundaries %v must be sorted numbers", keras.ErrInvalidArgument, l.boundaries))
			break
		}
	}
	return l
}

// Boundaries returns the bin boundaries: given, or computed by Adapt (nil before).
func (l *DiscretizationLayer) Boundaries() []float64 { return append([]float64(nil), l.boundaries...) }

// Call applies the layer to x.
func (l *DiscretizationLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "Discretization".
func (l *DiscretizationLayer) ClassName() string { return "Discretization" }

// OmitTrainableKey is true: Keras 3's Discretization config has no trainable key.
func (l *DiscretizationLayer) OmitTrainableKey() bool { return true }

// OutputDType is int32 for output_mode int, as Keras's, else the layer's float dtype.
func (l *DiscretizationLayer) OutputDType([]string) string {
	if l.outputMode == "int" {
		return "int32"
	}
	return l.DType()
}

// Build checks the input: the layer has no weights.
func (l *DiscretizationLayer) Build(in []keras.Shape) error {
	_, err := l.OutputShapes(in)
	return err
}

// OutputShapes returns the input's shape for int, else the encoded shape.
func (l *DiscretizationLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 1); err != nil {
		return nil, err
	}
	s := in[0]
	depth := len(l.boundaries) + 1
	if l.boundaries == nil {
		depth = l.numBins
	}
	switch l.outputMode {
	case "int":
		return []keras.Shape{s.Clone()}, nil
	case "one_hot":
		out := s.Clone()
		if s.Rank() > 1 && s.Last() == 1 {
			out = out[:len(out)-1]
		}
		return []keras.Shape{append(out, depth)}, nil
	}
	if s.Rank() != 2 {
		return nil, keras.ShapeError("%s takes values of shape (batch, values), got %v", l.outputMode, s)
	}
	return []keras.Shape{{s[0], depth}}, nil
}

// Forward digitizes the values (internal/ops.Digitize) and encodes the bins.
func (l *DiscretizationLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	if l.boundaries == nil {
		return nil, fmt.Errorf("%w: Discretization %s has no bin boundaries: call Adapt first", keras.ErrInvalidArgument, l.Name())
	}
	x := in[0]
	if x.Dtype() != tensor.Float32 && x.Dtype() != tensor.Float64 {
		return nil, fmt.Errorf("%w: Discretization takes float values, got %v", keras.ErrDType, x.Dtype())
	}
	dt := ctx.FloatDType()
	if l.outputMode == "int" {
		dt = tensor.Int32
	}
	bins, err := internalops.Digitize(x, l.boundaries, dt)
	if err != nil || l.outputMode == "int" {
		return []*G.Node{bins}, err
	}
	y, err := internalops.CategoryEncoding(bins, l.outputMode, len(l.boundaries)+1, ctx.FloatDType())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", keras.ErrShape, err)
	}
	return []*G.Node{y}, nil
}

// Config returns Keras 3's Discretization config.
func (l *DiscretizationLayer) Config() map[string]any { return discretizationKeys.config(l) }
