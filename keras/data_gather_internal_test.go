package keras

import (
	"testing"

	"gorgonia.org/tensor"
)

// TestGatherRows checks the batch copy both ways it runs: rows of one element type are
// copied whole, rows of another are converted element by element; either way row idx[r] of
// src lands in row r of dst, in the order idx gives, repeats included.
func TestGatherRows(t *testing.T) {
	src := tensor.New(tensor.WithShape(4, 3), tensor.WithBacking([]float32{0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32}))
	idx := []int{3, 0, 3, 2}
	want := []float64{30, 31, 32, 0, 1, 2, 30, 31, 32, 20, 21, 22}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			dst := tensor.New(tensor.Of(dt), tensor.WithShape(len(idx), 3))
			if err := gather(dst, src, idx); err != nil {
				t.Fatal(err)
			}
			for i, w := range want {
				var got float64
				if dt == tensor.Float32 {
					got = float64(dst.Float32s()[i])
				} else {
					got = dst.Float64s()[i]
				}
				if got != w {
					t.Fatalf("element %d: got %v, want %v (all: %v)", i, got, w, dst.Data())
				}
			}
		})
	}
}
