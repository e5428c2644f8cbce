package ops

import (
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Gorgonia's ExprGraph.AddNode returns an existing node when a new one hashes alike and has
// the same op hash, type, shape and number of children (nodeEq; the children are compared
// through the hash only), and an existing constant or input of the same name. An op whose
// hash leaves out something that changes its result therefore turns two different
// computations into one node. These tests pin down, for gorgonia v0.9.18, which of the
// Gorgonia ops kerago calls keep their parameters apart and which ops must not be called
// (docs/gorgonia.md, "Ops that hash alike"). A Gorgonia upgrade that changes either list
// fails here.

// hashPair builds two computations on fresh inputs of one graph and returns their nodes.
type hashPair struct {
	name  string
	build func(t *testing.T, m mustFn, g *G.ExprGraph) (a, b *G.Node)
}

// mustFn returns a node, failing the test on an error.
type mustFn func(*G.Node, error) *G.Node

func mustOf(t *testing.T) mustFn {
	return func(n *G.Node, err error) *G.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
}

func square(g *G.ExprGraph, name string, shape ...int) *G.Node {
	return G.NewTensor(g, tensor.Float64, len(shape), G.WithShape(shape...), G.WithName(name))
}

// TestGorgoniaOpsKeragoCallsKeepTheirParameters: every Gorgonia op kerago's non-test code
// calls with a parameter (axes, permutations, broadcast patterns, scalar constants, operand
// order) gives two nodes for two parameters on one input whose output shapes agree.
func TestGorgoniaOpsKeragoCallsKeepTheirParameters(t *testing.T) {
	cases := []hashPair{
		{"Sum along 0 and 1", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			x := square(g, "x", 3, 3)
			return m(G.Sum(x, 0)), m(G.Sum(x, 1))
		}},
		{"Mean along 0 and 1", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			x := square(g, "x", 3, 3)
			return m(G.Mean(x, 0)), m(G.Mean(x, 1))
		}},
		{"Max along 0 and 1", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			x := square(g, "x", 3, 3)
			return m(G.Max(x, 0)), m(G.Max(x, 1))
		}},
		{"Sum along 1 of shapes (2,6) and (2,6) reshaped from (3,4)", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			x := square(g, "x", 2, 6)
			y := m(G.Reshape(square(g, "y", 3, 4), tensor.Shape{2, 6}))
			return m(G.Sum(x, 1)), m(G.Sum(y, 1))
		}},
		{"Transpose (0,2,1) and (2,1,0)", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			x := square(g, "x", 3, 3, 3)
			return m(G.Transpose(x, 0, 2, 1)), m(G.Transpose(x, 2, 1, 0))
		}},
		{"BroadcastAdd over axis 0 and axis 1", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			x, v := square(g, "x", 3, 3), square(g, "v", 3)
			return m(G.BroadcastAdd(x, v, nil, []byte{0})), m(G.BroadcastAdd(x, v, nil, []byte{1}))
		}},
		{"BroadcastHadamardDiv over axis 0 and axis 1 of a sum", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			x := square(g, "x", 3, 3)
			s := m(G.Sum(x, 1))
			return m(G.BroadcastHadamardDiv(x, s, nil, []byte{0})), m(G.BroadcastHadamardDiv(x, s, nil, []byte{1}))
		}},
		{"Reshape (2,3,4) to (6,4) and (2,3,4) transposed to (6,4)", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			x := square(g, "x", 2, 3, 4)
			return m(G.Reshape(x, tensor.Shape{6, 4})), m(G.Reshape(m(G.Transpose(x, 1, 0, 2)), tensor.Shape{6, 4}))
		}},
		{"scalar constants 0.1 and the next float64", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			x := square(g, "x", 3)
			return m(G.Mul(x, G.NewConstant(0.1))), m(G.Mul(x, G.NewConstant(math.Nextafter(0.1, 1))))
		}},
		{"x − y and y − x", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			x, y := square(g, "x", 3), square(g, "y", 3)
			return m(G.Sub(x, y)), m(G.Sub(y, x))
		}},
		{"MaxBetween and MinBetween", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			x, y := square(g, "x", 3), square(g, "y", 3)
			return m(G.MaxBetween(x, y)), m(G.MinBetween(x, y))
		}},
		{"ByIndices of two index vectors", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			x := square(g, "x", 5, 2)
			i := G.NewTensor(g, tensor.Int, 1, G.WithShape(3), G.WithName("i"))
			j := G.NewTensor(g, tensor.Int, 1, G.WithShape(3), G.WithName("j"))
			return m(G.ByIndices(x, i, 0)), m(G.ByIndices(x, j, 0))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if a, b := c.build(t, mustOf(t), G.NewGraph()); a == b {
				t.Errorf("one node for both: %v", a)
			}
		})
	}
}

