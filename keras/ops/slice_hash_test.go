package ops_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// TestSlicesAtOffsetsBeyond256: two slices of one tensor, equal in width, whose offsets agree
// modulo 256. Gorgonia's Slice hashes each bound as one byte, so [0:256] and [256:512] of x
// were one node and their difference came out 0 instead of −256: a silent wrong prediction
// in any layer written with the kit that splits a tensor of 512 or more into equal parts.
func TestSlicesAtOffsetsBeyond256(t *testing.T) {
	x := seq(2*768, 1, 2, 768)
	got, err := run(t, keras.Shape{-1, 256}, func(o *ops.Builder, in []*G.Node) *G.Node {
		a, b, c := o.Slice(in[0], 1, 0, 256), o.Slice(in[0], 1, 256, 512), o.Slice(in[0], 1, 512, 768)
		return o.Add(o.Sub(a, b), o.Scale(o.Sub(c, b), 0.5))
	}, x)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, 2*256)
	for i := range want {
		want[i] = -256 + 0.5*256
	}
	near(t, got, want)
}
