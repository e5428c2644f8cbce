package layers

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// NormalizationLayer shifts and scales its input to mean 0 and variance 1 with a mean and a
// variance per position of the kept axes, as Keras's Normalization preprocessing layer:
// (x − mean) / max(√variance, 1e-7), or x·max(√variance, 1e-7) + mean when inverted. The
// statistics are given to the constructor, or computed from data by Adapt (EfficientNet's
// first layers are an adapted Normalization). Adapted statistics are the non-trainable weights
// mean, variance and count, saved as Keras saves them; given ones are part of the config.
//
// # Input shape
//
// Any, the kept axes known. # Output shape: the input's.
type NormalizationLayer struct {
	keras.LayerBase
	axis   []int // the kept axes as given, batch 0, negative from the end; empty: one mean for all
	invert bool

	// Given statistics (nil when adapted): the flat values, their shape and the config value.
	mean, variance           []float64
	statShape                []int
	meanConfig, varianceConf any

	meanVar, varianceVar, count *keras.Variable // the adapted statistics, once built
	keep                        []int           // the kept axes, absolute, sorted, once built
	built                       keras.Shape     // the input shape the layer was built for
	pending                     *normStats      // statistics Adapt computed before Build
}

var _ keras.Layer = (*NormalizationLayer)(nil)

// normStats are a mean and a variance over the kept axes' shape, flat.
type normStats struct{ mean, variance []float64 }

// normalizationEpsilon is Keras's backend.epsilon(), the floor of the standard deviation.
const normalizationEpsilon = 1e-7

// Normalization returns a normalisation keeping axis (Keras's default is []int{-1}: one mean
// and variance per feature of the last axis; an empty or nil axis is Keras's None: one mean
// and variance for every value). mean and variance are nil to adapt the layer to data with
// Adapt, or both given: one value each (for every position), or the values of the kept axes'
// shape flattened in row-major order. invert maps normalised values back. Options: Name,
// Trainable, DType.
func Normalization(axis []int, mean, variance []float64, invert bool, opts ...Option) *NormalizationLayer {
	l := &NormalizationLayer{axis: append([]int{}, axis...), invert: invert}
	if mean != nil || variance != nil {
		l.mean, l.variance = append([]float64(nil), mean...), append([]float64(nil), variance...)
		l.statShape = []int{len(mean)}
		if len(mean) == 1 {
			l.statShape = nil
		}
		l.meanConfig, l.varianceConf = statConfig(l.mean), statConfig(l.variance)
	}
	return l.made(newOptions(opts))
}

// statConfig is the config value of given statistics: a number for one value, else a list.
func statConfig(v []float64) any {
	if len(v) == 1 {
		return v[0]
	}
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}

// normalizationKeys is Normalization's Keras config: axis a list (Keras writes its tuple),
// mean and variance null when adapted, else as given (a number or nested lists).
var normalizationKeys = configKeys[NormalizationLayer]{
	{name: "axis", null: true,
		write: func(l *NormalizationLayer) any {
			out := make([]any, len(l.axis))
			for i, a := range l.axis {
				out[i] = a
			}
			return out
		},
		read: func(r *configReader, key string, l *NormalizationLayer) {
			if r.cfg[key] == nil {
				l.axis = []int{}
				return
			}
			l.axis = r.ints(key, 0)
		},
		unset: func(l *NormalizationLayer) { l.axis = []int{-1} }},
	boolKey("invert", func(l *NormalizationLayer) *bool { return &l.invert }, false),
	{name: "mean",
		write: func(l *NormalizationLayer) any { return l.meanConfig },
		read: func(r *configReader, key string, l *NormalizationLayer) {
			l.meanConfig = r.cfg[key]
			l.mean, l.statShape = r.nested(key)
		}},
	{name: "variance",
		write: func(l *NormalizationLayer) any { return l.varianceConf },
		read: func(r *configReader, key string, l *NormalizationLayer) {
			l.varianceConf = r.cfg[key]
			var shape []int
			l.variance, shape = r.nested(key)
			if fmt.Sprint(shape) != fmt.Sprint(l.statShape) {
				r.fail("variance of shape %v and mean of shape %v differ", shape, l.statShape)
			}
		}},
}

func init() {
	registerLayer("Normalization", normalizationKeys, func(l *NormalizationLayer, o *options) keras.Layer { return l.made(o) })
}

// nested reads a number or nested lists of numbers (numpy's tolist) as flat values and their
// shape, bounded by MaxConfigInt values.
func (r *configReader) nested(key string) ([]float64, []int) {
	var shape []int
	for cur := r.cfg[key]; ; {
		l, ok := cur.([]any)
		if !ok {
			break
		}
		shape = append(shape, len(l))
		if len(l) == 0 {
			break
		}
		cur = l[0]
	}
	var out []float64
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if len(out) > MaxConfigInt {
			r.fail("%s has too many values", key)
			return
		}
		switch v := v.(type) {
		case float64:
			if depth != len(shape) {
				r.fail("%s is not a regular nested list", key)
			}
			out = append(out, v)
		case []any:
			if depth >= len(shape) || len(v) != shape[depth] {
				r.fail("%s is not a regular nested list", key)
				return
			}
			for _, e := range v {
				walk(e, depth+1)
			}
		default:
			r.fail("%s: %v is not a number", key, v)
		}
	}
	walk(r.cfg[key], 0)
	return out, shape
}

