package layers

import (
	"errors"
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// depthwiseCore is what DepthwiseConv1D/2D and SeparableConv1D/2D share: a depthwise
// convolution (each input channel filtered on its own by depth_multiplier kernels), followed,
// for the separable ones, by a pointwise (1×1) convolution to filters channels; then the bias
// and the activation, as Keras's BaseDepthwiseConv and BaseSeparableConv compute.
type depthwiseCore struct {
	convSpec
	separable       bool
	filters         int // separable only
	depthMultiplier int
	depthwiseInit   initializers.Initializer
	pointwiseInit   initializers.Initializer // separable only
	depthwise       *keras.Variable          // (k..., in, depth_multiplier)
	pointwise       *keras.Variable          // (1..., in·depth_multiplier, filters), separable only
}

// depthwiseFromOptions records a depthwise or separable convolution's arguments and options,
// unchecked: the layer's made checks them, as it checks a saved config's. class names the
// layer for the options it refuses.
func depthwiseFromOptions(class string, separable bool, filters int, kernelSize []int, o *options) (depthwiseCore, error) {
	spec, bErr := specFromOptions(kernelSize, o)
	c := depthwiseCore{convSpec: spec, separable: separable, filters: filters, depthMultiplier: o.depthMultiplier}
	refused := []string{"KernelInitializer", "OutputPadding"}
	if !separable {
		refused = append(refused, "PointwiseInitializer")
	}
	errs := []error{refuseOptions(o, class, refused...)}
	var err error
	c.depthwiseInit, err = initializerOf("DepthwiseInitializer", o.depthwiseInit)
	errs = append(errs, err)
	if separable {
		c.pointwiseInit, err = initializerOf("PointwiseInitializer", o.pointwiseInit)
		errs = append(errs, err)
	}
	return c, errors.Join(append(errs, bErr)...)
}

// depthwiseKeys is the Keras config of DepthwiseConv1D and DepthwiseConv2D.
func depthwiseKeys[L any](core func(*L) *depthwiseCore) configKeys[L] {
	k := specKeys(func(l *L) *convSpec { return &core(l).convSpec })
	return append(configKeys[L]{
		intKey("depth_multiplier", func(l *L) *int { return &core(l).depthMultiplier }, 1),
		k.kernelSize, k.strides, k.padding, k.dataFormat, k.dilation, k.activation, k.useBias,
		initializerKey("depthwise_initializer", func(l *L) *initializers.Initializer { return &core(l).depthwiseInit }, initializers.GlorotUniform),
		k.biasInit,
	}, nullKeys[L]("depthwise_regularizer", "bias_regularizer", "activity_regularizer", "depthwise_constraint", "bias_constraint")...)
}

// separableKeys is the Keras config of SeparableConv1D and SeparableConv2D.
func separableKeys[L any](core func(*L) *depthwiseCore) configKeys[L] {
	k := specKeys(func(l *L) *convSpec { return &core(l).convSpec })
	return append(configKeys[L]{
		intKey("depth_multiplier", func(l *L) *int { return &core(l).depthMultiplier }, 1),
		intKey("filters", func(l *L) *int { return &core(l).filters }, 0).req(),
		k.kernelSize, k.strides, k.padding, k.dataFormat, k.dilation, k.activation, k.useBias,
		initializerKey("depthwise_initializer", func(l *L) *initializers.Initializer { return &core(l).depthwiseInit }, initializers.GlorotUniform),
		initializerKey("pointwise_initializer", func(l *L) *initializers.Initializer { return &core(l).pointwiseInit }, initializers.GlorotUniform),
		k.biasInit,
	}, nullKeys[L]("depthwise_regularizer", "pointwise_regularizer", "bias_regularizer", "activity_regularizer",
		"depthwise_constraint", "pointwise_constraint", "bias_constraint")...)
}

// check sets the core's rank, expands its window sizes with their defaults and returns every
// problem with its values; paddings are the padding modes the layer takes.
func (c *depthwiseCore) check(rank int, paddings ...string) error {
	var errs []error
	if c.separable && c.filters <= 0 {
		errs = append(errs, fmt.Errorf("%w: filters must be positive, got %d", keras.ErrInvalidArgument, c.filters))
	}
	if c.depthMultiplier <= 0 {
		errs = append(errs, fmt.Errorf("%w: depth_multiplier (option DepthMultiplier) must be positive, got %d", keras.ErrInvalidArgument, c.depthMultiplier))
	}
	return joinChecks(errs, c.convSpec.check(rank, paddings...))
}

// outChannels is the number of output channels for in input channels.
func (c *depthwiseCore) outChannels(in int) int {
	if c.separable {
		return c.filters
	}
	return in * c.depthMultiplier
}

// build creates the depthwise kernel (k..., in, depth_multiplier), for the separable layers the
// pointwise kernel (1..., in·depth_multiplier, filters), and the bias, in Keras's order.
func (c *depthwiseCore) build(b *keras.LayerBase, in []keras.Shape) error {
	ch, err := c.inChannels(in)
	if err != nil {
		return err
	}
	ks := append(keras.Shape(nil), c.kernelSize...)
	ks = append(ks, ch, c.depthMultiplier)
	name := "kernel" // Keras's DepthwiseConv names its depthwise kernel "kernel"
	if c.separable {
		name = "depthwise_kernel"
	}
	if c.depthwise, err = b.AddWeightInit(name, ks, c.depthwiseInit, true); err != nil {
		return err
	}
	if c.separable {
		ps := append(keras.Shape(nil), repeatInt(1, c.rank)...)
		ps = append(ps, ch*c.depthMultiplier, c.filters)
		if c.pointwise, err = b.AddWeightInit("pointwise_kernel", ps, c.pointwiseInit, true); err != nil {
			return err
		}
	}
	return c.buildBias(b, c.outChannels(ch))
}

// outputShape is (batch, out..., channels out), None where the input length is unknown.
func (c *depthwiseCore) outputShape(in []keras.Shape) (keras.Shape, error) {
	built := c.depthwise.Shape()[c.rank]
	return c.convSpec.outputShape(in, built, c.outChannels(built))
}

// forward emits activation(pointwise(depthwise(x)) + bias), the pointwise product only for
// the separable layers, in channels-last layout throughout; a 1-D input runs as an image of
// height 1.
func (c *depthwiseCore) forward(ctx *keras.Context, x *G.Node) (*G.Node, error) {
	in, err := c.image(x)
	if err != nil {
		return nil, err
	}
	k4 := ctx.Var(c.depthwise)
	if c.rank == 1 {
		if k4, err = G.Reshape(k4, tensor.Shape{1, in.win.KW, in.ch, c.depthMultiplier}); err != nil {
			return nil, err
		}
	}
	z, err := internalops.DepthwiseConv(in.x4, k4, in.win)
	if err != nil {
		return nil, err
	}
	cm := in.ch * c.depthMultiplier
	if z, err = G.Reshape(z, tensor.Shape{in.b * in.oh * in.ow, cm}); err != nil {
		return nil, err
	}
	if c.separable {
		pmat, err := G.Reshape(ctx.Var(c.pointwise), tensor.Shape{cm, c.filters})
		if err != nil {
			return nil, err
		}
		if z, err = G.Mul(z, pmat); err != nil {
			return nil, err
		}
	}
	return c.finish(ctx, z, in, c.outChannels(in.ch))
}
