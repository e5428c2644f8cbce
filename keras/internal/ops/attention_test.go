package ops

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestAttentionContractions compares both products with the einsums written out index by
// index, on a batch of 2, 3 heads, 4 query steps, 5 key steps and 2 features.
func TestAttentionContractions(t *testing.T) {
	const B, Tq, S, H, D = 2, 4, 5, 3, 2
	q := convCheckValues(B*Tq*H*D, 0.1)
	k := convCheckValues(B*S*H*D, 0.5)
	g := G.NewGraph()
	qn := G.NewTensor(g, tensor.Float64, 4, G.WithShape(B, Tq, H, D), G.WithValue(tensor.New(tensor.WithShape(B, Tq, H, D), tensor.WithBacking(q))))
	kn := G.NewTensor(g, tensor.Float64, 4, G.WithShape(B, S, H, D), G.WithValue(tensor.New(tensor.WithShape(B, S, H, D), tensor.WithBacking(k))))
	sc, err := AttentionScores(qn, kn)
	if err != nil {
		t.Fatal(err)
	}
	// the scores act as weights over the key steps, and k as the values
	out, err := AttentionCombine(sc, kn)
	if err != nil {
		t.Fatal(err)
	}
	var scV, outV G.Value
	G.Read(sc, &scV)
	G.Read(out, &outV)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if !scV.Shape().Eq(tensor.Shape{B, H, Tq, S}) || !outV.Shape().Eq(tensor.Shape{B, Tq, H, D}) {
		t.Fatalf("shapes %v and %v", scV.Shape(), outV.Shape())
	}
	got, gotOut := scV.Data().([]float64), outV.Data().([]float64)
	want := make([]float64, B*H*Tq*S)
	for b := 0; b < B; b++ {
		for h := 0; h < H; h++ {
			for i := 0; i < Tq; i++ {
				for j := 0; j < S; j++ {
					for d := 0; d < D; d++ {
						want[((b*H+h)*Tq+i)*S+j] += q[((b*Tq+i)*H+h)*D+d] * k[((b*S+j)*H+h)*D+d]
					}
				}
			}
		}
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("scores[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	for b := 0; b < B; b++ {
		for i := 0; i < Tq; i++ {
			for h := 0; h < H; h++ {
				for d := 0; d < D; d++ {
					var w float64
					for j := 0; j < S; j++ {
						w += want[((b*H+h)*Tq+i)*S+j] * k[((b*S+j)*H+h)*D+d]
					}
					if at := ((b*Tq+i)*H+h)*D + d; math.Abs(gotOut[at]-w) > 1e-12 {
						t.Fatalf("combine[%d] = %v, want %v", at, gotOut[at], w)
					}
				}
			}
		}
	}
}

// TestAttentionGradients checks the gradient of each operand of both products, and so each
// of the three contractions in its backward role, against finite differences.
func TestAttentionGradients(t *testing.T) {
	const B, Tq, S, H, D = 2, 3, 4, 2, 3
	constant := func(g *G.ExprGraph, shape ...int) *G.Node {
		n := tensor.Shape(shape).TotalSize()
		return G.NewTensor(g, tensor.Float64, len(shape), G.WithShape(shape...),
			G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(convCheckValues(n, 1.9)))))
	}
	cases := map[string]struct {
		shape []int
		f     func(x *G.Node) (*G.Node, error)
	}{
		"scores/query": {[]int{B, Tq, H, D}, func(x *G.Node) (*G.Node, error) { return AttentionScores(x, constant(x.Graph(), B, S, H, D)) }},
		"scores/key":   {[]int{B, S, H, D}, func(x *G.Node) (*G.Node, error) { return AttentionScores(constant(x.Graph(), B, Tq, H, D), x) }},
		"combine/weights": {[]int{B, H, Tq, S}, func(x *G.Node) (*G.Node, error) {
			return AttentionCombine(x, constant(x.Graph(), B, S, H, D))
		}},
		"combine/value": {[]int{B, S, H, D}, func(x *G.Node) (*G.Node, error) {
			return AttentionCombine(constant(x.Graph(), B, H, Tq, S), x)
		}},
		// x in every role at once: the gradients of all three contractions add up
		"scores then combine": {[]int{B, Tq, H, D}, func(x *G.Node) (*G.Node, error) {
			s, err := AttentionScores(x, x)
			if err != nil {
				return nil, err
			}
			return AttentionCombine(s, x)
		}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if res := convCheckInputGradient(t, c.shape, c.f); res.maxRel > 1e-6 {
				t.Errorf("max relative error %v", res.maxRel)
			}
		})
	}
}

// TestAttentionRefusesMismatchedShapes checks the shapes are checked when the graph is built.
func TestAttentionRefusesMismatchedShapes(t *testing.T) {
	g := G.NewGraph()
	a := G.NewTensor(g, tensor.Float64, 4, G.WithShape(2, 3, 2, 4), G.WithName("a"))
	b := G.NewTensor(g, tensor.Float64, 4, G.WithShape(2, 5, 3, 4), G.WithName("b"))
	if _, err := AttentionScores(a, b); err == nil {
		t.Fatal("scores of 2 and 3 heads: no error")
	}
	if _, err := AttentionCombine(a, b); err == nil {
		t.Fatal("combine of mismatched shapes: no error")
	}
}