// made names the layer and checks the statistics, given to Normalization or read from a saved
// config; the axes are checked against the input in Build.
func (l *NormalizationLayer) made(o *options) *NormalizationLayer {
	initBase(&l.LayerBase, "Normalization", o)
	if (l.mean == nil) != (l.variance == nil) {
		l.SetErr(fmt.Errorf("%w: mean and variance must both be given, or neither (to adapt)", keras.ErrInvalidArgument))
	}
	if len(l.mean) != len(l.variance) {
		l.SetErr(fmt.Errorf("%w: mean has %d values, variance %d", keras.ErrInvalidArgument, len(l.mean), len(l.variance)))
	}
	if l.mean != nil && len(l.mean) == 0 {
		l.SetErr(fmt.Errorf("%w: mean and variance are empty", keras.ErrInvalidArgument))
	}
	if len(l.statShape) > len(l.axis) && len(l.mean) > 1 {
		l.SetErr(fmt.Errorf("%w: mean of shape %v has more axes than the %d kept (axis %v)", keras.ErrInvalidArgument, l.statShape, len(l.axis), l.axis))
	}
	for _, v := range l.variance {
		if !(v >= 0) || math.IsInf(v, 0) {
			l.SetErr(fmt.Errorf("%w: variance %v must be finite and ≥ 0", keras.ErrInvalidArgument, v))
			break
		}
	}
	return l
}

