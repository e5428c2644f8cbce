package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
)

// This file is Keras's data_format argument, once for every layer that takes it: the
// convolutions, the poolings, Flatten, UpSampling2D, ZeroPadding1D/2D, Cropping2D and
// SpatialDropout2D. Every one of them computes in the channels_last layout; a
// channels_first layer moves its input's channel axis (axis 1) to the end with a copying
// transpose, runs the channels_last path unchanged, and moves the channel axis of each output
// of rank 3 or more back to axis 1. So its weights, which Keras also stores in one layout
// whatever the data_format, and its numbers are those of the channels_last layer, and a
// kernel written for channels_last serves both.

// ChannelsLast and ChannelsFirst are Keras's two data formats: channels_last inputs are
// (batch, spatial…, channels), channels_first ones (batch, channels, spatial…).
const (
	ChannelsLast  = "channels_last"
	ChannelsFirst = "channels_first"
)

// dataFormat is a layer's data_format, ChannelsLast or ChannelsFirst; the empty value is
// channels_last, Keras's default (keras.config.image_data_format()).
type dataFormat string

// dataFormatClasses are the layer classes that take data_format, as Keras 3.15's do. The
// DataFormat option given to another layer, and a saved data_format other than
// channels_last in another class's config, are refused by name.
var dataFormatClasses = map[string]bool{
	"Conv1D": true, "Conv2D": true, "Conv1DTranspose": true, "Conv2DTranspose": true,
	"DepthwiseConv1D": true, "DepthwiseConv2D": true, "SeparableConv1D": true, "SeparableConv2D": true,
	"MaxPooling1D": true, "MaxPooling2D": true, "AveragePooling1D": true, "AveragePooling2D": true,
	"GlobalMaxPooling1D": true, "GlobalMaxPooling2D": true, "GlobalAveragePooling1D": true, "GlobalAveragePooling2D": true,
	"Flatten": true, "UpSampling2D": true, "ZeroPadding1D": true, "ZeroPadding2D": true,
	"Cropping2D": true, "SpatialDropout2D": true,
}

// DataFormat sets Keras's data_format: ChannelsLast ("channels_last", the default: inputs are
// (batch, spatial…, channels)) or ChannelsFirst ("channels_first": (batch, channels,
// spatial…)). The layers that take it are the 1-D and 2-D convolutions (plain, depthwise,
// separable, transposed), the poolings and global poolings, Flatten, UpSampling2D,
// ZeroPadding1D/2D, Cropping2D and SpatialDropout2D; any other layer refuses it by name.
// A channels_first layer computes as the channels_last one on its input with the channel axis
// moved last (with a copy), and gives its outputs the channel axis back at position 1.
func DataFormat(format string) CommonOption {
	return CommonOption{func(o *options) { o.mark("DataFormat"); o.dataFormat = format }}
}

// dataFormatKey is the data_format key of a layer config, read into field: a missing or null
// value is channels_last, and made checks the value as it checks the option.
func dataFormatKey[L any](field func(*L) *dataFormat) configKey[L] {
	return configKey[L]{name: "data_format",
		write: func(l *L) any { return string(field(l).orLast()) },
		read:  func(r *configReader, key string, l *L) { *field(l) = dataFormat(r.str(key, ChannelsLast)) },
		unset: func(l *L) { *field(l) = ChannelsLast }}
}

// made takes the DataFormat option when given (a saved config sets the field through its
// key instead) and returns an error unless the format is one of Keras's two.
func (f *dataFormat) made(o *options) error {
	if o.set["DataFormat"] {
		*f = dataFormat(o.dataFormat)
	}
	*f = f.orLast()
	if *f != ChannelsLast && *f != ChannelsFirst {
		return fmt.Errorf("%w: data_format (option DataFormat) %q: want %q or %q", keras.ErrInvalidArgument, string(*f), ChannelsLast, ChannelsFirst)
	}
	return nil
}

