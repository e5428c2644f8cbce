package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// TestConv2DOutputShapes checks the output-shape rules per axis, with square and
// rectangular kernels, per-axis strides and dilation, and unknown sizes.
func TestConv2DOutputShapes(t *testing.T) {
	runConvShapeCases(t, []convShapeCase{
		{"valid 3x3", keras.Shape{5, 6, 2}, func() caller { return layers.Conv2D(3, 3) }, keras.Shape{none, 3, 4, 3}, 3*3*2*3 + 3},
		{"same stride 2 odd", keras.Shape{7, 6, 2}, func() caller { return layers.Conv2D(3, 3, layers.Strides(2), layers.Padding("same")) }, keras.Shape{none, 4, 3, 3}, 57},
		{"1x1 stride 2 (inception branch A)", keras.Shape{8, 8, 16}, func() caller { return layers.Conv2D(128, 1, layers.Strides(2)) }, keras.Shape{none, 4, 4, 128}, 16*128 + 128},
		{"rectangular kernel", keras.Shape{5, 6, 2}, func() caller { return layers.Conv2D(2, 3, layers.KernelSize2D(2, 3)) }, keras.Shape{none, 4, 4, 2}, 2*3*2*2 + 2},
		{"per-axis strides same", keras.Shape{5, 6, 2}, func() caller {
			return layers.Conv2D(2, 0, layers.KernelSize2D(2, 3), layers.Strides(2, 1), layers.Padding("same"))
		}, keras.Shape{none, 3, 6, 2}, 26},
		{"dilation (1, 3) valid", keras.Shape{5, 9, 1}, func() caller { return layers.Conv2D(1, 3, layers.DilationRate(1, 3)) }, keras.Shape{none, 3, 3, 1}, 10},
		{"unknown height and width", keras.Shape{none, none, 3}, func() caller { return layers.Conv2D(4, 3, layers.Padding("same")) }, keras.Shape{none, none, none, 4}, 112},
		{"unknown height only", keras.Shape{none, 6, 3}, func() caller { return layers.Conv2D(4, 3) }, keras.Shape{none, none, 4, 4}, 112},
		{"no bias", keras.Shape{5, 5, 2}, func() caller { return layers.Conv2D(3, 2, layers.UseBias(false)) }, keras.Shape{none, 4, 4, 3}, 24},
	})
}

// TestConv2DErrors checks that mistakes surface at NewModel, naming the layer.
func TestConv2DErrors(t *testing.T) {
	runConvErrCases(t, []convErrCase{
		{"kernel taller than input", keras.Shape{2, 8, 3}, func() caller { return layers.Conv2D(2, 3) }, keras.ErrShape, []string{"kernel size 3", "axis 1", "length 2"}},
		{"kernel wider than input", keras.Shape{8, 2, 3}, func() caller { return layers.Conv2D(2, 0, layers.KernelSize2D(1, 3)) }, keras.ErrShape, []string{"axis 2"}},
		{"rank 3 input", keras.Shape{8, 3}, func() caller { return layers.Conv2D(2, 3) }, keras.ErrShape, []string{"rank 4", "(batch, height, width, channels)"}},
		{"causal padding", keras.Shape{8, 8, 3}, func() caller { return layers.Conv2D(2, 3, layers.Padding("causal")) }, keras.ErrInvalidArgument, []string{`"causal"`}},
		{"three strides", keras.Shape{8, 8, 3}, func() caller { return layers.Conv2D(2, 3, layers.Strides(1, 2, 2)) }, keras.ErrInvalidArgument, []string{"Strides"}},
		{"negative dilation", keras.Shape{8, 8, 3}, func() caller { return layers.Conv2D(2, 3, layers.DilationRate(-1)) }, keras.ErrInvalidArgument, []string{"DilationRate"}},
		{"strides and dilation", keras.Shape{8, 8, 3}, func() caller { return layers.Conv2D(2, 3, layers.Strides(1, 2), layers.DilationRate(1, 2)) }, keras.ErrInvalidArgument, []string{"dilation_rate"}},
	})
}

// TestConv2DGradients checks kernel and bias gradients, and the gradient into the input
// through a Dense layer in front, for the paddings, strides and dilations Keras offers.
func TestConv2DGradients(t *testing.T) {
	cases := []struct {
		name string
		opts []layers.Conv2DOption
	}{
		{"valid 3x3", nil},
		{"same 3x3 stride 2", []layers.Conv2DOption{layers.Strides(2), layers.Padding("same")}},
		{"same 2x2 (asymmetric padding)", []layers.Conv2DOption{layers.KernelSize2D(2, 2), layers.Padding("same")}},
		{"rectangular stride (2,1) same", []layers.Conv2DOption{layers.KernelSize2D(2, 3), layers.Strides(2, 1), layers.Padding("same")}},
		{"dilation 2 same tanh", []layers.Conv2DOption{layers.DilationRate(2), layers.Padding("same"), layers.Activation("tanh")}},
		{"1x1 stride 2", []layers.Conv2DOption{layers.KernelSize2D(1, 1), layers.Strides(2)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			convCheckModelGradients(t, keras.Shape{5, 6, 2}, 2, func(x *keras.Tensor) *keras.Tensor {
				x = layers.Dense(2, layers.BiasInitializer("ones")).Call(x)
				return layers.Conv2D(2, 3, c.opts...).Call(x)
			})
		})
	}
}

