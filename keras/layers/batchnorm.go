package layers

import (
	"fmt"
	internalops "github.com/kerago/kerago/keras/internal/ops"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BatchNormalizationLayer normalises its input over the batch (and every axis but the
// feature axis) as Keras's BatchNormalization does: in training with the batch's mean and
// (biased) variance, then moving = moving·momentum + batch·(1-momentum); at inference with the
// moving statistics. y = gamma·(x - mean)/sqrt(var + epsilon) + beta.
//
// The moving statistics live in the layer's weights, shared by every cached graph, and are
// updated in Go after each training step (Gorgonia's BatchNorm op keeps them per graph, uses
// PyTorch's momentum and resets them when a machine is built).
//
// # Weights
//
// gamma (C,), beta (C,), moving_mean (C,), moving_variance (C,); the last two are not trained.
type BatchNormalizationLayer struct {
	keras.LayerBase
	axis          int
	momentum, eps float64
	center, scale bool

	gamma, beta, movingMean, movingVar *keras.Variable
}

var _ keras.Layer = (*BatchNormalizationLayer)(nil)

// BatchNormalization returns a batch normalisation layer over the last axis. Options:
// Momentum (0.99), Epsilon (1e-3), Center (true), Scale (true), Axis (-1, the last axis; any
// one feature axis, e.g. 1 for channels_first images).
func BatchNormalization(opts ...BatchNormalizationOption) *BatchNormalizationLayer {
	o := newOptions(opts)
	l := &BatchNormalizationLayer{axis: o.axis, momentum: o.momentum, eps: o.epsilon, center: o.center, scale: o.scale}
	return l.made(o)
}

// batchNormKeys is BatchNormalization's Keras config.
var batchNormKeys = configKeys[BatchNormalizationLayer]{
	{name: "axis", // Keras writes an int and reads an int or a list of them
		write: func(l *BatchNormalizationLayer) any { return l.axis },
		read: func(r *configReader, key string, l *BatchNormalizationLayer) {
			if axis := r.ints(key, 0); len(axis) == 1 {
				l.axis = axis[0]
			} else {
				r.fail("axis %v: only one axis is supported", r.cfg[key])
			}
		},
		unset: func(l *BatchNormalizationLayer) { l.axis = -1 }},
	floatKey("momentum", func(l *BatchNormalizationLayer) *float64 { return &l.momentum }, 0.99),
	floatKey("epsilon", func(l *BatchNormalizationLayer) *float64 { return &l.eps }, 1e-3),
	boolKey("center", func(l *BatchNormalizationLayer) *bool { return &l.center }, true),
	boolKey("scale", func(l *BatchNormalizationLayer) *bool { return &l.scale }, true),
	fixedInitializerKey[BatchNormalizationLayer]("beta_initializer", initializers.Zeros),
	fixedInitializerKey[BatchNormalizationLayer]("gamma_initializer", initializers.Ones),
	fixedInitializerKey[BatchNormalizationLayer]("moving_mean_initializer", initializers.Zeros),
	fixedInitializerKey[BatchNormalizationLayer]("moving_variance_initializer", initializers.Ones),
	nullKey[BatchNormalizationLayer]("beta_regularizer"),
	nullKey[BatchNormalizationLayer]("gamma_regularizer"),
	nullKey[BatchNormalizationLayer]("beta_constraint"),
	nullKey[BatchNormalizationLayer]("gamma_constraint"),
	constKey[BatchNormalizationLayer]("synchronized", false),
}

func init() {
	registerLayer("BatchNormalization", batchNormKeys, func(l *BatchNormalizationLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its values, given to BatchNormalization or read from a
// saved config.
func (l *BatchNormalizationLayer) made(o *options) *BatchNormalizationLayer {
	initBase(&l.LayerBase, "BatchNormalization", o)
	if l.momentum < 0 || l.momentum > 1 {
		l.SetErr(fmt.Errorf("%w: momentum must be in [0, 1], got %v", keras.ErrInvalidArgument, l.momentum))
	}
	if l.eps <= 0 {
		l.SetErr(fmt.Errorf("%w: epsilon must be positive, got %v", keras.ErrInvalidArgument, l.eps))
	}
	return l
}

// Call applies the layer to x.
func (l *BatchNormalizationLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "BatchNormalization".
func (l *BatchNormalizationLayer) ClassName() string { return "BatchNormalization" }

// SupportsMasking reports that a mask passes through unchanged.
func (l *BatchNormalizationLayer) SupportsMasking() bool { return true }

// Build creates gamma, beta and the moving statistics for the feature axis.
func (l *BatchNormalizationLayer) Build(in []keras.Shape) error {
	if err := checkOneInput(in, 2); err != nil {
		return err
	}
	ax, err := l.featureAxis(in[0]) // batchnorm_axis.go
	if err != nil {
		return err
	}
	c := in[0][ax]
	if c < 0 {
		return keras.ShapeError("the feature axis must be known, got input %v", in[0])
	}
	add := func(name, init string, trainable bool) *keras.Variable {
		if err != nil {
			return nil
		}
		var v *keras.Variable
		v, err = l.AddWeight(name, keras.Shape{c}, init, trainable)
		return v
	}
	if l.scale {
		l.gamma = add("gamma", "ones", true)
	}
	if l.center {
		l.beta = add("beta", "zeros", true)
	}
	l.movingMean = add("moving_mean", "zeros", false)
	l.movingVar = add("moving_variance", "ones", false)
	return err
}

// OutputShapes returns the input shape.
func (l *BatchNormalizationLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 2); err != nil {
		return nil, err
	}
	ax, err := l.featureAxis(in[0])
	if err != nil {
		return nil, err
	}
	if c := l.movingMean.Shape()[0]; in[0][ax] != c {
		return nil, keras.ShapeError("input has %d features along axis %d, the layer was built for %d", in[0][ax], ax, c)
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward normalises x with the batch statistics (training) or the moving ones, along the
// layer's axis (batchnorm_axis.go).
func (l *BatchNormalizationLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	y, err := l.forwardAxis(in[0], func(x *G.Node) (*G.Node, error) { return l.forwardLast(ctx, x) })
	if err != nil {
		return nil, err
	}
	return []*G.Node{y}, nil
}

// forwardLast normalises x along its last axis.
func (l *BatchNormalizationLayer) forwardLast(ctx *keras.Context, x *G.Node) (*G.Node, error) {
	shape := x.Shape()
	c := shape[len(shape)-1]
	rows := shape.TotalSize() / c
	// kerago's copying Reshape, not G.Reshape: Gorgonia's is a view of x's memory, and its
	// machine then ran the broadcast subtraction in place over it, overwriting x for the
	// layers that read x after this one (ResNet50V2's identity shortcuts, DenseNet's
	// concatenations: predictions off by 1e-5 to 1 depending on the moving statistics).
	x2, err := internalops.Reshape(x, tensor.Shape{rows, c})
	if err != nil {
		return nil, err
	}
	var centered, inv *G.Node
	if ctx.Training() && l.Trainable() {
		mean, err := G.Mean(x2, 0)
		if err != nil {
			return nil, err
		}
		// Safe: the broadcast operand (a view) is only read; the in-place write goes to this layer's own copy x2.
		if centered, err = G.BroadcastSub(x2, mean, nil, []byte{0}); err != nil {
			return nil, err
		}
		sq, err := G.Square(centered)
		if err != nil {
			return nil, err
		}
		variance, err := G.Mean(sq, 0)
		if err != nil {
			return nil, err
		}
		if inv, err = invStd(ctx, variance, l.eps); err != nil {
			return nil, err
		}
		meanVal, varVal := ctx.Read(mean), ctx.Read(variance)
		ctx.AfterStep(func() error { return l.updateMoving(*meanVal, *varVal) })
	} else {
		if centered, err = G.BroadcastSub(x2, ctx.Var(l.movingMean), nil, []byte{0}); err != nil {
			return nil, err
		}
		if inv, err = invStd(ctx, ctx.Var(l.movingVar), l.eps); err != nil {
			return nil, err
		}
	}
	y, err := G.BroadcastHadamardProd(centered, inv, nil, []byte{0})
	if err != nil {
		return nil, err
	}
	if l.scale {
		if y, err = G.BroadcastHadamardProd(y, ctx.Var(l.gamma), nil, []byte{0}); err != nil {
			return nil, err
		}
	}
	if l.center {
		if y, err = G.BroadcastAdd(y, ctx.Var(l.beta), nil, []byte{0}); err != nil {
			return nil, err
		}
	}
	return internalops.Reshape(y, shape)
}

// invStd returns 1/sqrt(v + eps). It is built as Inverse(Sqrt(.)): Gorgonia's InverseSqrt
// op has a wrong gradient (measured: off by orders of magnitude; see docs/gorgonia.md).
func invStd(ctx *keras.Context, v *G.Node, eps float64) (*G.Node, error) {
	s, err := G.Add(v, ctx.Constant(eps))
	if err != nil {
		return nil, err
	}
	if s, err = G.Sqrt(s); err != nil {
		return nil, err
	}
	return G.Inverse(s)
}

// updateMoving folds the batch statistics into the moving ones, as Keras does.
func (l *BatchNormalizationLayer) updateMoving(mean, variance G.Value) error {
	mv, ok1 := mean.(*tensor.Dense)
	vv, ok2 := variance.(*tensor.Dense)
	if !ok1 || !ok2 {
		return fmt.Errorf("%w: batch statistics of %s were not computed", keras.ErrInternal, l.Name())
	}
	m := l.momentum
	blend := func(dst *tensor.Dense, src *tensor.Dense) {
		switch d := dst.Data().(type) {
		case []float32:
			s := src.Data().([]float32)
			for i := range d {
				d[i] = float32(float64(d[i])*m + float64(s[i])*(1-m))
			}
		case []float64:
			s := src.Data().([]float64)
			for i := range d {
				d[i] = d[i]*m + s[i]*(1-m)
			}
		}
	}
	blend(l.movingMean.Value, mv)
	blend(l.movingVar.Value, vv)
	return nil
}

// Config returns Keras 3's BatchNormalization config.
func (l *BatchNormalizationLayer) Config() map[string]any { return batchNormKeys.config(l) }

// BatchNormalizationOption is an option BatchNormalization takes: Axis, Momentum, Epsilon,
// Center, Scale and the common options.
type BatchNormalizationOption interface {
	applier
	batchNormalization()
}

// batchNormOnly carries the options only BatchNormalization takes.
type batchNormOnly struct{ setter }

func (batchNormOnly) batchNormalization() {}

// Momentum sets BatchNormalization's momentum for the moving statistics (default 0.99).
func Momentum(f float64) BatchNormalizationOption {
	return batchNormOnly{func(o *options) { o.mark("Momentum"); o.momentum = f }}
}

// Epsilon sets BatchNormalization's epsilon (default 1e-3).
func Epsilon(f float64) BatchNormalizationOption {
	return batchNormOnly{func(o *options) { o.mark("Epsilon"); o.epsilon = f }}
}

// Center sets whether BatchNormalization adds the beta offset (default true).
func Center(b bool) BatchNormalizationOption {
	return batchNormOnly{func(o *options) { o.mark("Center"); o.center = b }}
}

// Scale sets whether BatchNormalization multiplies by gamma (default true).
func Scale(b bool) BatchNormalizationOption {
	return batchNormOnly{func(o *options) { o.mark("Scale"); o.scale = b }}
}
