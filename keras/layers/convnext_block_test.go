package layers_test

import (
	"math/rand"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// TestConvNeXtBlockPredicts runs the layer sequence of a ConvNeXt block (stem Conv2D,
// LayerNormalization, depthwise 7x7, LayerNormalization, Dense gelu, Dense, LayerScale,
// residual Add, then a downsampling LayerNormalization and Conv2D and a block of twice the
// width) on rank-4 inputs at two batch sizes. The kit built LayerNormalization's mean and its
// broadcast back as products with constant matrices of ones through Gorgonia's MatMul, and
// Predict failed in the second block: "(16, 1) × (1, 96) … Expected (16, 96). Got 3072": the
// 192-wide block's broadcast ran with the 96-wide block's constant of ones (Gorgonia merged
// the two: unnamed constants are named by an elided print of their values) into a register
// sized for 16×192.
func TestConvNeXtBlockPredicts(t *testing.T) {
	x := keras.Input(keras.Shape{32, 32, 3})
	h := layers.Conv2D(96, 4, layers.Strides(4)).Call(x)
	h = layers.LayerNormalization(1e-6, true, true).Call(h)
	y := layers.DepthwiseConv2D(7, layers.Padding("same")).Call(h)
	y = layers.LayerNormalization(1e-6, true, true).Call(y)
	y = layers.Dense(384, layers.Activation("gelu")).Call(y)
	y = layers.Dense(96).Call(y)
	y = layers.LayerScale(1e-6, 96).Call(y)
	h = layers.Add().Call(h, y)
	h = layers.LayerNormalization(1e-6, true, true).Call(h)
	h = layers.Conv2D(192, 2, layers.Strides(2)).Call(h)
	y = layers.DepthwiseConv2D(7, layers.Padding("same")).Call(h)
	y = layers.LayerNormalization(1e-6, true, true).Call(y)
	y = layers.Dense(768, layers.Activation("gelu")).Call(y)
	y = layers.Dense(192).Call(y)
	y = layers.LayerScale(1e-6, 192).Call(y)
	out := layers.Add().Call(h, y)
	m, err := keras.NewModel([]*keras.Tensor{x}, keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(1))
	for _, b := range []int{1, 2} {
		d := make([]float32, b*32*32*3)
		for i := range d {
			d[i] = float32(r.NormFloat64())
		}
		if _, err := m.Predict(tensor.New(tensor.WithShape(b, 32, 32, 3), tensor.WithBacking(d)), keras.Verbose(0)); err != nil {
			t.Fatalf("batch %d: %v", b, err)
		}
	}
}

// TestConvNeXtBlockGradients checks, against finite differences, the weights' gradients of a
// small float64 ConvNeXt block on rank-4 inputs: the gradient of the depthwise kernel, the
// Dense layers and LayerScale flows back through LayerNormalization's mean and broadcast
// along the last axis.
func TestConvNeXtBlockGradients(t *testing.T) {
	f64 := layers.DType("float64")
	x := keras.Input(keras.Shape{4, 4, 3}, keras.DType("float64"))
	h := layers.Conv2D(4, 2, layers.Strides(2), f64).Call(x)
	h = layers.LayerNormalization(1e-6, true, true, f64).Call(h)
	y := layers.DepthwiseConv2D(3, layers.Padding("same"), f64).Call(h)
	y = layers.LayerNormalization(1e-6, true, true, f64).Call(y)
	y = layers.Dense(8, layers.Activation("gelu"), f64).Call(y)
	y = layers.Dense(4, f64).Call(y)
	y = layers.LayerScale(0.5, 4, f64).Call(y)
	out := layers.Add(f64).Call(h, y)
	m := gradModel(t, []*keras.Tensor{x}, out, "mse")
	kerastest.CheckGradients(t, m, kerastest.Float64(wave, 2, 4, 4, 3), targets(2, 2, 2, 4), kerastest.GradCheckOptions{})
}
