package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BatchNormalizationLayer normalises its input over the batch (and every axis but the
// feature axis) as Keras's BatchNormalization does: in training with the batch's mean and
// (biased) variance, then moving = moving·momentum + batch·(1-momentum); at inference with the
// moving statistics. y = gamma·(x - mean)/sqrt(var + epsilon) + beta.
//
// # Masks
//
// Given a mask (after Embedding with MaskZero, or Masking), the layer computes its training
// statistics as Keras 3 does: over the valid positions only, mean = Σm·x / (Σm + 1e-7) and
// variance = Σm·(x - mean)² / (Σm + 1e-7), so padding does not shift them; these update the
// moving statistics; every position, padding included, is normalised with them; and the
// mask passes on unchanged. At inference the moving statistics are used and the mask only
// passes on. The mask must have one axis less than the input (Keras's rule), and a masked
// input in training needs the feature axis to be the last one.
//
// The layer is one op pair (keras/internal/ops batchnorm.go) with a hand-written backward op:
// the batch's mean and variance, Σdy and Σdy·x̂ are summed in float64 and kept in float64
// between the forward and the backward, so a float32 model's BatchNormalization is as
// accurate as rounding its float64 result (docs/applications.md).
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
// layer's axis (batchnorm_axis.go). In training, a mask on x (Embedding with MaskZero,
// Masking) keeps the masked positions out of the batch statistics, as in Keras.
func (l *BatchNormalizationLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	var mask *G.Node
	if ctx.Training() && l.Trainable() {
		var err error
		if mask, err = l.trainingMask(ctx, in[0]); err != nil {
			return nil, err
		}
	}
	y, err := l.forwardAxis(in[0], func(x *G.Node) (*G.Node, error) { return l.forwardLast(ctx, x, mask) })
	if err != nil {
		return nil, err
	}
	return []*G.Node{y}, nil
}

// trainingMask returns the mask the batch statistics are computed under: x's mask, which
// Keras requires to have one axis less than x (expand_dims(mask, -1) broadcast over the last
// axis), or nil. A mask with an axis other than the last is refused: it weighs the
// transposed input by other than whole rows, which the masked ops do not compute.
func (l *BatchNormalizationLayer) trainingMask(ctx *keras.Context, x *G.Node) (*G.Node, error) {
	mask := ctx.Mask(x)
	if mask == nil {
		return nil, nil
	}
	s := x.Shape()
	if want := s[:len(s)-1]; !mask.Shape().Eq(want) {
		return nil, keras.ShapeError("the mask of input %v has shape %v; Keras's BatchNormalization wants one dimension less than the input, %v", s, mask.Shape(), want)
	}
	a, err := l.featureAxis(keras.Shape(s))
	if err != nil {
		return nil, err
	}
	if a != len(s)-1 {
		return nil, keras.ShapeError("axis %d with a masked input %v: masked batch statistics are computed over the last axis only (give the layer an unmasked input, or axis -1)", l.axis, s)
	}
	return mask, nil
}

// forwardLast normalises x along its last axis with kerago's batch normalisation ops
// (internal/ops batchnorm.go): in training the batch's Moments, in float64 sums, and one
// BatchNorm op whose backward op differentiates through them; at inference the moving
// statistics. Keras's formulas: y = x·inv + (beta - mean·inv), inv = gamma/sqrt(var + eps).
// The ops read x and never write into it, so a layer reading x after this one (ResNet50V2's
// identity shortcuts, DenseNet's concatenations) sees x.
//
// With a mask (training only) the statistics are Keras's masked ones, MaskedMoments
// (internal/ops batchnorm_mask.go): the valid rows' sums over their count + 1e-7. Every
// position, masked ones included, is normalised with them, and they update the moving
// statistics as the unmasked ones do.
func (l *BatchNormalizationLayer) forwardLast(ctx *keras.Context, x, mask *G.Node) (*G.Node, error) {
	var mean, variance, gamma, beta *G.Node
	training := ctx.Training() && l.Trainable()
	if training {
		var err error
		if mask != nil {
			mean, variance, err = internalops.MaskedMoments(x, mask)
		} else {
			mean, variance, err = internalops.Moments(x)
		}
		if err != nil {
			return nil, err
		}
		meanVal, varVal := ctx.Read(mean), ctx.Read(variance)
		ctx.AfterStep(func() error { return l.updateMoving(*meanVal, *varVal) })
	} else {
		mean, variance = ctx.Var(l.movingMean), ctx.Var(l.movingVar)
	}
	if l.scale {
		gamma = ctx.Var(l.gamma)
	}
	if l.center {
		beta = ctx.Var(l.beta)
	}
	if training && mask != nil {
		return internalops.MaskedBatchNorm(x, mask, mean, variance, gamma, beta, l.eps)
	}
	return internalops.BatchNorm(x, mean, variance, gamma, beta, l.eps, training)
}

// updateMoving folds the batch statistics into the moving ones, as Keras does: moving·momentum
// + batch·(1 - momentum). The batch statistics are float64 (internal/ops Moments); the blend
// runs in float64 and is rounded once to the weights' dtype.
func (l *BatchNormalizationLayer) updateMoving(mean, variance G.Value) error {
	mv, ok1 := mean.(*tensor.Dense)
	vv, ok2 := variance.(*tensor.Dense)
	if !ok1 || !ok2 || mv.Dtype() != tensor.Float64 || vv.Dtype() != tensor.Float64 {
		return fmt.Errorf("%w: batch statistics of %s were not computed (got %T, %T)", keras.ErrInternal, l.Name(), mean, variance)
	}
	m := l.momentum
	blend := func(dst *tensor.Dense, src []float64) {
		switch d := dst.Data().(type) {
		case []float32:
			for i := range d {
				d[i] = float32(float64(d[i])*m + src[i]*(1-m))
			}
		case []float64:
			for i := range d {
				d[i] = d[i]*m + src[i]*(1-m)
			}
		}
	}
	blend(l.movingMean.Value, mv.Float64s())
	blend(l.movingVar.Value, vv.Float64s())
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