// TestGorgoniaOpsThatHashAlike: the Gorgonia v0.9.18 ops whose hash drops a parameter, each
// shown merging two different computations into one node. kerago calls none of them (each
// row of docs/gorgonia.md says what it uses instead); if this test fails, Gorgonia fixed one
// and the table is out of date.
func TestGorgoniaOpsThatHashAlike(t *testing.T) {
	cases := []hashPair{
		{"Slice [0:256] and [256:512]: bounds hashed as one byte", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			x := square(g, "x", 2, 512)
			return m(G.Slice(x, nil, G.S(0, 256))), m(G.Slice(x, nil, G.S(256, 512)))
		}},
		{"Concat's gradient parts [0:256] and [256:512]", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			a, b := square(g, "a", 2, 256), square(g, "b", 2, 256)
			cost := m(G.Sum(m(G.Square(m(G.Concat(1, a, b))))))
			grads, err := G.Grad(cost, a, b)
			if err != nil {
				t.Fatal(err)
			}
			if len(grads) != 2 {
				t.Fatalf("%d gradients", len(grads))
			}
			// the gradient's parts are Gorgonia slice ops: one node where there should be two
			var parts G.Nodes
			for _, n := range g.AllNodes() {
				if fmt.Sprintf("%T", n.Op()) == "*gorgonia.sliceOp" {
					parts = append(parts, n)
				}
			}
			if len(parts) == 0 {
				t.Fatal("no slice in the gradient")
			}
			return parts[0], parts[len(parts)-1]
		}},
		{"SoftMax and LogSoftMax: isLog not hashed (issue #569)", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			x := square(g, "x", 3, 3)
			return m(G.SoftMax(x)), m(G.LogSoftMax(x))
		}},
		{"Dropout 0.1 and 0.5: the probability not hashed", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			x := square(g, "x", 3, 3)
			return m(G.Dropout(x, 0.1)), m(G.Dropout(x, 0.5))
		}},
		{"Sparsemax along 0 and 1: the axis not hashed", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			x := square(g, "x", 3, 3)
			return m(G.Sparsemax(x, 0)), m(G.Sparsemax(x, 1))
		}},
		{"Im2Col with dilation 1 and 2: the dilation not hashed", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			// 11 rows, kernel 3, stride 3: 3 positions with either dilation
			x := square(g, "x", 1, 1, 11, 11)
			k, p, s := tensor.Shape{3, 3}, tensor.Shape{0, 0}, tensor.Shape{3, 3}
			return m(G.Im2Col(x, k, p, s, tensor.Shape{1, 1})), m(G.Im2Col(x, k, p, s, tensor.Shape{2, 2}))
		}},
		{"CTCLoss with mean and sum reductions: the reduction not hashed", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			lp := square(g, "log_probs", 5, 2, 4)
			tg := G.NewTensor(g, tensor.Int, 2, G.WithShape(2, 3), G.WithName("targets"))
			il := G.NewTensor(g, tensor.Int, 1, G.WithShape(2), G.WithName("input_lengths"))
			tl := G.NewTensor(g, tensor.Int, 1, G.WithShape(2), G.WithName("target_lengths"))
			return m(G.CTCLoss(lp, tg, il, tl, G.ReductionMean)), m(G.CTCLoss(lp, tg, il, tl, G.ReductionSum))
		}},
		{"GroupNorm with ε 1e-3 and 1e-5: ε not hashed", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			x := square(g, "x", 2, 4, 3, 3)
			sc, b := square(g, "scale", 1, 4, 1, 1), square(g, "bias", 1, 4, 1, 1)
			return m(G.GroupNorm(x, sc, b, 2, 4, 1e-3)), m(G.GroupNorm(x, sc, b, 2, 4, 1e-5))
		}},
		{"BatchNorm with ε 1e-3 and 1e-5: hashed as %1.1f", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			x := square(g, "x", 4, 3)
			sc, b := square(g, "scale", 1, 3), square(g, "bias", 1, 3)
			y1, _, _, _, err := G.BatchNorm(x, sc, b, 0.99, 1e-3)
			if err != nil {
				t.Fatal(err)
			}
			y2, _, _, _, err := G.BatchNorm(x, sc, b, 0.99, 1e-5)
			if err != nil {
				t.Fatal(err)
			}
			return y1, y2
		}},
		{"inputs of one name, type and shape", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			return square(g, "x", 3), square(g, "x", 3)
		}},
		{"leaves of one name with different values", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			one := G.NewTensor(g, tensor.Float64, 1, G.WithShape(3), G.WithName("stats"), G.WithValue(tensor.New(tensor.WithBacking([]float64{1, 1, 1}))))
			two := G.NewTensor(g, tensor.Float64, 1, G.WithShape(3), G.WithName("stats"), G.WithValue(tensor.New(tensor.WithBacking([]float64{2, 2, 2}))))
			return one, two
		}},
		{"unnamed tensor constants printed alike", func(t *testing.T, m mustFn, g *G.ExprGraph) (*G.Node, *G.Node) {
			x := square(g, "x", 12)
			a := make([]float64, 12)
			b := make([]float64, 12)
			b[6] = 1 // the middle of the printed value is elided
			return m(G.Add(x, G.NewConstant(tensor.New(tensor.WithBacking(a))))), m(G.Add(x, G.NewConstant(tensor.New(tensor.WithBacking(b)))))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if a, b := c.build(t, mustOf(t), G.NewGraph()); a != b {
				t.Errorf("two nodes %v and %v: Gorgonia now tells them apart; update docs/gorgonia.md", a, b)
			}
		})
	}
}

