package ops

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestMaskedBatchNormGradients checks the gradients of x, gamma and beta under a mask against
// central finite differences in float64: masked rows in the middle and at the end, a single
// valid row (variance 0), every row masked (W = 1e-7: mean and variance 0), a mask of ones
// (the epsilon still counts) and mask values other than 1.
func TestMaskedBatchNormGradients(t *testing.T) {
	cases := []bnCheckCase{
		{shape: []int{2, 4, 3}, gamma: true, beta: true, eps: 1e-3, mask: []float64{1, 1, 0, 1, 1, 0, 0, 0}},
		{shape: []int{6, 2}, gamma: true, eps: 1e-3, mask: []float64{0, 1, 1, 0, 1, 0}},
		{shape: []int{3, 2, 4}, beta: true, eps: 0.1, mask: []float64{1, 1, 1, 1, 1, 1}},
		{shape: []int{2, 3, 2}, gamma: true, beta: true, eps: 1e-3, mask: []float64{0, 0, 1, 0, 0, 0}},
		{shape: []int{2, 2, 3}, gamma: true, beta: true, eps: 1e-3, mask: []float64{0, 0, 0, 0}},
		{shape: []int{2, 2, 3}, gamma: true, beta: true, eps: 1e-3, mask: []float64{2, 0, -1, 0.5}},
	}
	for _, c := range cases {
		t.Run(c.String(), func(t *testing.T) { checkBNGradients(t, c) })
	}
}

// kerasMaskedMoments is Keras 3's _moments written out in float64 for x (rows, c) and a mask
// per row.
func kerasMaskedMoments(x []float64, mask []float64, c int) (mean, variance []float64) {
	mean, variance = make([]float64, c), make([]float64, c)
	w := 0.0
	for r, m := range mask {
		if m == 0 {
			continue
		}
		w++
		for j := range c {
			mean[j] += x[r*c+j]
		}
	}
	w += 1e-7
	for j := range mean {
		mean[j] /= w
	}
	for r, m := range mask {
		if m == 0 {
			continue
		}
		for j := range c {
			d := x[r*c+j] - mean[j]
			variance[j] += d * d
		}
	}
	for j := range variance {
		variance[j] /= w
	}
	return mean, variance
}

// TestMaskedMomentsValues checks MaskedMoments and MaskedBatchNorm against Keras's formulas
// written out in float64, in both dtypes: the statistics of the valid rows over W = Σm + 1e-7,
// and every output (masked positions included) normalised with them. It also checks that the
// masked rows' values do not reach the statistics: changing them changes only their own
// outputs.
func TestMaskedMomentsValues(t *testing.T) {
	const c, rows, eps = 3, 8, 1e-3
	mask := []float64{1, 0, 1, 1, 0, 1, 0, 1}
	xs := convCheckValues(rows*c, 0.4)
	gamma, beta := []float64{0.9, 1.3, -0.4}, []float64{0.1, -0.2, 0.3}
	mean, variance := kerasMaskedMoments(xs, mask, c)
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			run := func(xv []float64) (m, v, y []float64) {
				g := G.NewGraph()
				node := func(name string, vals []float64, shape ...int) *G.Node {
					return G.NewTensor(g, dt, len(shape), G.WithShape(shape...), G.WithValue(bnTensor(dt, shape, vals)), G.WithName(name))
				}
				x, mk := node("x", xv, 2, rows/2, c), node("mask", mask, 2, rows/2)
				mn, vr, err := MaskedMoments(x, mk)
				if err != nil {
					t.Fatal(err)
				}
				out, err := MaskedBatchNorm(x, mk, mn, vr, node("gamma", gamma, c), node("beta", beta, c), eps)
				if err != nil {
					t.Fatal(err)
				}
				var mv, vv, yv G.Value
				G.Read(mn, &mv)
				G.Read(vr, &vv)
				G.Read(out, &yv)
				vm := G.NewTapeMachine(g)
				defer vm.Close()
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				return mv.Data().([]float64), vv.Data().([]float64), bnFloat64s(yv.(*tensor.Dense))
			}
			xr := make([]float64, len(xs))
			for i, v := range xs { // the values the op sees, rounded to dt
				xr[i] = v
				if dt == tensor.Float32 {
					xr[i] = float64(float32(v))
				}
			}
			wantMean, wantVar := kerasMaskedMoments(xr, mask, c)
			if dt == tensor.Float64 {
				wantMean, wantVar = mean, variance
			}
			m, v, y := run(xs)
			tol := 1e-15
			if dt == tensor.Float32 {
				tol = 1e-6
			}
			for j := range c {
				if math.Abs(m[j]-wantMean[j]) > 1e-15 || math.Abs(v[j]-wantVar[j]) > 1e-15 {
					t.Errorf("channel %d: mean %.17g variance %.17g, Keras's formulas %.17g %.17g", j, m[j], v[j], wantMean[j], wantVar[j])
				}
			}
			for i, got := range y {
				j := i % c
				inv := gamma[j] / math.Sqrt(wantVar[j]+eps)
				want := xr[i]*inv + (beta[j] - wantMean[j]*inv)
				if math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) {
					t.Errorf("output %d (row %d, mask %v): %.9g, Keras's formula %.9g", i, i/c, mask[i/c], got, want)
				}
			}
			// The masked rows' inputs changed: only their own outputs move.
			moved := append([]float64(nil), xs...)
			for r, mk := range mask {
				if mk == 0 {
					for j := range c {
						moved[r*c+j] += 5 + float64(j)
					}
				}
			}
			m2, v2, y2 := run(moved)
			for j := range c {
				if m2[j] != m[j] || v2[j] != v[j] {
					t.Errorf("channel %d: the masked rows' values moved the statistics: %v %v → %v %v", j, m[j], v[j], m2[j], v2[j])
				}
			}
			for i := range y {
				if mask[i/c] != 0 && y2[i] != y[i] {
					t.Errorf("output %d (valid row %d) moved from %v to %v when masked rows changed", i, i/c, y[i], y2[i])
				}
			}
		})
	}
}

// TestMaskedBatchNormRefusesBadMasks checks that a mask of the wrong shape or dtype is an
// error naming both shapes, not a panic.
func TestMaskedBatchNormRefusesBadMasks(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, 3, G.WithShape(2, 4, 3), G.WithName("x"))
	for name, mask := range map[string]*G.Node{
		"nil":        nil,
		"full shape": G.NewTensor(g, tensor.Float32, 3, G.WithShape(2, 4, 3), G.WithName("m1")),
		"transposed": G.NewTensor(g, tensor.Float32, 2, G.WithShape(4, 2), G.WithName("m2")),
		"float64":    G.NewTensor(g, tensor.Float64, 2, G.WithShape(2, 4), G.WithName("m3")),
	} {
		if _, _, err := MaskedMoments(x, mask); err == nil {
			t.Errorf("%s mask: MaskedMoments gave no error", name)
		} else {
			t.Logf("%s mask: %v", name, err)
		}
	}
}