// refuseDataFormat is initBase's check that a layer not taking data_format was not given one.
func refuseDataFormat(o *options, class string) error {
	if o.set["DataFormat"] && !dataFormatClasses[class] {
		return fmt.Errorf("%w: %s takes no option DataFormat (no data_format in Keras)", keras.ErrInvalidArgument, class)
	}
	return nil
}

func (f dataFormat) orLast() dataFormat {
	if f == "" {
		return ChannelsLast
	}
	return f
}

func (f dataFormat) first() bool { return f == ChannelsFirst }

// toLast is the permutation moving axis 1 of a rank-n tensor last; toFirst undoes it.
func toLast(n int) []int {
	p := []int{0}
	for i := 2; i < n; i++ {
		p = append(p, i)
	}
	return append(p, 1)
}

func toFirst(n int) []int {
	p := []int{0, n - 1}
	for i := 1; i < n-1; i++ {
		p = append(p, i)
	}
	return p
}

// movedShape permutes s by perm (axis i of the result is axis perm[i] of s).
func movedShape(s keras.Shape, perm []int) keras.Shape {
	out := make(keras.Shape, len(perm))
	for i, p := range perm {
		out[i] = s[p]
	}
	return out
}

// lastShapes returns the input shapes as the channels_last path sees them. Shapes of rank
// below 3 have no channel axis to move and pass unchanged, for the layer to refuse.
func (f dataFormat) lastShapes(in []keras.Shape) []keras.Shape {
	if !f.first() {
		return in
	}
	out := make([]keras.Shape, len(in))
	for i, s := range in {
		out[i] = s
		if s.Rank() >= 3 {
			out[i] = movedShape(s, toLast(s.Rank()))
		}
	}
	return out
}

// wrapErr says, in a channels_first layer's shape error, that the shapes it names are the
// input seen channels_last.
func (f dataFormat) wrapErr(err error, in []keras.Shape) error {
	if err == nil || !f.first() {
		return err
	}
	return fmt.Errorf("%w (data_format channels_first: the layer computes on its input %v with the channel axis moved last)", err, in)
}

// build runs a channels_last Build on the input shapes moved to channels_last.
func (f dataFormat) build(in []keras.Shape, build func([]keras.Shape) error) error {
	return f.wrapErr(build(f.lastShapes(in)), in)
}

// outputShapes runs a channels_last OutputShapes and moves each output's channel axis (last)
// back to axis 1; outputs of rank 2 or less (Flatten's, a global pooling's) have none.
func (f dataFormat) outputShapes(in []keras.Shape, shapes func([]keras.Shape) ([]keras.Shape, error)) ([]keras.Shape, error) {
	out, err := shapes(f.lastShapes(in))
	if err != nil || !f.first() {
		return out, f.wrapErr(err, in)
	}
	moved := make([]keras.Shape, len(out))
	for i, s := range out {
		moved[i] = s
		if s.Rank() >= 3 {
			moved[i] = movedShape(s, toFirst(s.Rank()))
		}
	}
	return moved, nil
}

// forward runs a channels_last Forward on the inputs transposed to channels_last and
// transposes its outputs of rank 3 or more back. The transposes copy (internal/ops
// Transpose), so no register the tape machine reuses is a view of the layer's input.
func (f dataFormat) forward(in []*G.Node, fwd func([]*G.Node) ([]*G.Node, error)) ([]*G.Node, error) {
	if !f.first() {
		return fwd(in)
	}
	last := make([]*G.Node, len(in))
	for i, x := range in {
		last[i] = x
		if x.Dims() >= 3 {
			var err error
			if last[i], err = internalops.Transpose(x, toLast(x.Dims())...); err != nil {
				return nil, err
			}
		}
	}
	out, err := fwd(last)
	if err != nil {
		return nil, err
	}
	for i, y := range out {
		if y != nil && y.Dims() >= 3 {
			if out[i], err = internalops.Transpose(y, toFirst(y.Dims())...); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
