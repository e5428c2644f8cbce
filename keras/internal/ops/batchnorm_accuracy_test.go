package ops

import (
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// bnAccuracyData is the batch, gamma, beta and upstream gradient R of the float32 accuracy
// comparison, as float32 values (held in float64). testdata/bn_float32.py builds the same
// numbers for Keras.
func bnAccuracyData(shape []int) (x, gamma, beta, r []float64) {
	n, c := 1, shape[len(shape)-1]
	for _, d := range shape {
		n *= d
	}
	f32 := func(v float64) float64 { return float64(float32(v)) }
	x, r = make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = f32(1.5 + math.Sin(0.37*float64(i)) + 0.5*math.Sin(0.0071*float64(i)))
		r[i] = f32(math.Cos(0.59*float64(i) + 0.2))
	}
	gamma, beta = make([]float64, c), make([]float64, c)
	for j := range gamma {
		gamma[j] = f32(0.5 + 0.03*float64(j%40))
		beta[j] = f32(0.1 * math.Sin(float64(j)))
	}
	return x, gamma, beta, r
}

// bnTraining runs a training-mode batch normalisation built by build on the data in dtype dt
// and returns y and the gradients of Σ y ⊙ R with respect to x and gamma, as float64 values.
func bnTraining(t *testing.T, dt tensor.Dtype, shape []int, eps float64, build func(x, gamma, beta *G.Node, eps float64) (*G.Node, error)) (y, dx, dgamma []float64) {
	t.Helper()
	xs, gs, bs, rs := bnAccuracyData(shape)
	c := shape[len(shape)-1]
	g := G.NewGraph()
	x := G.NewTensor(g, dt, len(shape), G.WithShape(shape...), G.WithValue(bnTensor(dt, shape, xs)), G.WithName("x"))
	gamma := G.NewTensor(g, dt, 1, G.WithShape(c), G.WithValue(bnTensor(dt, []int{c}, gs)), G.WithName("gamma"))
	beta := G.NewTensor(g, dt, 1, G.WithShape(c), G.WithValue(bnTensor(dt, []int{c}, bs)), G.WithName("beta"))
	rn := G.NewTensor(g, dt, len(shape), G.WithShape(shape...), G.WithValue(bnTensor(dt, shape, rs)), G.WithName("r"))
	yn, err := build(x, gamma, beta, eps)
	if err != nil {
		t.Fatal(err)
	}
	prod, err := G.HadamardProd(yn, rn)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := G.Sum(prod)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(cost, x, gamma, beta)
	if err != nil {
		t.Fatal(err)
	}
	var yv, dxv, dgv G.Value
	G.Read(yn, &yv)
	G.Read(grads[0], &dxv)
	G.Read(grads[1], &dgv)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return bnFloat64s(yv.(*tensor.Dense)), bnFloat64s(dxv.(*tensor.Dense)), bnFloat64s(dgv.(*tensor.Dense))
}

// bnFused is the layer's training path: Moments and BatchNorm.
func bnFused(x, gamma, beta *G.Node, eps float64) (*G.Node, error) {
	mean, variance, err := Moments(x)
	if err != nil {
		return nil, err
	}
	return BatchNorm(x, mean, variance, gamma, beta, eps, true)
}

// bnGorgoniaChain is BatchNormalization's training path before the fused ops (x of rank 2):
// ten Gorgonia ops, each float32 reduction one running float32 sum.
func bnGorgoniaChain(x, gamma, beta *G.Node, eps float64) (*G.Node, error) {
	mean, err := G.Mean(x, 0)
	if err != nil {
		return nil, err
	}
	centered, err := G.BroadcastSub(x, mean, nil, []byte{0})
	if err != nil {
		return nil, err
	}
	sq, err := G.Square(centered)
	if err != nil {
		return nil, err
	}
	variance, err := G.Mean(sq, 0)
	if err != nil {
		return nil, err
	}
	var e G.Value = G.NewF64(eps)
	if x.Dtype() == tensor.Float32 {
		e = G.NewF32(float32(eps))
	}
	s, err := G.Add(variance, G.NewConstant(e))
	if err != nil {
		return nil, err
	}
	if s, err = G.Sqrt(s); err != nil {
		return nil, err
	}
	inv, err := G.Inverse(s)
	if err != nil {
		return nil, err
	}
	y, err := G.BroadcastHadamardProd(centered, inv, nil, []byte{0})
	if err != nil {
		return nil, err
	}
	if y, err = G.BroadcastHadamardProd(y, gamma, nil, []byte{0}); err != nil {
		return nil, err
	}
	return G.BroadcastAdd(y, beta, nil, []byte{0})
}

