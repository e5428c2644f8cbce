package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// sigmoidEdgeValues are logits around every cut-off of Gorgonia's sigmoid and softplus in both
// precisions (−709, −708, −103, −88, 14, 15, 16, 19), zero and its neighbours, and random
// values of both signs.
func sigmoidEdgeValues(n int) []float64 {
	v := []float64{-1000, -709.5, -708.5, -200, -103.5, -102.5, -100, -88.5, -87.5, -20, -1e-3, -1e-30, 0,
		1e-30, 1e-3, 1, 13.9, 14, 14.5, 15, 15.5, 16, 16.5, 19, 19.5, 50, 1000}
	r := rand.New(rand.NewPCG(3, 9))
	for len(v) < n {
		v = append(v, r.NormFloat64()*6)
	}
	return v[:n]
}

// runGraph runs g once on Gorgonia's TapeMachine and returns the values of the nodes.
func runGraph(t *testing.T, g *G.ExprGraph, nodes ...*G.Node) []*tensor.Dense {
	t.Helper()
	out := make([]G.Value, len(nodes))
	for i, n := range nodes {
		G.Read(n, &out[i])
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	res := make([]*tensor.Dense, len(out))
	for i, v := range out {
		res[i] = v.(*tensor.Dense)
	}
	return res
}

// gradOf returns the gradient node of loss with respect to x.
func gradOf(t *testing.T, loss, x *G.Node) *G.Node {
	t.Helper()
	d, err := G.Grad(loss, x)
	if err != nil {
		t.Fatal(err)
	}
	return d[0]
}

// sameBits reports the first index where a and b differ in any bit, or -1.
func sameBits(a, b *tensor.Dense) int {
	switch a.Dtype() {
	case tensor.Float32:
		x, y := a.Float32s(), b.Float32s()
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				return i
			}
		}
	default:
		x, y := a.Float64s(), b.Float64s()
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				return i
			}
		}
	}
	return -1
}

// The sigmoid op and the fused binary cross-entropy replace Gorgonia chains in every model
// with a sigmoid: their values and gradients must be those chains' bit for bit, in both
// precisions, at and around every cut-off, for any incoming gradient (here a random weight
// per value).
func TestSigmoidOpsMatchGorgoniaBitForBit(t *testing.T) {
	const rows, cols = 9, 6
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(dt.Size())))
			targets := make([]float64, rows*cols)
			weights := make([]float64, rows*cols)
			for i := range targets {
				targets[i] = float64(r.IntN(2))
				if i%3 == 0 {
					targets[i] = r.Float64() // smoothed labels
				}
				weights[i] = r.NormFloat64()
			}
			must := mustOf(t)
			build := func(fused bool) []*tensor.Dense {
				g := G.NewGraph()
				logits := func(name string) *G.Node {
					return G.NewTensor(g, dt, 2, G.WithShape(rows, cols), G.WithName(name),
						G.WithValue(tensorOf(dt, sigmoidEdgeValues(rows*cols), rows, cols)))
				}
				z, z2 := logits("z"), logits("z2") // the cross-entropy's, the sigmoid's
				y := G.NewTensor(g, dt, 2, G.WithShape(rows, cols), G.WithName("y"), G.WithValue(tensorOf(dt, targets, rows, cols)))
				w := G.NewTensor(g, dt, 2, G.WithShape(rows, cols), G.WithName("w"), G.WithValue(tensorOf(dt, weights, rows, cols)))
				var p, e *G.Node
				if fused {
					p = must(Sigmoid(z2))
					e = must(SigmoidCrossEntropy(z, y))
				} else {
					p = must(G.Sigmoid(z2))
					e = must(G.Sub(must(G.Softplus(z)), must(G.HadamardProd(y, z))))
				}
				// Weighted sums: each value gets a gradient of its own.
				loss := must(G.Add(must(G.Sum(must(G.HadamardProd(e, w)))), must(G.Sum(must(G.HadamardProd(p, w))))))
				d, err := G.Grad(loss, z, z2)
				if err != nil {
					t.Fatal(err)
				}
				dE, dP := d[0], d[1]
				return runGraph(t, g, p, e, dE, dP)
			}
			got, want := build(true), build(false)
			for i, what := range []string{"sigmoid", "cross-entropy", "cross-entropy's gradient", "sigmoid's gradient"} {
				if k := sameBits(got[i], want[i]); k >= 0 {
					t.Errorf("%s at %d (z = %v): got %v, Gorgonia's chain %v", what, k, sigmoidEdgeValues(rows * cols)[k],
						got[i].Data(), want[i].Data())
				}
			}
		})
	}
}

// The fused cross-entropy is finite for every logit, and is the binary cross-entropy.
func TestSigmoidCrossEntropyValues(t *testing.T) {
	z := []float64{-800, -30, -2, 0, 3, 40, 900}
	y := []float64{1, 0, 0.25, 1, 0, 1, 0}
	g := G.NewGraph()
	zn := G.NewTensor(g, tensor.Float64, 1, G.WithShape(len(z)), G.WithName("z"), G.WithValue(tensorOf(tensor.Float64, z, len(z))))
	yn := G.NewTensor(g, tensor.Float64, 1, G.WithShape(len(z)), G.WithName("y"), G.WithValue(tensorOf(tensor.Float64, y, len(z))))
	must := mustOf(t)
	e := must(SigmoidCrossEntropy(zn, yn))
	dz := gradOf(t, must(G.Sum(e)), zn)
	res := runGraph(t, g, e, dz)
	for i := range z {
		// log(1+e^z) − y·z, and its derivative σ(z) − y.
		want := math.Max(z[i], 0) + math.Log1p(math.Exp(-math.Abs(z[i]))) - y[i]*z[i]
		if got := res[0].Float64s()[i]; math.IsInf(got, 0) || math.IsNaN(got) || math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("z=%v y=%v: loss %v, want %v", z[i], y[i], got, want)
		}
		wantD := 1/(1+math.Exp(-z[i])) - y[i]
		if got := res[1].Float64s()[i]; math.Abs(got-wantD) > 1e-12 {
			t.Errorf("z=%v y=%v: gradient %v, want %v", z[i], y[i], got, wantD)
		}
	}
}

func TestSigmoidCrossEntropyRefusesBadInputs(t *testing.T) {
	g := G.NewGraph()
	z := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("z"))
	y := G.NewMatrix(g, tensor.Float32, G.WithShape(3, 2), G.WithName("y"))
	y64 := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("y64"))
	s := G.NewScalar(g, tensor.Float32, G.WithName("s"))
	for name, c := range map[string][2]*G.Node{"shapes": {z, y}, "dtypes": {z, y64}, "scalar": {s, s}} {
		if _, err := SigmoidCrossEntropy(c[0], c[1]); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// At run time, a value of the wrong shape is an error, not a panic.
	op := sigmoidXentOp{Base{Name: "sigmoid_cross_entropy", Inputs: 2}}
	a := tensorOf(tensor.Float32, []float64{1, 2}, 2)
	b := tensorOf(tensor.Float32, []float64{1, 2, 3}, 3)
	if _, err := op.Do(a, b); err == nil {
		t.Error("Do of mismatched values: no error")
	}
	grad := sigmoidXentGradOp{Base{Name: "sigmoid_cross_entropy_grad", Inputs: 3}}
	if _, err := grad.Do(a, a, b); err == nil {
		t.Error("gradient Do of a mismatched loss gradient: no error")
	}
}
