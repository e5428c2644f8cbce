package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestPointwiseConvKernelGradientKeepsItsInput: a 1x1 convolution's kernel gradient reads the
// convolution's input, and that input is also an operand of a residual Add (MobileNetV2's
// inverted residual block: p + project(depthwise(expand(p)))). The convolution flattened its
// input with Gorgonia's Reshape, a view; the machine then let a later op write into that
// memory before the backward pass read it, and the kernel's gradient came out wrong while
// every other gradient was right: MobileNetV2's block_7_expand kernel got an update 2.2
// times Keras's in float64 (docs/applications.md).
func TestPointwiseConvKernelGradientKeepsItsInput(t *testing.T) {
	in := f64Input(2, 2, 4)
	p := layers.Conv2D(6, 1, layers.UseBias(false)).Call(in)
	p = layers.BatchNormalization().Call(p)
	q := layers.Conv2D(12, 1, layers.UseBias(false)).Call(p)
	q = layers.BatchNormalization().Call(q)
	q = layers.ReLU(6, 0, 0).Call(q)
	q = layers.DepthwiseConv2D(3, layers.Padding("same"), layers.UseBias(false)).Call(q)
	q = layers.BatchNormalization().Call(q)
	q = layers.ReLU(6, 0, 0).Call(q)
	q = layers.Conv2D(6, 1, layers.UseBias(false)).Call(q)
	q = layers.BatchNormalization().Call(q)
	x := layers.Add().Call(p, q)
	x = layers.Dense(3, layers.Activation("softmax")).Call(layers.GlobalAveragePooling2D().Call(x))
	m := gradModel(t, []*keras.Tensor{in}, x, "categorical_crossentropy")
	y := kerastest.Float64(func(i int) float64 { return float64(1 - min(1, (i+2)%4)) }, 2, 3) // one-hot rows
	kerastest.CheckGradients(t, m, kerastest.Float64(wave, 2, 2, 2, 4), y, kerastest.GradCheckOptions{MaxEntries: 200})
}
