package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// kernelLoss evaluates Σ w ⊙ f(x, fixed...) in float64 with constant random weights w on
// f's output, and returns it with its gradient with respect to x.
func kernelLoss(t *testing.T, f func(x *G.Node, fixed []*G.Node) (*G.Node, error), x []float64, shape []int, fixed []*tensor.Dense, w []float64) (float64, []float64) {
	t.Helper()
	g := G.NewGraph()
	xn := G.NewTensor(g, tensor.Float64, len(shape), G.WithShape(shape...), G.WithName("x"),
		G.WithValue(tensorOf(tensor.Float64, x, shape...)))
	var fn []*G.Node
	for _, d := range fixed {
		fn = append(fn, G.NewConstant(d))
	}
	out, err := f(xn, fn)
	if err != nil {
		t.Fatal(err)
	}
	loss := out
	if !out.IsScalar() {
		wn := G.NewConstant(tensorOf(tensor.Float64, w[:out.Shape().TotalSize()], out.Shape()...), G.WithName("w"))
		loss = G.Must(G.Sum(G.Must(G.HadamardProd(out, wn))))
	}
	grads, err := G.Grad(loss, xn)
	if err != nil {
		t.Fatal(err)
	}
	var lv, gv G.Value
	G.Read(loss, &lv)
	G.Read(grads[0], &gv)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return lv.Data().(float64), float64s(gv.Data())
}

// checkKernelGradient compares f's hand-written gradient with central finite differences.
func checkKernelGradient(t *testing.T, f func(x *G.Node, fixed []*G.Node) (*G.Node, error), x []float64, shape []int, fixed ...*tensor.Dense) {
	t.Helper()
	r := rand.New(rand.NewPCG(8, 9))
	w := make([]float64, 64)
	for i := range w {
		w[i] = 0.5 + r.Float64()
	}
	_, got := kernelLoss(t, f, x, shape, fixed, w)
	const h = 1e-6
	for i := range x {
		xp := append([]float64(nil), x...)
		xp[i] += h
		lp, _ := kernelLoss(t, f, xp, shape, fixed, w)
		xp[i] -= 2 * h
		lm, _ := kernelLoss(t, f, xp, shape, fixed, w)
		want := (lp - lm) / (2 * h)
		if math.Abs(got[i]-want) > 1e-5*math.Max(1, math.Abs(want)) {
			t.Errorf("∂/∂x[%d] = %.8g, finite differences %.8g", i, got[i], want)
		}
	}
}

// The orthogonal penalty's hand-written gradient is its finite differences, by rows and by
// columns.
func TestOrthogonalPenaltyGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 12)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	for _, columns := range []bool{false, true} {
		checkKernelGradient(t, func(x *G.Node, _ []*G.Node) (*G.Node, error) {
			return OrthogonalPenalty(x, 0.3, columns)
		}, x, []int{4, 3})
	}
}

// The CTC loss's hand-written gradient (the recursion's reverse pass through log_softmax)
// is its finite differences, with repeated labels, padding and a sample without labels.
func TestCTCLossGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const b, steps, classes = 3, 5, 4
	x := make([]float64, b*steps*classes)
	for i := range x {
		x[i] = r.NormFloat64() * 2
	}
	labels := tensorOf(tensor.Float64, []float64{1, 2, 2, 0, 3, 1, 0, 0, 0, 0, 0, 0}, b, 4)
	checkKernelGradient(t, func(x *G.Node, fixed []*G.Node) (*G.Node, error) {
		return CTCLoss(fixed[0], x)
	}, x, []int{b, steps, classes}, labels)
}

// The Circle loss's hand-written gradient is its finite differences, with a class of one
// sample (no positive pair: masked out of the mean).
func TestCircleLossGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const b, dims = 6, 3
	x := make([]float64, b*dims)
	for i := 0; i < b; i++ { // unit rows, as Keras's docs ask, then a little off
		n := 0.0
		for j := 0; j < dims; j++ {
			x[i*dims+j] = r.NormFloat64()
			n += x[i*dims+j] * x[i*dims+j]
		}
		for j := 0; j < dims; j++ {
			x[i*dims+j] /= math.Sqrt(n) * 1.1
		}
	}
	labels := tensorOf(tensor.Float64, []float64{0, 1, 0, 2, 1, 0}, b)
	for _, removeDiag := range []bool{true, false} {
		checkKernelGradient(t, func(x *G.Node, fixed []*G.Node) (*G.Node, error) {
			return CircleLoss(fixed[0], x, 8, 0.4, removeDiag)
		}, x, []int{b, dims}, labels)
	}
}
