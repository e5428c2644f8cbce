package ops

import (
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// bnCheckCase is one configuration of the batch normalisation ops under a gradient check.
type bnCheckCase struct {
	shape             []int
	gamma, beta       bool
	batchStats        bool
	eps               float64
	meanOff, varScale float64   // the constant statistics: mean = meanOff + …, variance = varScale·(…)
	mask              []float64 // one value per row: MaskedMoments and MaskedBatchNorm (batchnorm_mask.go)
}

func (c bnCheckCase) String() string {
	mode := "moving statistics"
	if c.batchStats {
		mode = "batch statistics"
	}
	if c.mask != nil {
		mode = fmt.Sprintf("masked %v", c.mask)
	}
	return fmt.Sprintf("%v gamma=%v beta=%v %s eps=%g", c.shape, c.gamma, c.beta, mode, c.eps)
}

// bnGraph builds cost = Σ BatchNorm(x) ⊙ R in float64 with x, gamma and beta as inputs, and
// returns the machine, the cost's and the gradients' reads and the inputs' values.
type bnGraph struct {
	vm      G.VM
	cost    G.Value
	grads   []G.Value
	wrt     []*tensor.Dense // x, then gamma and beta when present
	outputs *G.Value
}

func newBNGraph(t *testing.T, c bnCheckCase) *bnGraph {
	t.Helper()
	g := G.NewGraph()
	n := 1
	for _, d := range c.shape {
		n *= d
	}
	ch := c.shape[len(c.shape)-1]
	vec := func(name string, f func(j int) float64) (*G.Node, *tensor.Dense) {
		v := make([]float64, ch)
		for j := range v {
			v[j] = f(j)
		}
		d := tensor.New(tensor.WithShape(ch), tensor.WithBacking(v))
		return G.NewTensor(g, tensor.Float64, 1, G.WithShape(ch), G.WithValue(d), G.WithName(name)), d
	}
	xd := tensor.New(tensor.WithShape(c.shape...), tensor.WithBacking(convCheckValues(n, 0.3)))
	x := G.NewTensor(g, tensor.Float64, len(c.shape), G.WithShape(c.shape...), G.WithValue(xd), G.WithName("x"))
	bg := &bnGraph{wrt: []*tensor.Dense{xd}}
	wrt := G.Nodes{x}
	var gamma, beta, mean, variance *G.Node
	if c.gamma {
		var d *tensor.Dense
		gamma, d = vec("gamma", func(j int) float64 { return 0.7 + 0.3*math.Sin(float64(j)) })
		wrt, bg.wrt = append(wrt, gamma), append(bg.wrt, d)
	}
	if c.beta {
		var d *tensor.Dense
		beta, d = vec("beta", func(j int) float64 { return 0.2 * math.Cos(float64(j)) })
		wrt, bg.wrt = append(wrt, beta), append(bg.wrt, d)
	}
	var err error
	var y *G.Node
	switch {
	case c.mask != nil:
		ms := c.shape[:len(c.shape)-1]
		md := tensor.New(tensor.WithShape(ms...), tensor.WithBacking(append([]float64(nil), c.mask...)))
		mask := G.NewTensor(g, tensor.Float64, len(ms), G.WithShape(ms...), G.WithValue(md), G.WithName("mask"))
		if mean, variance, err = MaskedMoments(x, mask); err != nil {
			t.Fatal(err)
		}
		y, err = MaskedBatchNorm(x, mask, mean, variance, gamma, beta, c.eps)
	case c.batchStats:
		if mean, variance, err = Moments(x); err != nil {
			t.Fatal(err)
		}
		y, err = BatchNorm(x, mean, variance, gamma, beta, c.eps, true)
	default:
		mean, _ = vec("mean", func(j int) float64 { return c.meanOff + 0.1*float64(j) })
		variance, _ = vec("variance", func(j int) float64 { return c.varScale * (1 + 0.5*float64(j%3)) })
		y, err = BatchNorm(x, mean, variance, gamma, beta, c.eps, false)
	}
	if err != nil {
		t.Fatal(err)
	}
	r := tensor.New(tensor.WithShape(c.shape...), tensor.WithBacking(convCheckValues(n, 0.7)))
	rn := G.NewTensor(g, tensor.Float64, len(c.shape), G.WithShape(c.shape...), G.WithValue(r), G.WithName("r"))
	prod, err := G.HadamardProd(y, rn)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := G.Sum(prod)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		t.Fatal(err)
	}
	G.Read(cost, &bg.cost)
	bg.grads = make([]G.Value, len(grads))
	for i := range grads {
		G.Read(grads[i], &bg.grads[i])
	}
	bg.vm = G.NewTapeMachine(g)
	t.Cleanup(func() { bg.vm.Close() })
	return bg
}

