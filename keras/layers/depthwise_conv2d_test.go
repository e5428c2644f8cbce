package layers_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestDepthwiseConv2DKit runs DepthwiseConv2D through the layer kit against Keras 3: a depth
// multiplier of 2 with strides 2 and "same" padding (MobileNet's downsampling block), and a
// rectangular dilated kernel without bias.
func TestDepthwiseConv2DKit(t *testing.T) {
	t.Run("mult2_same_strided_relu", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New: func() keras.Layer {
				return layers.DepthwiseConv2D(3, layers.DepthMultiplier(2), layers.Strides(2), layers.Padding("same"), layers.Activation("relu"))
			},
			InputShapes:  []keras.Shape{{5, 6, 3}},
			OutputShapes: []keras.Shape{{keras.None, 3, 3, 6}},
			Weights:      []keras.Shape{{3, 3, 3, 2}, {6}},
			BadInputs:    [][]keras.Shape{{{5, 6, 4}}, {{5, 6}}},
			Golden:       "testdata/kit/depthwise_conv2d_mult2_same_strided.json",
		})
	})
	t.Run("rect_valid_dilated_nobias", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New: func() keras.Layer {
				return layers.DepthwiseConv2D(0, layers.KernelSize2D(2, 3), layers.DilationRate(2, 1), layers.UseBias(false))
			},
			InputShapes:  []keras.Shape{{6, 5, 2}},
			OutputShapes: []keras.Shape{{keras.None, 4, 3, 2}},
			Weights:      []keras.Shape{{2, 3, 2, 1}},
			BadInputs:    [][]keras.Shape{{{6, 5, 3}}},
			Golden:       "testdata/kit/depthwise_conv2d_rect_valid_dilated.json",
		})
	})
}

// TestConvVariantErrors checks that each convolution refuses the options it has no Keras
// argument for, and bad values of the new ones, naming the layer and the option.
func TestConvVariantErrors(t *testing.T) {
	runConvErrCases(t, []convErrCase{
		{"Conv2D with DepthMultiplier", keras.Shape{8, 8, 3}, func() caller { return layers.Conv2D(2, 3, layers.DepthMultiplier(2)) }, keras.ErrInvalidArgument, []string{"Conv2D takes no option DepthMultiplier"}},
		{"Conv1D with OutputPadding", keras.Shape{8, 3}, func() caller { return layers.Conv1D(2, 3, layers.OutputPadding(1)) }, keras.ErrInvalidArgument, []string{"Conv1D takes no option OutputPadding"}},
		{"DepthwiseConv2D with KernelInitializer", keras.Shape{8, 8, 3}, func() caller { return layers.DepthwiseConv2D(3, layers.KernelInitializer("ones")) }, keras.ErrInvalidArgument, []string{"DepthwiseConv2D takes no option KernelInitializer"}},
		{"DepthwiseConv2D with PointwiseInitializer", keras.Shape{8, 8, 3}, func() caller { return layers.DepthwiseConv2D(3, layers.PointwiseInitializer("ones")) }, keras.ErrInvalidArgument, []string{"PointwiseInitializer"}},
		{"zero depth multiplier", keras.Shape{8, 8, 3}, func() caller { return layers.DepthwiseConv2D(3, layers.DepthMultiplier(0)) }, keras.ErrInvalidArgument, []string{"depth_multiplier"}},
		{"separable causal", keras.Shape{8, 3}, func() caller { return layers.SeparableConv1D(2, 3, layers.Padding("causal")) }, keras.ErrInvalidArgument, []string{`"causal"`}},
		{"separable no filters", keras.Shape{8, 8, 3}, func() caller { return layers.SeparableConv2D(0, 3) }, keras.ErrInvalidArgument, []string{"filters"}},
		{"depthwise kernel too big", keras.Shape{2, 8, 3}, func() caller { return layers.DepthwiseConv2D(3) }, keras.ErrShape, []string{"kernel size 3", "axis 1"}},
		{"depthwise strides and dilation", keras.Shape{8, 8, 3}, func() caller { return layers.DepthwiseConv2D(3, layers.Strides(2), layers.DilationRate(2)) }, keras.ErrInvalidArgument, []string{"dilation_rate"}},
		{"output padding not below stride", keras.Shape{4, 4, 3}, func() caller {
			return layers.Conv2DTranspose(2, 3, layers.Strides(2), layers.OutputPadding(2))
		}, keras.ErrInvalidArgument, []string{"output_padding", "less than the stride"}},
		{"output padding of 3 axes", keras.Shape{4, 4, 3}, func() caller { return layers.Conv2DTranspose(2, 3, layers.OutputPadding(0, 0, 0)) }, keras.ErrInvalidArgument, []string{"output_padding"}},
		{"transpose with DepthwiseInitializer", keras.Shape{4, 3}, func() caller { return layers.Conv1DTranspose(2, 3, layers.DepthwiseInitializer("ones")) }, keras.ErrInvalidArgument, []string{"Conv1DTranspose takes no option DepthwiseInitializer"}},
		{"transpose rank", keras.Shape{4, 3}, func() caller { return layers.Conv2DTranspose(2, 3) }, keras.ErrShape, []string{"rank 4"}},
	})
}

// TestConvVariantChannelsFirst checks that a saved config with channels_first data is read
// back as channels_first, and that a data_format that is neither is refused naming it, for
// each new convolution.
func TestConvVariantChannelsFirst(t *testing.T) {
	for _, c := range []struct {
		class string
		cfg   map[string]any
		in    keras.Shape
	}{
		{"DepthwiseConv2D", map[string]any{"kernel_size": []any{3.0, 3.0}}, keras.Shape{2, 5, 5}},
		{"DepthwiseConv1D", map[string]any{"kernel_size": []any{3.0}}, keras.Shape{2, 5}},
		{"SeparableConv2D", map[string]any{"filters": 2.0, "kernel_size": []any{3.0, 3.0}}, keras.Shape{2, 5, 5}},
		{"SeparableConv1D", map[string]any{"filters": 2.0, "kernel_size": []any{3.0}}, keras.Shape{2, 5}},
		{"Conv2DTranspose", map[string]any{"filters": 2.0, "kernel_size": []any{3.0, 3.0}}, keras.Shape{2, 5, 5}},
		{"Conv1DTranspose", map[string]any{"filters": 2.0, "kernel_size": []any{3.0}}, keras.Shape{2, 5}},
	} {
		t.Run(c.class, func(t *testing.T) {
			if _, err := keras.DeserializeLayer(map[string]any{"class_name": c.class, "config": c.cfg}); err != nil {
				t.Fatalf("channels_last config: %v", err)
			}
			c.cfg["data_format"] = "channels_first"
			l, err := keras.DeserializeLayer(map[string]any{"class_name": c.class, "config": c.cfg})
			if err != nil {
				t.Fatalf("channels_first config: %v", err)
			}
			if got := l.Config()["data_format"]; got != "channels_first" {
				t.Fatalf("data_format read back as %v", got)
			}
			c.cfg["data_format"] = "channels_middle"
			l, err = keras.DeserializeLayer(map[string]any{"class_name": c.class, "config": c.cfg})
			if err == nil {
				err = keras.CallOne(l, keras.Input(c.in)).Err()
			}
			if !errors.Is(err, keras.ErrInvalidArgument) || !strings.Contains(err.Error(), "data_format") {
				t.Fatalf("got %v, want ErrInvalidArgument naming data_format", err)
			}
		})
	}
}
