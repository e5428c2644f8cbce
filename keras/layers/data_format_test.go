package layers_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// cf is the DataFormat option every case below gives.
var cf = layers.DataFormat(layers.ChannelsFirst)

// TestChannelsFirst runs every layer that takes data_format on a channels_first input, with
// Keras 3.15's outputs for the same weights and inputs (the golden file is made by loading
// the Go-saved .keras file in Keras, so the config and weights round-trip through Keras too).
// Output shapes are Keras's: the channel axis at position 1, none for Flatten and a global
// pooling without KeepDims.
func TestChannelsFirst(t *testing.T) {
	none := keras.None
	cases := []struct {
		name    string
		new     func() keras.Layer
		in, out keras.Shape
		weights []keras.Shape
		bad     keras.Shape
		noGrad  string
	}{
		{"conv1d", func() keras.Layer { return layers.Conv1D(3, 2, cf) }, keras.Shape{4, 6}, keras.Shape{none, 3, 5}, []keras.Shape{{2, 4, 3}, {3}}, keras.Shape{5, 6}, ""},
		{"conv2d_same_strided", func() keras.Layer { return layers.Conv2D(3, 3, layers.Strides(2), layers.Padding("same"), cf) }, keras.Shape{2, 5, 6}, keras.Shape{none, 3, 3, 3}, []keras.Shape{{3, 3, 2, 3}, {3}}, keras.Shape{3, 5, 6}, ""},
		{"depthwise_conv1d", func() keras.Layer { return layers.DepthwiseConv1D(2, layers.DepthMultiplier(2), cf) }, keras.Shape{3, 5}, keras.Shape{none, 6, 4}, []keras.Shape{{2, 3, 2}, {6}}, nil, ""},
		{"depthwise_conv2d", func() keras.Layer { return layers.DepthwiseConv2D(2, cf) }, keras.Shape{2, 4, 5}, keras.Shape{none, 2, 3, 4}, []keras.Shape{{2, 2, 2, 1}, {2}}, nil, ""},
		{"separable_conv1d", func() keras.Layer { return layers.SeparableConv1D(4, 3, layers.Padding("same"), cf) }, keras.Shape{3, 6}, keras.Shape{none, 4, 6}, []keras.Shape{{3, 3, 1}, {1, 3, 4}, {4}}, nil, ""},
		{"separable_conv2d", func() keras.Layer { return layers.SeparableConv2D(3, 2, cf) }, keras.Shape{2, 4, 4}, keras.Shape{none, 3, 3, 3}, []keras.Shape{{2, 2, 2, 1}, {1, 1, 2, 3}, {3}}, nil, ""},
		{"conv1d_transpose", func() keras.Layer { return layers.Conv1DTranspose(3, 2, layers.Strides(2), cf) }, keras.Shape{2, 4}, keras.Shape{none, 3, 8}, []keras.Shape{{2, 3, 2}, {3}}, nil, ""},
		{"conv2d_transpose", func() keras.Layer { return layers.Conv2DTranspose(2, 3, cf) }, keras.Shape{3, 4, 5}, keras.Shape{none, 2, 6, 7}, []keras.Shape{{3, 3, 2, 3}, {2}}, nil, ""},
		{"max_pooling1d", func() keras.Layer { return layers.MaxPooling1D(2, cf) }, keras.Shape{3, 6}, keras.Shape{none, 3, 3}, nil, nil, ""},
		{"average_pooling1d_same", func() keras.Layer { return layers.AveragePooling1D(3, layers.Strides(2), layers.Padding("same"), cf) }, keras.Shape{3, 7}, keras.Shape{none, 3, 4}, nil, nil, ""},
		{"max_pooling2d", func() keras.Layer { return layers.MaxPooling2D(2, cf) }, keras.Shape{3, 4, 5}, keras.Shape{none, 3, 2, 2}, nil, nil, ""},
		{"average_pooling2d_same", func() keras.Layer { return layers.AveragePooling2D(2, layers.Padding("same"), cf) }, keras.Shape{2, 5, 5}, keras.Shape{none, 2, 3, 3}, nil, nil, ""},
		{"global_average_pooling1d", func() keras.Layer { return layers.GlobalAveragePooling1D(cf) }, keras.Shape{3, 5}, keras.Shape{none, 3}, nil, nil, ""},
		{"global_max_pooling1d_keepdims", func() keras.Layer { return layers.GlobalMaxPooling1D(layers.KeepDims(true), cf) }, keras.Shape{3, 5}, keras.Shape{none, 3, 1}, nil, nil, ""},
		{"global_average_pooling2d_keepdims", func() keras.Layer { return layers.GlobalAveragePooling2D(layers.KeepDims(true), cf) }, keras.Shape{2, 3, 4}, keras.Shape{none, 2, 1, 1}, nil, nil, ""},
		{"global_max_pooling2d", func() keras.Layer { return layers.GlobalMaxPooling2D(cf) }, keras.Shape{2, 3, 4}, keras.Shape{none, 2}, nil, nil, ""},
		{"flatten", func() keras.Layer { return layers.Flatten(cf) }, keras.Shape{2, 3, 4}, keras.Shape{none, 24}, nil, nil, ""},
		{"up_sampling2d", func() keras.Layer { return layers.UpSampling2D(2, 3, cf) }, keras.Shape{2, 3, 2}, keras.Shape{none, 2, 6, 6}, nil, nil, ""},
		{"zero_padding1d", func() keras.Layer { return layers.ZeroPadding1D(1, 2, cf) }, keras.Shape{3, 4}, keras.Shape{none, 3, 7}, nil, nil, ""},
		{"zero_padding2d", func() keras.Layer { return layers.ZeroPadding2DSides(1, 0, 2, 1, cf) }, keras.Shape{2, 3, 3}, keras.Shape{none, 2, 4, 6}, nil, nil, ""},
		{"cropping2d", func() keras.Layer { return layers.Cropping2D(1, 0, 0, 1, cf) }, keras.Shape{2, 4, 4}, keras.Shape{none, 2, 3, 3}, nil, nil, ""},
		{"spatial_dropout2d", func() keras.Layer { return layers.SpatialDropout2D(0.5, cf) }, keras.Shape{3, 4, 4}, keras.Shape{none, 3, 4, 4}, nil, nil, "random in training"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lc := kerastest.LayerCase{
				New:          c.new,
				InputShapes:  []keras.Shape{c.in},
				OutputShapes: []keras.Shape{c.out},
				Weights:      c.weights,
				NoGradients:  c.noGrad,
				Golden:       "testdata/kit/channels_first_" + c.name + ".json",
			}
			if c.bad != nil {
				lc.BadInputs = [][]keras.Shape{{c.bad}}
			}
			kerastest.RunLayerTest(t, lc)
		})
	}
}

