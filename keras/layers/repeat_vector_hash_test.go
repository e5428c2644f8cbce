package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestRepeatVectorGradientBeyond256Copies: RepeatVector(257) is the kit's Tile, a Concat of
// the copies, and Gorgonia's Concat cut its gradient with G.Slice, whose hash keeps one byte
// of each bound: copies 0 and 256 ([0:1] and [256:257]) were one node and the kernel before
// the RepeatVector trained on copy 0's gradient twice and never on copy 256's (issue 12).
func TestRepeatVectorGradientBeyond256Copies(t *testing.T) {
	in := f64Input(2)
	h := layers.Dense(2, layers.UseBias(false)).Call(in)
	out := layers.Dense(1, layers.UseBias(false)).Call(layers.RepeatVector(257).Call(h))
	m := gradModel(t, []*keras.Tensor{in}, out, "mse")
	kerastest.CheckGradients(t, m, kerastest.Float64(wave, 2, 2), targets(2, 257, 1), kerastest.GradCheckOptions{})
}
