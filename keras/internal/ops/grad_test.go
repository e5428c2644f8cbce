package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// weightedLoss builds Σ w ⊙ f(x) with constant random weights w, so every output element's
// gradient path is exercised with a different weight, and returns the loss and ∂loss/∂x.
func weightedLoss(t *testing.T, x []float64, shape []int, w []float64, f func(x, y *G.Node) (*G.Node, error), y []float64) (float64, []float64) {
	t.Helper()
	g := G.NewGraph()
	xn := G.NewTensor(g, tensor.Float64, len(shape), G.WithShape(shape...), G.WithName("x"),
		G.WithValue(tensorOf(tensor.Float64, x, shape...)))
	var yn *G.Node
	if y != nil {
		yn = G.NewConstant(tensorOf(tensor.Float64, y, shape...), G.WithName("y"))
	}
	out, err := f(xn, yn)
	if err != nil {
		t.Fatal(err)
	}
	wn := G.NewConstant(tensorOf(tensor.Float64, w, out.Shape()...), G.WithName("w"))
	loss := G.Must(G.Sum(G.Must(G.HadamardProd(out, wn))))
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

// Each op's hand-written gradient equals central finite differences of its forward pass, on
// rows with large offsets and (for the cross-entropy) one-hot and smoothed probability
// targets and targets that do not sum to 1.
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	const n, c = 4, 5
	r := rand.New(rand.NewPCG(3, 4))
	x, _ := offsetRows(r, n, c)
	oneHot := make([]float64, n*c)
	smooth := make([]float64, n*c)
	loose := make([]float64, n*c)
	for i := range n {
		k := r.IntN(c)
		oneHot[i*c+k] = 1
		for j := range c {
			smooth[i*c+j] = 0.1 / c
			loose[i*c+j] = r.Float64()
		}
		smooth[i*c+k] += 0.9
	}
	cases := []struct {
		name string
		f    func(x, y *G.Node) (*G.Node, error)
		y    []float64
		outN int
	}{
		{"softmax", func(x, _ *G.Node) (*G.Node, error) { return Softmax(x) }, nil, n * c},
		{"log_softmax", func(x, _ *G.Node) (*G.Node, error) { return LogSoftmax(x) }, nil, n * c},
		{"cross_entropy/one-hot", SoftmaxCrossEntropy, oneHot, n},
		{"cross_entropy/smoothed", SoftmaxCrossEntropy, smooth, n},
		{"cross_entropy/unnormalised", SoftmaxCrossEntropy, loose, n},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := make([]float64, tc.outN)
			for i := range w {
				w[i] = r.NormFloat64()
			}
			shape := []int{n, c}
			_, grad := weightedLoss(t, x, shape, w, tc.f, tc.y)
			const eps = 1e-5
			for i := range x {
				xp := append([]float64(nil), x...)
				xp[i] += eps
				lp, _ := weightedLoss(t, xp, shape, w, tc.f, tc.y)
				xp[i] -= 2 * eps
				lm, _ := weightedLoss(t, xp, shape, w, tc.f, tc.y)
				num := (lp - lm) / (2 * eps)
				if err := compare(grad[i], num); err != nil {
					t.Fatalf("∂/∂x[%d]: %v", i, err)
				}
			}
		})
	}
}

// compare accepts a relative error of 1e-5 (the logits are ~1000, so finite differences
// lose about 8 digits) or an absolute one of 1e-8.
func compare(analytic, numeric float64) error {
	d := math.Abs(analytic - numeric)
	if d <= 1e-8 || d <= 1e-5*math.Max(math.Abs(analytic), math.Abs(numeric)) {
		return nil
	}
	return fmt.Errorf("gradient %.10g, finite differences %.10g", analytic, numeric)
}
