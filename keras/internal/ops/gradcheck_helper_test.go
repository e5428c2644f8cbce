package ops

import (
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Helpers for checking the gradients of the convolution, pooling and padding ops against
// central finite differences, on raw float64 Gorgonia graphs (the weights' gradients are
// checked through whole models with kerastest.CheckGradients; this checks the gradient that
// flows back to the input, op by op).

// convCheckValues returns n deterministic, irregular values with no ties (so a max has one
// winner per window and stays the winner under a small perturbation).
func convCheckValues(n int, phase float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = math.Sin(0.91*float64(i)+phase) + 0.013*float64(i%17)
	}
	return v
}

// convCheckResult reports a gradient check: how many entries were compared and the largest
// relative error.
type convCheckResult struct {
	checked int
	maxRel  float64
}

// convInputGradError builds cost = Σ f(x) ⊙ R for a fixed R in a float64 graph, takes
// d cost/dx with G.Grad, and compares it with (cost(x+eps) - cost(x-eps)) / 2eps at up to
// maxEntries entries of x spread over the tensor. It returns the first entry whose relative
// error exceeds tol (measured against max(|analytic|, |numeric|, 1e-8)).
func convInputGradError(x *tensor.Dense, f func(x *G.Node) (*G.Node, error), tol float64, maxEntries int) (convCheckResult, error) {
	var res convCheckResult
	g := G.NewGraph()
	xn := G.NewTensor(g, tensor.Float64, x.Dims(), G.WithShape(x.Shape()...), G.WithValue(x), G.WithName("x"))
	y, err := f(xn)
	if err != nil {
		return res, err
	}
	r := tensor.New(tensor.WithShape(y.Shape()...), tensor.WithBacking(convCheckValues(y.Shape().TotalSize(), 0.7)))
	rn := G.NewTensor(g, tensor.Float64, y.Dims(), G.WithShape(y.Shape()...), G.WithValue(r), G.WithName("r"))
	prod, err := G.HadamardProd(y, rn)
	if err != nil {
		return res, err
	}
	cost, err := G.Sum(prod)
	if err != nil {
		return res, err
	}
	grads, err := G.Grad(cost, xn)
	if err != nil {
		return res, err
	}
	// Gorgonia reuses the registers of dead nodes: read values with G.Read, set up before
	// the machine is compiled.
	var costV, gradV G.Value
	G.Read(cost, &costV)
	G.Read(grads[0], &gradV)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	run := func() (float64, error) {
		defer vm.Reset()
		if err := vm.RunAll(); err != nil {
			return 0, err
		}
		c, ok := costV.Data().(float64)
		if !ok {
			return 0, fmt.Errorf("cost is a %T", costV.Data())
		}
		return c, nil
	}
	if _, err := run(); err != nil {
		return res, err
	}
	analytic := append([]float64(nil), gradV.Data().([]float64)...)
	xs := x.Float64s()
	if len(analytic) != len(xs) {
		return res, fmt.Errorf("gradient has %d entries, x has %d", len(analytic), len(xs))
	}
	const eps = 1e-6
	step := max(1, len(xs)/maxEntries)
	for i := 0; i < len(xs); i += step {
		orig := xs[i]
		xs[i] = orig + eps
		cp, err := run()
		if err != nil {
			return res, err
		}
		xs[i] = orig - eps
		cm, err := run()
		xs[i] = orig
		if err != nil {
			return res, err
		}
		num := (cp - cm) / (2 * eps)
		rel := math.Abs(num-analytic[i]) / math.Max(math.Max(math.Abs(num), math.Abs(analytic[i])), 1e-8)
		res.checked++
		res.maxRel = math.Max(res.maxRel, rel)
		if rel > tol && math.Abs(num-analytic[i]) > 1e-9 {
			return res, fmt.Errorf("d cost/dx[%d] = %.9g, finite differences %.9g (relative error %.2e)", i, analytic[i], num, rel)
		}
	}
	return res, nil
}

// convCheckInputGradient is convInputGradError as a test assertion, on a fresh x of the given
// shape.
func convCheckInputGradient(t *testing.T, shape []int, f func(x *G.Node) (*G.Node, error)) convCheckResult {
	t.Helper()
	n := 1
	for _, d := range shape {
		n *= d
	}
	x := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(convCheckValues(n, 0.3)))
	res, err := convInputGradError(x, f, 1e-6, 200)
	if err != nil {
		t.Fatal(err)
	}
	if res.checked == 0 {
		t.Fatal("no entry checked")
	}
	return res
}
