package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestConcatenateGradientPartsAtOffsetsBeyond256: Gorgonia's Concat gradient slices the
// output's gradient once per input, and its slice op hashes the slice's start and end as
// single bytes (byte(op.Start()), gorgonia v0.9.18 op_tensor.go). Two slices of one gradient
// whose starts and ends agree modulo 256 hash alike, and the graph keeps only the first node:
// here the parts [0:256] and [256:512] are one node, so the second Dense layer trains on the
// first's gradient. InceptionV3's mixed10 ([320, 768, 768, 192] channels: [320:1088] and
// [1088:1856] agree modulo 256) gave branch3x3dbl branch3x3's gradient (issue 12).
func TestConcatenateGradientPartsAtOffsetsBeyond256(t *testing.T) {
	in := f64Input(3)
	a := layers.Dense(256, layers.UseBias(false)).Call(in)
	b := layers.Dense(256, layers.UseBias(false)).Call(in)
	x := layers.Dense(3, layers.Activation("softmax")).Call(layers.Concatenate().Call(a, b))
	m := gradModel(t, []*keras.Tensor{in}, x, "categorical_crossentropy")
	y := kerastest.Float64(func(i int) float64 { return float64(1 - min(1, (i+2)%3)) }, 2, 3)
	kerastest.CheckGradients(t, m, kerastest.Float64(wave, 2, 3), y, kerastest.GradCheckOptions{MaxEntries: 20})
}