// TestDataFormatRefused: a layer without Keras's data_format refuses the option, a bad value
// is refused naming the option, and a saved channels_first config of such a layer is
// refused by name.
func TestDataFormatRefused(t *testing.T) {
	x := keras.Input(keras.Shape{3, 4})
	for _, c := range []struct {
		name string
		out  *keras.Tensor
		want string
	}{
		{"Dense", layers.Dense(2, layers.DataFormat(layers.ChannelsFirst)).Call(x), "Dense takes no option DataFormat"},
		{"UpSampling1D", layers.UpSampling1D(2, layers.DataFormat(layers.ChannelsFirst)).Call(x), "UpSampling1D takes no option DataFormat"},
		{"bad value", layers.Conv1D(2, 2, layers.DataFormat("channels_middle")).Call(x), `"channels_middle"`},
	} {
		err := c.out.Err()
		if !errors.Is(err, keras.ErrInvalidArgument) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want ErrInvalidArgument naming %s", c.name, err, c.want)
		}
	}
	_, err := keras.DeserializeLayer(map[string]any{"class_name": "Cropping1D", "config": map[string]any{"name": "c", "cropping": []any{1.0, 1.0}, "data_format": "channels_first"}})
	if !errors.Is(err, keras.ErrInvalidArgument) || !strings.Contains(err.Error(), "data_format") {
		t.Errorf("Cropping1D with data_format channels_first: got %v, want ErrInvalidArgument naming data_format", err)
	}
	l, err := keras.DeserializeLayer(map[string]any{"class_name": "Conv2D", "config": map[string]any{"name": "c", "filters": 2.0, "kernel_size": []any{3.0, 3.0}, "data_format": "channels_first"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Config()["data_format"]; got != "channels_first" {
		t.Errorf("Conv2D data_format read back as %v, want channels_first", got)
	}
}

// TestChannelsFirstShapeError: a channels_first layer's shape error says the shapes it names
// are its input seen channels_last.
func TestChannelsFirstShapeError(t *testing.T) {
	x := keras.Input(keras.Shape{3, 4, 4})
	y := layers.Conv2D(2, 3, cf).Call(x)
	z := layers.Conv2D(2, 3, cf).Call(keras.Input(keras.Shape{3, 2, 4}))
	if err := y.Err(); err != nil {
		t.Fatal(err)
	}
	err := z.Err()
	if !errors.Is(err, keras.ErrShape) || !strings.Contains(err.Error(), "channels_first") {
		t.Errorf("kernel 3 over height 2: got %v, want ErrShape mentioning channels_first", err)
	}
}

// TestBatchNormalizationAxis1 runs BatchNormalization over axis 1, the channel axis of a
// channels_first image, as Keras's BatchNormalization(axis=1), with Keras 3.15's outputs.
func TestBatchNormalizationAxis1(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.BatchNormalization(layers.Axis(1)) },
		InputShapes:  []keras.Shape{{3, 4, 5}},
		OutputShapes: []keras.Shape{{keras.None, 3, 4, 5}},
		Weights:      []keras.Shape{{3}, {3}, {3}, {3}},
		NonTrainable: 2,
		BadInputs:    [][]keras.Shape{{{4, 4, 5}}},
		Golden:       "testdata/kit/batch_normalization_axis1.json",
	})
	if err := layers.BatchNormalization(layers.Axis(0)).Call(keras.Input(keras.Shape{3, 4})).Err(); !errors.Is(err, keras.ErrShape) || !strings.Contains(err.Error(), "axis 0") {
		t.Errorf("axis 0 (the batch): got %v, want ErrShape naming axis 0", err)
	}
}
