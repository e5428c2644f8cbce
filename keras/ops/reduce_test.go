package ops_test

import (
	"errors"
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestReduceLast: on (2, 3, 4), the mean and the sum of each last-axis row, broadcast back to
// 4 and combined with x, then times a weight spread to every row, against arithmetic by hand; a rank-1 or wide last axis is refused.
func TestReduceLast(t *testing.T) {
	x := seq(24, 0.3, 2, 3, 4)
	xv := x.Data().([]float64)
	w := seq(4, 1, 4) // −2 … 1, spread to every row
	got, err := runW(t, keras.Shape{-1, 3, 4}, []*tensor.Dense{w}, func(o *ops.Builder, in, w []*G.Node) *G.Node {
		// x − mean + √(sum of squares): centring and a norm, as the normalisations use them.
		x := in[0]
		sum := o.Add(o.Sub(x, o.BroadcastLast(o.MeanLast(x), 4)), o.BroadcastLast(o.Sqrt(o.SumLast(o.Mul(x, x))), 4))
		return o.Mul(sum, o.Spread(w[0], 2, 3, 4))
	}, x)
	if err != nil {
		t.Fatal(err)
	}
	var want []float64
	for r := range 6 {
		row := xv[r*4 : r*4+4]
		mean, sq := 0.0, 0.0
		for _, v := range row {
			mean += v / 4
			sq += v * v
		}
		for j, v := range row {
			want = append(want, float64(j-2)*(v-mean+math.Sqrt(sq)))
		}
	}
	near(t, got, want)
	if _, err := run(t, keras.Shape{-1, 3, 4}, func(o *ops.Builder, in []*G.Node) *G.Node { return o.BroadcastLast(in[0], 4) }, x); !errors.Is(err, keras.ErrShape) {
		t.Errorf("BroadcastLast of a last axis of 4: got %v, want ErrShape", err)
	}
}
