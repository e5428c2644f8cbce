package ops

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMaxRowsMatchBranches checks the branch-free max loops against the comparisons they
// replace, float32 and float64, on random rows and on the values where a select could go
// wrong: ties (the earlier position stays), NaN on either side, ±0, ±Inf.
func TestMaxRowsMatchBranches(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	special := []float64{0, math.Copysign(0, -1), 1, -1, math.Inf(1), math.Inf(-1), math.NaN(), 3.5, 3.5}
	const n = 300
	for trial := 0; trial < 40; trial++ {
		dst, src := make([]float64, n), make([]float64, n)
		for i := range dst {
			if trial%2 == 0 {
				dst[i], src[i] = special[r.IntN(len(special))], special[r.IntN(len(special))]
			} else {
				dst[i], src[i] = r.NormFloat64(), r.NormFloat64()
			}
		}
		at := make([]int32, n)
		for i := range at {
			at[i] = int32(r.IntN(1000))
		}
		const from = 5000
		wantD, wantA := append([]float64(nil), dst...), append([]int32(nil), at...)
		for ch, v := range src {
			if v > wantD[ch] {
				wantD[ch], wantA[ch] = v, from+int32(ch)
			}
		}
		same := func(a, b float64) bool {
			return math.Float64bits(a) == math.Float64bits(b)
		}
		got64, gotA := append([]float64(nil), dst...), append([]int32(nil), at...)
		maxArgRow(got64, src, gotA, from)
		only := append([]float64(nil), dst...)
		maxRow(only, src)
		got32, gotA32, only32 := to32s(dst), append([]int32(nil), at...), to32s(dst)
		maxArgRow(got32, to32s(src), gotA32, from)
		maxRow(only32, to32s(src))
		want32 := to32s(wantD) // float32 conversion is monotonic, so the choices agree
		for ch := range dst {
			if !same(got64[ch], wantD[ch]) || gotA[ch] != wantA[ch] || !same(only[ch], wantD[ch]) {
				t.Fatalf("float64 channel %d: max(%v, %v) gave %v at %d (max only %v), want %v at %d",
					ch, dst[ch], src[ch], got64[ch], gotA[ch], only[ch], wantD[ch], wantA[ch])
			}
			if math.Float32bits(got32[ch]) != math.Float32bits(want32[ch]) || gotA32[ch] != wantA[ch] || math.Float32bits(only32[ch]) != math.Float32bits(want32[ch]) {
				t.Fatalf("float32 channel %d: max(%v, %v) gave %v at %d (max only %v), want %v at %d",
					ch, dst[ch], src[ch], got32[ch], gotA32[ch], only32[ch], want32[ch], wantA[ch])
			}
		}
	}
}

func to32s(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// BenchmarkMaxArgRow is the max pooling forward pass's inner loop on random rows of 64
// channels, the text CNN's first pooling layer's width.
func BenchmarkMaxArgRow(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	rows := make([][]float32, 5)
	for i := range rows {
		rows[i] = make([]float32, 64*1000)
		for j := range rows[i] {
			rows[i][j] = float32(r.NormFloat64())
		}
	}
	dst, at := make([]float32, 64*1000), make([]int32, 64*1000)
	for range b.N {
		copy(dst, rows[0])
		for i := 1; i < 5; i++ {
			for o := 0; o < len(dst); o += 64 {
				maxArgRow(dst[o:o+64], rows[i][o:o+64], at[o:o+64], int32(i))
			}
		}
	}
}