// TestGorgoniaScalarConstantsOfTwoDtypes: an unnamed scalar constant is named by printing its
// value, and AddNode returns any earlier constant of that name whatever its dtype: the float64
// 2 of the second product becomes the float32 2 of the first. kerago's graphs hold one float
// dtype, so their constants never meet one of the other.
func TestGorgoniaScalarConstantsOfTwoDtypes(t *testing.T) {
	g := G.NewGraph()
	x32 := G.NewTensor(g, tensor.Float32, 1, G.WithShape(3), G.WithName("x32"))
	x64 := G.NewTensor(g, tensor.Float64, 1, G.WithShape(3), G.WithName("x64"))
	mustOf(t)(G.Mul(x32, G.NewConstant(float32(2))))
	p, err := G.Mul(x64, G.NewConstant(float64(2)))
	if err != nil {
		t.Logf("the float64 product is refused: %v", err)
		return
	}
	kids := g.From(p.ID())
	for kids.Next() {
		if c := kids.Node().(*G.Node); c.IsScalar() && c.Dtype() != tensor.Float32 {
			t.Errorf("the float64 product's constant is %v: Gorgonia no longer merges constants across dtypes; update docs/gorgonia.md", c.Dtype())
		}
	}
}

// TestGorgoniaMergesNodesWhoseChildrenHashAlike: nodeEq compares two non-input nodes by op
// hash, type, shape and number of children, never by the children themselves, so two nodes
// whose children are different nodes with equal 32-bit hashes are merged. The inputs
// w270175 and w1248870 (float64 vectors of 3) hash alike (found by trying names w0, w1, …;
// AddNode keeps both), and −w1248870 became −w270175: w270175 − w1248870 computed as
// −(−w270175) + (−w270175) is 0 instead of −1. A graph of N nodes of one op, type and shape
// risks about N²/2 / 2³² such merges; kerago's numbered ops (Dense, Conv, the recurrent
// layers, Concat, Slice, Embed) never merge.
func TestGorgoniaMergesNodesWhoseChildrenHashAlike(t *testing.T) {
	g := G.NewGraph()
	m := mustOf(t)
	a := G.NewTensor(g, tensor.Float64, 1, G.WithShape(3), G.WithName("w270175"), G.WithValue(tensor.New(tensor.WithBacking([]float64{1, 1, 1}))))
	b := G.NewTensor(g, tensor.Float64, 1, G.WithShape(3), G.WithName("w1248870"), G.WithValue(tensor.New(tensor.WithBacking([]float64{2, 2, 2}))))
	if a == b || a.Hashcode() != b.Hashcode() {
		t.Fatalf("the inputs: same node %v, hashes %x and %x", a == b, a.Hashcode(), b.Hashcode())
	}
	na, nb := m(G.Neg(a)), m(G.Neg(b))
	if na != nb {
		t.Fatalf("−a and −b are two nodes: Gorgonia now compares children; update docs/gorgonia.md")
	}
	d := m(G.Add(m(G.Neg(na)), nb))
	var v G.Value
	G.Read(d, &v)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if got := v.Data().([]float64)[0]; got != 0 {
		t.Errorf("a − b = %v, want the merged 0 (the true value is −1)", got)
	}
}
