package ops

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestParameterisedOpsStayApart: every op of the package that takes a parameter, applied
// twice to the same inputs with two values of it (output shapes equal), gives two nodes:
// Base.Params names every parameter that changes the result, so Gorgonia's AddNode, which
// merges nodes by hash, never turns the second into the first. The ops numbered per call
// (Dense, Conv, the recurrent op, Concat, Slice, Embed) cannot merge; the window ops are
// TestConvOpsHashDistinct's, softmax and log-softmax TestSoftmaxAndLogSoftmaxStayApart's.
func TestParameterisedOpsStayApart(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 2, G.WithShape(4, 4), G.WithName("x"))
	y := G.NewTensor(g, tensor.Float64, 2, G.WithShape(4, 4), G.WithName("y"))
	cube := G.NewTensor(g, tensor.Float64, 3, G.WithShape(3, 3, 3), G.WithName("cube"))
	labels := G.NewTensor(g, tensor.Float64, 1, G.WithShape(4), G.WithName("labels"))
	ids := G.NewTensor(g, tensor.Int, 2, G.WithShape(4, 4), G.WithName("ids"))
	col := G.NewTensor(g, tensor.Float64, 2, G.WithShape(4, 1), G.WithName("col"))
	pairs := []struct {
		name string
		a, b func() (*G.Node, error)
	}{
		{"LeakyRelu slopes", func() (*G.Node, error) { return LeakyRelu(x, 0.1) }, func() (*G.Node, error) { return LeakyRelu(x, 0.2) }},
		{"ThresholdedRelu thresholds", func() (*G.Node, error) { return ThresholdedRelu(x, 0.5) }, func() (*G.Node, error) { return ThresholdedRelu(x, 1) }},
		{"Relu and ThresholdedRelu", func() (*G.Node, error) { return Relu(x) }, func() (*G.Node, error) { return ThresholdedRelu(x, 1) }},
		{"SumLast scales", func() (*G.Node, error) { return SumLast(x, 1) }, func() (*G.Node, error) { return SumLast(x, 0.25) }},
		{"BroadcastLast scales", func() (*G.Node, error) { return BroadcastLast(col, 3, 1) }, func() (*G.Node, error) { return BroadcastLast(col, 3, 0.5) }},
		{"Maximum and Minimum", func() (*G.Node, error) { return Maximum(x, y) }, func() (*G.Node, error) { return Minimum(x, y) }},
		{"Trailing add and sub", func() (*G.Node, error) { return Trailing(Add, x, y) }, func() (*G.Node, error) { return Trailing(Sub, x, y) }},
		{"Trailing mul and div", func() (*G.Node, error) { return Trailing(Mul, x, y) }, func() (*G.Node, error) { return Trailing(Div, x, y) }},
		{"Transpose permutations", func() (*G.Node, error) { return Transpose(cube, 0, 2, 1) }, func() (*G.Node, error) { return Transpose(cube, 2, 1, 0) }},
		{"Reshape of one shape from two", func() (*G.Node, error) { return Reshape(x, tensor.Shape{2, 8}) }, func() (*G.Node, error) {
			return Reshape(G.Must(Transpose(x, 1, 0)), tensor.Shape{2, 8})
		}},
		{"Digitize boundaries", func() (*G.Node, error) { return Digitize(x, []float64{0, 1}, tensor.Float64) }, func() (*G.Node, error) {
			return Digitize(x, []float64{0, 1.5}, tensor.Float64)
		}},
		{"CategoryEncoding multi_hot and count", func() (*G.Node, error) { return CategoryEncoding(x, "multi_hot", 5, tensor.Float64) }, func() (*G.Node, error) {
			return CategoryEncoding(x, "count", 5, tensor.Float64)
		}},
		{"IntMask dtypes", func() (*G.Node, error) { return IntMask(ids, tensor.Float64) }, func() (*G.Node, error) { return IntMask(ids, tensor.Float32) }},
		{"CircleLoss margins", func() (*G.Node, error) { return CircleLoss(labels, x, 80, 0.4, true) }, func() (*G.Node, error) {
			return CircleLoss(labels, x, 80, 0.25, true)
		}},
		{"CircleLoss diagonal", func() (*G.Node, error) { return CircleLoss(labels, x, 80, 0.4, true) }, func() (*G.Node, error) {
			return CircleLoss(labels, x, 80, 0.4, false)
		}},
		{"OrthogonalPenalty factors", func() (*G.Node, error) { return OrthogonalPenalty(x, 0.01, false) }, func() (*G.Node, error) {
			return OrthogonalPenalty(x, 0.02, false)
		}},
		{"OrthogonalPenalty modes", func() (*G.Node, error) { return OrthogonalPenalty(x, 0.01, false) }, func() (*G.Node, error) {
			return OrthogonalPenalty(x, 0.01, true)
		}},
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			a, err := p.a()
			if err != nil {
				t.Fatal(err)
			}
			b, err := p.b()
			if err != nil {
				t.Fatal(err)
			}
			if !a.Shape().Eq(b.Shape()) {
				t.Fatalf("shapes %v and %v differ: the pair shows nothing", a.Shape(), b.Shape())
			}
			if a == b {
				t.Errorf("one node for both: %v", a)
			}
		})
	}
}