// Call applies the layer to x.
func (l *NormalizationLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "Normalization".
func (l *NormalizationLayer) ClassName() string { return "Normalization" }

// SupportsMasking reports that a mask passes through unchanged, as in Keras.
func (l *NormalizationLayer) SupportsMasking() bool { return true }

// keptAxes resolves the axes against an input shape (batch included): absolute, sorted,
// each known and not the batch.
func (l *NormalizationLayer) keptAxes(in keras.Shape) ([]int, error) {
	n := in.Rank()
	seen := make([]bool, n)
	for _, a := range l.axis {
		d := a
		if d < 0 {
			d += n
		}
		if d < 1 || d >= n {
			return nil, keras.ShapeError("axis %d is out of range for input shape %v (the batch axis cannot be kept)", a, in)
		}
		if in[d] < 0 {
			return nil, keras.ShapeError("kept axis %d of input shape %v must be known", a, in)
		}
		seen[d] = true
	}
	var keep []int
	for d := range seen {
		if seen[d] {
			keep = append(keep, d)
		}
	}
	return keep, nil
}

// keptShape is the statistics' shape: the input's along the kept axes.
func keptShape(in keras.Shape, keep []int) keras.Shape {
	s := keras.Shape{}
	for _, d := range keep {
		s = append(s, in[d])
	}
	return s
}

// check resolves the axes and checks the input against the shape the layer was built for.
func (l *NormalizationLayer) check(in []keras.Shape) ([]int, error) {
	if err := checkOneInput(in, 1); err != nil {
		return nil, err
	}
	keep, err := l.keptAxes(in[0])
	if err != nil {
		return nil, err
	}
	if l.built != nil {
		if in[0].Rank() != l.built.Rank() || !keptShape(in[0], keep).Equal(keptShape(l.built, l.keep)) {
			return nil, keras.ShapeError("input shape %v does not fit the statistics, built for input shape %v", in[0], l.built)
		}
	}
	if l.mean != nil {
		if _, err := l.given(keptShape(in[0], keep)); err != nil {
			return nil, err
		}
	}
	return keep, nil
}

// given expands the given statistics to the kept shape, as Keras broadcasts them: one value
// everywhere, or values of the trailing kept axes' shape repeated over the leading ones.
func (l *NormalizationLayer) given(kept keras.Shape) (*normStats, error) {
	size := kept.Size()
	if len(l.mean) != 1 {
		s := l.statShape
		if len(s) > kept.Rank() || !kept[kept.Rank()-len(s):].Equal(keras.Shape(s)) {
			return nil, keras.ShapeError("mean and variance of shape %v do not fit the kept axes' shape %v", s, kept)
		}
	}
	st := &normStats{mean: make([]float64, size), variance: make([]float64, size)}
	for i := range st.mean {
		st.mean[i] = l.mean[i%len(l.mean)]
		st.variance[i] = l.variance[i%len(l.variance)]
	}
	return st, nil
}

// Build creates the adapted statistics' weights, mean (zeros), variance (ones) and count, as
// Keras does, and fills them with statistics Adapt computed before. Keras's count is an int
// that adapt never changes; here it is a float weight of the layer's dtype, written as Keras
// reads it back.
func (l *NormalizationLayer) Build(in []keras.Shape) error {
	keep, err := l.check(in)
	if err != nil {
		return err
	}
	l.keep, l.built = keep, in[0].Clone()
	if l.mean != nil {
		return nil
	}
	s := keptShape(in[0], keep)
	if l.meanVar, err = l.AddWeightInit("mean", s, initializers.Zeros(), false); err != nil {
		return err
	}
	if l.varianceVar, err = l.AddWeightInit("variance", s, initializers.Ones(), false); err != nil {
		return err
	}
	if l.count, err = l.AddWeightInit("count", keras.Shape{}, initializers.Zeros(), false); err != nil {
		return err
	}
	if l.pending != nil {
		if len(l.pending.mean) != s.Size() {
			return keras.ShapeError("input shape %v does not fit the statistics Adapt computed (%d values)", in[0], len(l.pending.mean))
		}
		l.store(l.pending)
		l.pending = nil
	}
	return nil
}

// store copies statistics into the weights, which every realisation reads.
func (l *NormalizationLayer) store(st *normStats) {
	for _, p := range []struct {
		v    *keras.Variable
		vals []float64
	}{{l.meanVar, st.mean}, {l.varianceVar, st.variance}} {
		switch d := p.v.Value.Data().(type) {
		case []float32:
			for i, x := range p.vals {
				d[i] = float32(x)
			}
		case []float64:
			copy(d, p.vals)
		}
	}
}

// OutputShapes returns the input shape, once checked.
func (l *NormalizationLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if _, err := l.check(in); err != nil {
		return nil, err
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward computes (x − mean)/max(√variance, 1e-7) (or its inverse) with the statistics laid
// out over the input's trailing axes from the first kept one (axes in between repeated), which
// the kit's Sub and Div then repeat over the leading axes and the batch.
func (l *NormalizationLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	x := in[0]
	var mean, variance *G.Node
	if l.mean != nil {
		st, err := l.given(keptShape(keras.Shape(x.Shape()), l.keep))
		if err != nil {
			return nil, err
		}
		kept := []int(keptShape(keras.Shape(x.Shape()), l.keep))
		mean = constantOf(ctx, l.Name()+"/mean", kept, st.mean)
		variance = constantOf(ctx, l.Name()+"/variance", kept, st.variance)
	} else {
		mean, variance = o.Var(l.meanVar), o.Var(l.varianceVar)
	}
	mean, variance = l.spread(o, mean, x.Shape()), l.spread(o, variance, x.Shape())
	// max(√variance, ε) as ε + relu(√variance − ε): the kit's Maximum takes no scalar.
	std := o.Shift(o.Relu(o.Shift(o.Sqrt(variance), -normalizationEpsilon)), normalizationEpsilon)
	if l.invert {
		return o.Result(o.Add(o.Mul(x, std), mean))
	}
	return o.Result(o.Div(o.Sub(x, mean), std))
}

// spread lays statistics of the kept shape out over the input's axes from the first kept one
// to the last (the last alone when no axis is kept), repeating them along the axes in between
// that are not kept.
func (l *NormalizationLayer) spread(o *ops.Builder, v *G.Node, in tensor.Shape) *G.Node {
	n := len(in)
	first := n - 1
	if len(l.keep) > 0 {
		first = l.keep[0]
	}
	kept := make(map[int]bool, len(l.keep))
	for _, d := range l.keep {
		kept[d] = true
	}
	lay := make([]int, 0, n-first)
	for d := first; d < n; d++ {
		if kept[d] {
			lay = append(lay, in[d])
		} else {
			lay = append(lay, 1)
		}
	}
	v = o.Reshape(v, lay...)
	for d := first; d < n; d++ {
		if !kept[d] && in[d] != 1 {
			v = o.Tile(v, d-first, in[d])
		}
	}
	return v
}

// constantCount numbers the leaves constantOf makes.
var constantCount atomic.Int64

// constantOf is a constant node of the realisation's float dtype holding vals in shape,
// named name and a number of its own. Gorgonia's ExprGraph.AddNode returns an existing leaf
// of the same name, type and shape, and a layer's name is not unique in a graph: two models
// nested side by side (an ensemble of saved models) may each hold a Normalization named
// "normalization", and the second then normalised with the first one's statistics
// (TestNormalizationsOfOneNameKeepTheirStatistics).
func constantOf(ctx *keras.Context, name string, shape []int, vals []float64) *G.Node {
	name = fmt.Sprintf("%s#%d", name, constantCount.Add(1))
	if len(shape) == 0 {
		shape = []int{1} // a tensor, which spread reshapes; Gorgonia's scalars do not mix with tensors
	}
	var t *tensor.Dense
	if ctx.FloatDType() == tensor.Float64 {
		t = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), vals...)))
	} else {
		f := make([]float32, len(vals))
		for i, x := range vals {
			f[i] = float32(x)
		}
		t = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	// A leaf of the graph bound to the values (a G.NewConstant has no graph, which the kit's
	// Reshape needs).
	return G.NewTensor(ctx.Graph(), t.Dtype(), len(shape), G.WithShape(shape...), G.WithValue(t), G.WithName(name))
}

// Config returns Keras 3's Normalization config.
func (l *NormalizationLayer) Config() map[string]any { return normalizationKeys.config(l) }