func (bg *bnGraph) run(t *testing.T) float64 {
	t.Helper()
	defer bg.vm.Reset()
	if err := bg.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return bg.cost.Data().(float64)
}

// TestBatchNormGradients checks the gradients of x, gamma and beta against central finite
// differences in float64, in training mode (batch statistics, whose dependence on x the
// backward op carries) and with constant statistics, with and without gamma and beta
// (Keras's scale=False, center=False), on 2 values per channel (batch 2 on 1x1 maps, where
// each output is ±(a-b)/sqrt((a-b)² + 4ε)), a single row and larger maps.
func TestBatchNormGradients(t *testing.T) {
	cases := []bnCheckCase{
		{shape: []int{2, 1, 1, 3}, batchStats: true, eps: 1e-3},
		{shape: []int{2, 1, 1, 5}, gamma: true, beta: true, batchStats: true, eps: 1.001e-5},
		{shape: []int{2, 1, 1, 4}, gamma: true, batchStats: true, eps: 1e-3},
		{shape: []int{5, 3}, beta: true, batchStats: true, eps: 1e-3},
		{shape: []int{3, 4, 4, 2}, gamma: true, beta: true, batchStats: true, eps: 1e-3},
		{shape: []int{2, 3, 5, 6}, batchStats: true, eps: 0.1},
		{shape: []int{1, 2}, gamma: true, beta: true, batchStats: true, eps: 1e-3},
		{shape: []int{2, 3, 4}, gamma: true, beta: true, eps: 1e-3, meanOff: 0.3, varScale: 0.8},
		{shape: []int{2, 1, 1, 3}, eps: 1e-3, meanOff: -0.2, varScale: 1.5},
	}
	for _, c := range cases {
		t.Run(c.String(), func(t *testing.T) { checkBNGradients(t, c) })
	}
}

// checkBNGradients compares the gradients of x, gamma and beta of one case with central finite
// differences.
func checkBNGradients(t *testing.T, c bnCheckCase) {
	t.Helper()
	bg := newBNGraph(t, c)
	bg.run(t)
	analytic := make([][]float64, len(bg.grads))
	for i, g := range bg.grads {
		analytic[i] = append([]float64(nil), g.Data().([]float64)...)
	}
	// A step of 1e-5: the cost sums up to 180 terms, and at 1e-6 its rounding alone
	// moves the differences by ~1e-8 (measured: the differences at 1e-4 and 1e-5 agree
	// with the gradient to 3e-10 where 1e-6 is 1e-8 off).
	const eps = 1e-5
	var worst float64
	for k, in := range bg.wrt {
		v := in.Float64s()
		if len(analytic[k]) != len(v) {
			t.Fatalf("input %d: gradient of %d values, input %d", k, len(analytic[k]), len(v))
		}
		for i := range v {
			orig := v[i]
			v[i] = orig + eps
			cp := bg.run(t)
			v[i] = orig - eps
			cm := bg.run(t)
			v[i] = orig
			num := (cp - cm) / (2 * eps)
			d := math.Abs(num - analytic[k][i])
			rel := d / math.Max(math.Max(math.Abs(num), math.Abs(analytic[k][i])), 1e-8)
			worst = math.Max(worst, rel)
			if rel > 1e-6 && d > 1e-8 {
				t.Errorf("input %d, entry %d: gradient %.10g, finite differences %.10g (relative %.2g)", k, i, analytic[k][i], num, rel)
			}
		}
	}
	t.Logf("largest relative error %.2g", worst)
}

