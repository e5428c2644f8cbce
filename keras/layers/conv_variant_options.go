package layers

import (
	"errors"
	"fmt"

	"github.com/kerago/kerago/keras"
)

// ConvVariantOption is an option of the depthwise, separable and transposed convolutions
// (DepthwiseConv1D/2D, SeparableConv1D/2D, Conv1DTranspose/Conv2DTranspose): DepthMultiplier,
// DepthwiseInitializer, PointwiseInitializer, OutputPadding. It satisfies Conv1DOption and
// Conv2DOption, whose options these layers take; a layer given one it has no Keras argument
// for (Conv2D given DepthMultiplier, DepthwiseConv2D given OutputPadding) refuses it by name.
type ConvVariantOption struct{ setter }

func (ConvVariantOption) conv1D() {}
func (ConvVariantOption) conv2D() {}

// DepthMultiplier sets how many output channels a depthwise or separable convolution computes
// from each input channel (Keras's depth_multiplier, default 1).
func DepthMultiplier(n int) ConvVariantOption {
	return ConvVariantOption{func(o *options) { o.mark("DepthMultiplier"); o.depthMultiplier = n }}
}

// DepthwiseInitializer sets the initializer of a depthwise or separable convolution's
// depthwise kernel, by Keras name or as an initializers.Initializer (default
// "glorot_uniform").
func DepthwiseInitializer(init any) ConvVariantOption {
	return ConvVariantOption{func(o *options) { o.mark("DepthwiseInitializer"); o.depthwiseInit = init }}
}

// PointwiseInitializer sets the initializer of a separable convolution's pointwise (1×1)
// kernel, by Keras name or as an initializers.Initializer (default "glorot_uniform").
func PointwiseInitializer(init any) ConvVariantOption {
	return ConvVariantOption{func(o *options) { o.mark("PointwiseInitializer"); o.pointwiseInit = init }}
}

// OutputPadding sets a transposed convolution's output_padding: one value for every spatial
// axis or one per axis, each at least 0 and less than the stride along its axis. It adds rows
// or columns at the end of the output (Keras's default, no OutputPadding, is null: the output
// is input·strides with "same" padding, (input−1)·strides + max(kernel, strides) with "valid").
func OutputPadding(p ...int) ConvVariantOption {
	return ConvVariantOption{func(o *options) { o.mark("OutputPadding"); o.outputPadding = append([]int{}, p...) }}
}

// refuseOptions returns an error naming each of the options given that class does not take.
func refuseOptions(o *options, class string, names ...string) error {
	var errs []error
	for _, n := range names {
		if o.set[n] {
			errs = append(errs, fmt.Errorf("%w: %s takes no option %s", keras.ErrInvalidArgument, class, n))
		}
	}
	return errors.Join(errs...)
}