// inceptionModule is the guide's Inception-style module (docs/guide.md, chapter 4) with f filters
// per branch.
func inceptionModule(x *keras.Tensor, f int) *keras.Tensor {
	branchA := layers.Conv2D(f, 1, layers.Activation("relu"), layers.Strides(2)).Call(x)
	branchB := layers.Conv2D(f, 1, layers.Activation("relu")).Call(x)
	branchB = layers.Conv2D(f, 3, layers.Activation("relu"), layers.Strides(2), layers.Padding("same")).Call(branchB)
	branchC := layers.AveragePooling2D(3, layers.Strides(2), layers.Padding("same")).Call(x)
	branchC = layers.Conv2D(f, 3, layers.Activation("relu"), layers.Padding("same")).Call(branchC)
	return layers.Concatenate(layers.Axis(-1)).Call(branchA, branchB, branchC)
}

// residualBlock is the guide's residual connection with f filters (f must equal x's channels).
func residualBlock(x *keras.Tensor, f int) *keras.Tensor {
	y := layers.Conv2D(f, 3, layers.Activation("relu"), layers.Padding("same")).Call(x)
	y = layers.Conv2D(f, 3, layers.Activation("relu"), layers.Padding("same")).Call(y)
	return layers.Add().Call(y, x)
}

// seedImages returns n noisy 8x8x16 images and one-hot targets for 3 classes: an image of
// class k has its channels 5k..5k+4 raised by 0.5, which the models must learn to see.
func seedImages(n int) (x, y *tensor.Dense) {
	f := make([]float32, n*8*8*16)
	lab := make([]float32, n*3)
	for i := range f {
		f[i] = float32(convWave(7 * i))
	}
	for s := 0; s < n; s++ {
		k := (s*7 + s/3) % 3
		lab[s*3+k] = 1
		for p := 0; p < 64; p++ {
			for c := 5 * k; c < 5*k+5; c++ {
				f[(s*64+p)*16+c] += 0.5
			}
		}
	}
	return tensor.New(tensor.WithShape(n, 8, 8, 16), tensor.WithBacking(f)), tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(lab))
}

// TestSeedInceptionAndResidual builds the guide's two graphs of chapter 4 exactly as shared/API.md
// writes them (16 filters instead of 128, on 8x8x16 images), checks their shapes and parameter
// counts, and trains each for 16 steps on images whose class shows in some channels: the loss must
// fall by 30%.
func TestSeedInceptionAndResidual(t *testing.T) {
	cases := []struct {
		name      string
		body      func(x *keras.Tensor) *keras.Tensor
		wantShape keras.Shape
		params    int // of the body
	}{
		// A: 16·16+16; B: 16·16+16 then 3·3·16·16+16; C: 3·3·16·16+16.
		{"inception", func(x *keras.Tensor) *keras.Tensor { return inceptionModule(x, 16) }, keras.Shape{none, 4, 4, 48}, 272 + 272 + 2320 + 2320},
		{"residual", func(x *keras.Tensor) *keras.Tensor { return residualBlock(x, 16) }, keras.Shape{none, 8, 8, 16}, 2 * 2320},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			keras.SetRandomSeed(7)
			in := keras.Input(keras.Shape{8, 8, 16})
			body := c.body(in)
			if err := body.Err(); err != nil {
				t.Fatal(err)
			}
			if !body.Shape().Equal(c.wantShape) {
				t.Fatalf("output shape %v, want %v", body.Shape(), c.wantShape)
			}
			features := layers.GlobalAveragePooling2D().Call(body)
			out := layers.Dense(3, layers.Activation("softmax")).Call(features)
			m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, v := range m.Variables() {
				n += v.Shape().Size()
			}
			head := c.wantShape.Last()*3 + 3
			if n != c.params+head {
				t.Errorf("%d parameters, want %d", n, c.params+head)
			}
			if err := m.Compile("adam", "categorical_crossentropy"); err != nil {
				t.Fatal(err)
			}
			x, y := seedImages(32)
			h, err := m.Fit(x, y, keras.Epochs(8), keras.BatchSize(16), keras.Verbose(0))
			if err != nil {
				t.Fatal(err)
			}
			loss := h.History["loss"]
			t.Logf("loss by epoch: %.4f", loss)
			if !(loss[len(loss)-1] < 0.7*loss[0]) {
				t.Errorf("loss did not fall: %v", loss)
			}
		})
	}
}

// TestConv2DKit runs Conv2D through the layer kit against Keras 3: a rectangular kernel with
// per-axis strides and "same" padding (the extra row at the bottom), and a dilated "valid" one.
func TestConv2DKit(t *testing.T) {
	t.Run("rect_same_strided_tanh", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New: func() keras.Layer {
				return layers.Conv2D(2, 0, layers.KernelSize2D(2, 3), layers.Strides(2, 1), layers.Padding("same"), layers.Activation("tanh"))
			},
			InputShapes:  []keras.Shape{{5, 6, 3}},
			OutputShapes: []keras.Shape{{keras.None, 3, 6, 2}},
			Weights:      []keras.Shape{{2, 3, 3, 2}, {2}},
			BadInputs:    [][]keras.Shape{{{5, 6, 4}}, {{5, 6}}, {{5, 6, 3}, {5, 6, 3}}},
			Golden:       "testdata/kit/conv2d_rect_same_strided.json",
		})
	})
	t.Run("valid_dilated", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New:          func() keras.Layer { return layers.Conv2D(3, 2, layers.DilationRate(2, 1)) },
			InputShapes:  []keras.Shape{{5, 4, 2}},
			OutputShapes: []keras.Shape{{keras.None, 3, 3, 3}},
			Weights:      []keras.Shape{{2, 2, 2, 3}, {3}},
			BadInputs:    [][]keras.Shape{{{5, 4, 1}}},
			Golden:       "testdata/kit/conv2d_valid_dilated.json",
		})
	})
}