// TestBatchNormValues checks the ops against Keras's formulas written out in float64:
// jnp.mean, jnp.var (Σ(x - mean)²/n), inv = rsqrt(var + eps)·gamma, y = x·inv + (beta -
// mean·inv), for a (2, 3, 4) input in both dtypes, and that the ops leave their input alone.
func TestBatchNormValues(t *testing.T) {
	const eps = 1e-3
	shape := []int{2, 3, 4}
	x := convCheckValues(24, 1.1)
	for i := range x {
		x[i] = 3*x[i] + 2
	}
	gamma, beta := []float64{0.5, 2, -1, 0}, []float64{0.1, -0.2, 0, 3}
	const c, n = 4, 6
	want := make([]float64, len(x))
	var wantMean, wantVar [c]float64
	for j := range c {
		var s float64
		for r := range n {
			s += x[r*c+j]
		}
		m := s / n
		var v float64
		for r := range n {
			v += (x[r*c+j] - m) * (x[r*c+j] - m)
		}
		v /= n
		wantMean[j], wantVar[j] = m, v
		inv := 1 / math.Sqrt(v+eps) * gamma[j]
		for r := range n {
			want[r*c+j] = x[r*c+j]*inv + (beta[j] - m*inv)
		}
	}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			g := G.NewGraph()
			xd := bnTensor(dt, shape, x)
			xn := G.NewTensor(g, dt, 3, G.WithShape(shape...), G.WithValue(xd), G.WithName("x"))
			gn := G.NewTensor(g, dt, 1, G.WithShape(c), G.WithValue(bnTensor(dt, []int{c}, gamma)), G.WithName("gamma"))
			bn := G.NewTensor(g, dt, 1, G.WithShape(c), G.WithValue(bnTensor(dt, []int{c}, beta)), G.WithName("beta"))
			mean, variance, err := Moments(xn)
			if err != nil {
				t.Fatal(err)
			}
			y, err := BatchNorm(xn, mean, variance, gn, bn, eps, true)
			if err != nil {
				t.Fatal(err)
			}
			var yv, mv, vv G.Value
			G.Read(y, &yv)
			G.Read(mean, &mv)
			G.Read(variance, &vv)
			vm := G.NewTapeMachine(g)
			defer vm.Close()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			tol := 1e-14
			if dt == tensor.Float32 {
				tol = 2e-7
			}
			check := func(what string, got G.Value, want []float64, scale float64) {
				gs := bnFloat64s(got.(*tensor.Dense))
				for i := range want {
					if d := math.Abs(gs[i] - want[i]); d > tol*scale {
						t.Fatalf("%s[%d] = %.17g, want %.17g", what, i, gs[i], want[i])
					}
				}
			}
			check("mean", mv, wantMean[:], 4)
			check("variance", vv, wantVar[:], 10)
			check("y", yv, want, 4)
			if got := bnFloat64s(xd); !equalFloat64s(got, bnFloat64s(bnTensor(dt, shape, x))) {
				t.Fatal("the ops wrote into their input")
			}
		})
	}
}

