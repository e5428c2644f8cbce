package ops

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The fused squared error replaces Gorgonia's Sub and Square in every mean squared error:
// its values and the predictions' gradient must be that chain's bit for bit, in both
// precisions, for any incoming gradient (a random weight per value).
func TestSquaredErrorMatchesGorgoniaBitForBit(t *testing.T) {
	const rows, cols = 7, 5
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(8, uint64(dt.Size())))
			vals := func(scale float64) []float64 {
				v := make([]float64, rows*cols)
				for i := range v {
					v[i] = r.NormFloat64() * scale
				}
				v[0], v[1] = 1e30, -3e-30 // large and tiny differences
				return v
			}
			pv, yv, wv := vals(3), vals(3), vals(1)
			must := mustOf(t)
			build := func(fused bool) []*tensor.Dense {
				g := G.NewGraph()
				node := func(name string, v []float64) *G.Node {
					return G.NewTensor(g, dt, 2, G.WithShape(rows, cols), G.WithName(name), G.WithValue(tensorOf(dt, v, rows, cols)))
				}
				p, y, w := node("p", pv), node("y", yv), node("w", wv)
				var e *G.Node
				if fused {
					e = must(SquaredError(p, y))
				} else {
					e = must(G.Square(must(G.Sub(p, y))))
				}
				dp := gradOf(t, must(G.Sum(must(G.HadamardProd(e, w)))), p)
				return runGraph(t, g, e, dp)
			}
			got, want := build(true), build(false)
			for i, what := range []string{"squared error", "its gradient"} {
				if k := sameBits(got[i], want[i]); k >= 0 {
					t.Errorf("%s at %d: got %v, Gorgonia's chain %v", what, k, got[i].Data(), want[i].Data())
				}
			}
		})
	}
}

func TestSquaredErrorRefusesBadInputs(t *testing.T) {
	g := G.NewGraph()
	p := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("p"))
	y := G.NewMatrix(g, tensor.Float32, G.WithShape(3, 2), G.WithName("y"))
	y64 := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("y64"))
	s := G.NewScalar(g, tensor.Float32, G.WithName("s"))
	for name, c := range map[string][2]*G.Node{"shapes": {p, y}, "dtypes": {p, y64}, "scalar": {s, s}} {
		if _, err := SquaredError(c[0], c[1]); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	a := tensorOf(tensor.Float32, []float64{1, 2}, 2)
	b := tensorOf(tensor.Float32, []float64{1, 2, 3}, 3)
	if _, err := (squaredErrorOp{Base{Name: "squared_error", Inputs: 2}}).Do(a, b); err == nil {
		t.Error("Do of mismatched values: no error")
	}
	if _, err := (squaredErrorGradOp{Base{Name: "squared_error_grad", Inputs: 3}}).Do(a, a, b); err == nil {
		t.Error("gradient Do of a mismatched incoming gradient: no error")
	}
}
