package ops_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestFilledConstantsKeepTheirShapes spreads one weight to (2, 12, 4) and to (12, 4) in one
// graph: the two constants of ones behind them, (24, 1) and (12, 1), print alike once
// Gorgonia elides their middles, and unnamed they became one node, so the second product ran
// with the first's shape (the crash of ConvNeXtTiny's LayerNormalization, widths 96 and 192).
func TestFilledConstantsKeepTheirShapes(t *testing.T) {
	x := seq(96, 0.1, 2, 12, 4)
	w := seq(4, 1, 4)
	got, err := runW(t, keras.Shape{-1, 12, 4}, []*tensor.Dense{w}, func(o *ops.Builder, in, w []*G.Node) *G.Node {
		return o.Add(o.Mul(in[0], o.Spread(w[0], 2, 12, 4)), o.Spread(w[0], 12, 4))
	}, x)
	if err != nil {
		t.Fatal(err)
	}
	xv, wv := x.Data().([]float64), w.Data().([]float64)
	for i, g := range got {
		if want := xv[i]*wv[i%4] + wv[i%4]; g != want {
			t.Fatalf("element %d = %v, want %v", i, g, want)
		}
	}
}
