package layers

import (
	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// DenseLayer is a fully connected layer: y = activation(x·kernel + bias), along the last axis
// of inputs of any rank ≥ 2.
//
// # Weights
//
// kernel (in, units), bias (units,).
//
// # Input shape
//
// (batch, ..., in). # Output shape: (batch, ..., units).
type DenseLayer struct {
	keras.LayerBase
	units      int
	activation string
	useBias    bool
	kernelInit initializers.Initializer
	biasInit   initializers.Initializer
	pen        penalties
	kernel     *keras.Variable
	bias       *keras.Variable
}

var _ keras.Layer = (*DenseLayer)(nil)

// Dense returns a densely connected layer of units outputs. Options: Activation (default
// none), UseBias (true), KernelInitializer ("glorot_uniform"), BiasInitializer ("zeros"),
// KernelRegularizer, BiasRegularizer, KernelConstraint, BiasConstraint (none), Name,
// Trainable.
func Dense(units int, opts ...DenseOption) *DenseLayer {
	o := newOptions(opts)
	l := &DenseLayer{units: units, activation: o.activation, useBias: o.useBias}
	l.kernelInit = resolveInit(&l.LayerBase, "KernelInitializer", o.kernelInitializer)
	l.biasInit = resolveInit(&l.LayerBase, "BiasInitializer", o.biasInitializer)
	var err error
	l.pen, err = penaltiesOf(o)
	l.SetErr(err)
	return l.made(o)
}

// denseKeys is Dense's Keras config: Config writes it and LoadModel reads it back.
var denseKeys = append(configKeys[DenseLayer]{
	intKey("units", func(l *DenseLayer) *int { return &l.units }, 0).req(),
	activationKey("activation", func(l *DenseLayer) *string { return &l.activation }),
	boolKey("use_bias", func(l *DenseLayer) *bool { return &l.useBias }, true),
	initializerKey("kernel_initializer", func(l *DenseLayer) *initializers.Initializer { return &l.kernelInit }, initializers.GlorotUniform),
	initializerKey("bias_initializer", func(l *DenseLayer) *initializers.Initializer { return &l.biasInit }, initializers.Zeros),
}, penaltyKeys(func(l *DenseLayer) *penalties { return &l.pen })...)

func init() {
	registerLayer("Dense", denseKeys, func(l *DenseLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its values, given to Dense or read from a saved config.
func (l *DenseLayer) made(o *options) *DenseLayer {
	initBase(&l.LayerBase, "Dense", o)
	if l.units <= 0 {
		l.SetErr(keras.ShapeError("units must be positive, got %d", l.units))
	}
	l.SetErr(checkActivation(l.activation))
	return l
}

// Call applies the layer to x.
func (l *DenseLayer) Call(inputs ...*keras.Tensor) *keras.Tensor { return keras.CallOne(l, inputs...) }

// ClassName returns "Dense".
func (l *DenseLayer) ClassName() string { return "Dense" }

// SupportsMasking reports that a mask passes through Dense unchanged.
func (l *DenseLayer) SupportsMasking() bool { return true }

// Build creates the kernel and bias for the input's last dimension.
func (l *DenseLayer) Build(in []keras.Shape) error {
	if err := checkOneInput(in, 2); err != nil {
		return err
	}
	d := in[0].Last()
	if d < 0 {
		return keras.ShapeError("the last dimension of the input must be known, got %v", in[0])
	}
	var err error
	if l.kernel, err = l.AddWeightInit("kernel", keras.Shape{d, l.units}, l.kernelInit, true); err != nil {
		return err
	}
	if l.useBias {
		if l.bias, err = l.AddWeightInit("bias", keras.Shape{l.units}, l.biasInit, true); err != nil {
			return err
		}
	}
	l.pen.attach(l.kernel, l.bias)
	return nil
}

// OutputShapes replaces the last dimension with units.
func (l *DenseLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 2); err != nil {
		return nil, err
	}
	if d := l.kernel.Shape()[0]; in[0].Last() != d {
		return nil, keras.ShapeError("input has %d features, the layer was built for %d (input shape %v)", in[0].Last(), d, in[0])
	}
	out := in[0].Clone()
	out[len(out)-1] = l.units
	return []keras.Shape{out}, nil
}

// Forward emits activation(x·kernel + bias), as Keras's Dense.call. On float tensors the
// product, the bias and a linear, relu or tanh activation are one op with a hand-written
// gradient (internal/ops.Dense); softmax and sigmoid follow it as ops of their own, so the
// losses still see the logits; other dtypes take Gorgonia's MatMul and Add.
func (l *DenseLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	if x := in[0]; x.Dtype() == tensor.Float32 || x.Dtype() == tensor.Float64 {
		act, fused := internalops.DenseActOf(l.activation)
		var bias *G.Node
		if l.useBias {
			bias = o.Var(l.bias)
		}
		kernel := o.Var(l.kernel)
		if err := o.Err(); err != nil {
			return nil, err
		}
		y, err := internalops.Dense(x, kernel, bias, act)
		if err != nil {
			return nil, keras.ShapeError("%v", err)
		}
		if fused {
			return []*G.Node{y}, nil
		}
		return o.Result(o.Activation(l.activation, y))
	}
	y := o.MatMul(in[0], o.Var(l.kernel))
	if l.useBias {
		y = o.Add(y, o.Var(l.bias))
	}
	return o.Result(o.Activation(l.activation, y))
}

// Config returns Keras 3's Dense config.
func (l *DenseLayer) Config() map[string]any { return denseKeys.config(l) }

// PaddingRole reports that each time step is computed on its own and the mask passes through,
// so batches of masked token ids may be bucketed (see keras.PaddingRole).
func (l *DenseLayer) PaddingRole() keras.PaddingRole { return keras.PaddingStepwise }

// DenseOption is an option Dense takes: Activation, UseBias, KernelInitializer,
// BiasInitializer and the common options.
type DenseOption interface {
	applier
	dense()
}