// relToLargest returns max |got - want| / max |want|, the applications suite's per-tensor
// measure.
func relToLargest(got, want []float64) float64 {
	var d, m float64
	for i := range want {
		d = math.Max(d, math.Abs(got[i]-want[i]))
		m = math.Max(m, math.Abs(want[i]))
	}
	return d / m
}

// rounded returns v rounded to float32.
func rounded(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(float32(x))
	}
	return out
}

// TestBatchNormFloat32Accuracy compares float32 training-mode batch normalisation (y, and the
// gradients of x and gamma) with float64 on the same float32 numbers, each error relative to
// the tensor's largest value: the fused ops, the Gorgonia chain they replaced, and the float64
// result rounded to float32 (the floor: the output's own rounding). Two shapes: 6272 values
// per channel with mean ≈ 1.5 (MobileNet's first blocks at batch 2: 56x56 maps), where the
// chain's float32 running sums drift, and 2 values per channel (batch 2 on 1x1 maps, MobileNet's
// last block) with epsilon 1e-3. Keras/JAX on the same data: testdata/bn_float32.py
// (docs/applications.md).
func TestBatchNormFloat32Accuracy(t *testing.T) {
	for _, tc := range []struct {
		shape []int
		eps   float64
	}{
		{[]int{6272, 32}, 1e-3},
		{[]int{2, 1024}, 1e-3},
	} {
		t.Run(fmt.Sprint(tc.shape), func(t *testing.T) {
			y64, dx64, dg64 := bnTraining(t, tensor.Float64, tc.shape, tc.eps, bnFused)
			y, dx, dg := bnTraining(t, tensor.Float32, tc.shape, tc.eps, bnFused)
			oy, odx, odg := bnTraining(t, tensor.Float32, tc.shape, tc.eps, bnGorgoniaChain)
			cy, cdx, cdg := bnTraining(t, tensor.Float64, tc.shape, tc.eps, bnGorgoniaChain)
			// The float64 chain and the fused ops agree: the reference is not the fused ops'
			// own idea of the formula.
			for _, p := range [][2][]float64{{cy, y64}, {cdx, dx64}, {cdg, dg64}} {
				if d := relToLargest(p[0], p[1]); d > 1e-12 {
					t.Fatalf("float64 Gorgonia chain and fused ops differ by %.2g", d)
				}
			}
			floor := [3]float64{relToLargest(rounded(y64), y64), relToLargest(rounded(dx64), dx64), relToLargest(rounded(dg64), dg64)}
			fused := [3]float64{relToLargest(y, y64), relToLargest(dx, dx64), relToLargest(dg, dg64)}
			chain := [3]float64{relToLargest(oy, y64), relToLargest(odx, dx64), relToLargest(odg, dg64)}
			t.Logf("float32 vs float64, relative to the largest value (y, dx, dgamma): fused %.2g %.2g %.2g; Gorgonia chain %.2g %.2g %.2g; rounding floor %.2g %.2g %.2g",
				fused[0], fused[1], fused[2], chain[0], chain[1], chain[2], floor[0], floor[1], floor[2])
			for i, name := range []string{"y", "dx", "dgamma"} {
				if fused[i] > 2*floor[i]+1e-9 {
					t.Errorf("%s: float32 error %.2g, more than twice the float32 rounding of the float64 result (%.2g)", name, fused[i], floor[i])
				}
				if fused[i] > chain[i] {
					t.Errorf("%s: float32 error %.2g, the Gorgonia chain's %.2g", name, fused[i], chain[i])
				}
			}
		})
	}
}