// TestBatchNormRefusesBadOperands: statistics, gamma or beta of the wrong length or dtype,
// an input without channels and a negative epsilon are errors, not panics.
func TestBatchNormRefusesBadOperands(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 2, G.WithShape(4, 3), G.WithName("x"))
	v3 := G.NewTensor(g, tensor.Float64, 1, G.WithShape(3), G.WithName("v3"))
	v2 := G.NewTensor(g, tensor.Float64, 1, G.WithShape(2), G.WithName("v2"))
	f3 := G.NewTensor(g, tensor.Float32, 1, G.WithShape(3), G.WithName("f3"))
	vec := G.NewTensor(g, tensor.Float64, 1, G.WithShape(3), G.WithName("vec"))
	for name, f := range map[string]func() error{
		"short mean":     func() error { _, err := BatchNorm(x, v2, v3, nil, nil, 1e-3, false); return err },
		"float32 gamma":  func() error { _, err := BatchNorm(x, v3, v3, f3, nil, 1e-3, false); return err },
		"short beta":     func() error { _, err := BatchNorm(x, v3, v3, nil, v2, 1e-3, false); return err },
		"no variance":    func() error { _, err := BatchNorm(x, v3, nil, nil, nil, 1e-3, false); return err },
		"negative eps":   func() error { _, err := BatchNorm(x, v3, v3, nil, nil, -1, false); return err },
		"rank 1 moments": func() error { _, _, err := Moments(vec); return err },
	} {
		if err := f(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func bnTensor(dt tensor.Dtype, shape []int, v []float64) *tensor.Dense {
	if dt == tensor.Float64 {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
	}
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
}

func bnFloat64s(d *tensor.Dense) []float64 {
	if d.Dtype() == tensor.Float64 {
		return d.Float64s()
	}
	f := d.Float32s()
	out := make([]float64, len(f))
	for i, v := range f {
		out[i] = float64(v)
	}
	return out
}

func equalFloat64s(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestBatchNormInferenceRoundsAsKeras32: float32 inference (moving statistics) equals, to the
// bit, Keras's float32 sequence written out here: inv = rsqrt(var + ε)·γ, res = β − mean·inv,
// y = x·inv + res, each step rounded to float32. In float64 constants the predictions moved away
// from Keras's by Keras's own rounding (MobileNet: 5.8e-5 → 1.3e-4 relative).
func TestBatchNormInferenceRoundsAsKeras32(t *testing.T) {
	const eps = 1e-3
	const c = 4
	shape := []int{3, 2, c}
	x := convCheckValues(24, 1.3)
	for i := range x {
		x[i] = 50*x[i] + 7 // near the mean: x·inv and mean·inv nearly cancel
	}
	mean, variance := []float64{7.1, -3, 0.25, 6.9}, []float64{0.37, 2.5, 1e-3, 4}
	gamma, beta := []float64{0.5, 2, -1, 1.7}, []float64{0.1, -0.2, 0, 3}
	f := func(v []float64) []float32 {
		o := make([]float32, len(v))
		for i, e := range v {
			o[i] = float32(e)
		}
		return o
	}
	x32, m32, v32, g32, b32 := f(x), f(mean), f(variance), f(gamma), f(beta)
	want := make([]float32, len(x))
	for j := range c {
		inv := float32(1/math.Sqrt(float64(v32[j]+float32(eps)))) * g32[j]
		res := float32(-m32[j]*inv) + b32[j]
		for r := 0; r < len(x)/c; r++ {
			want[r*c+j] = float32(x32[r*c+j]*inv) + res
		}
	}
	g := G.NewGraph()
	vec := func(name string, v []float64) *G.Node {
		return G.NewTensor(g, tensor.Float32, 1, G.WithShape(c), G.WithValue(bnTensor(tensor.Float32, []int{c}, v)), G.WithName(name))
	}
	xn := G.NewTensor(g, tensor.Float32, 3, G.WithShape(shape...), G.WithValue(bnTensor(tensor.Float32, shape, x)), G.WithName("x"))
	y, err := BatchNorm(xn, vec("mean", mean), vec("variance", variance), vec("gamma", gamma), vec("beta", beta), eps, false)
	if err != nil {
		t.Fatal(err)
	}
	var yv G.Value
	G.Read(y, &yv)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	got := yv.(*tensor.Dense).Float32s()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("y[%d] = %.9g, want %.9g (Keras's float32 order)", i, got[i], want[i])
		}
	}
}
