//go:build amd64 && !purego

package ops

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kerago/kerago/keras/internal/cpu"
)

// TestReluKernelsMatchLoops runs the float32 relu passes with the vector kernels and as on a
// CPU without AVX2, on rows of 8, 13 and 256 columns (a whole vector, a vector and a tail, the
// MLP's width) holding NaN, ±0, ±Inf, subnormals and random values, and wants the same bits
// from both: the bias-and-relu forward pass and the backward dz with its column sums.
func TestReluKernelsMatchLoops(t *testing.T) {
	if !cpu.AVX2FMA {
		t.Skip("no AVX2 on this CPU: only the loops run")
	}
	defer func(v bool) { hasAVX2FMA = v }(hasAVX2FMA)
	special := []float32{float32(math.NaN()), 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)),
		float32(math.Inf(-1)), 1e-45, -1e-45, 1, -1}
	r := rand.New(rand.NewPCG(5, 6))
	fill := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			if i%5 == 0 {
				v[i] = special[r.IntN(len(special))]
			} else {
				v[i] = float32(r.NormFloat64())
			}
		}
		return v
	}
	same := func(what string, units int, got, want []float32) {
		t.Helper()
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s, %d units: element %d = %v (%#x) with AVX, %v (%#x) without", what, units, i,
					got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
			}
		}
	}
	for _, units := range []int{8, 13, 256} {
		rows := 9
		y, b := fill(rows*units), fill(units)
		dy := fill(rows * units)
		var outs [2][3][]float32 // per path: y after biasAct, dz, db
		for k, avx := range []bool{true, false} {
			hasAVX2FMA = avx
			yy := slices.Clone(y)
			biasAct(yy, b, units, DenseRelu)
			dz, db := make([]float32, rows*units), make([]float32, units)
			actGradSums(dz, db, yy, dy, units, DenseRelu)
			outs[k] = [3][]float32{yy, dz, db}
		}
		same("relu(y + b)", units, outs[0][0], outs[1][0])
		same("dz", units, outs[0][1], outs[1][1])
		same("db", units, outs[0][2], outs[1][2])
	}
}
