package ops_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// gradientsOf compiles a one-layer model of the kit function f (with weights of the given
// values) under mse and returns the weights' gradients on x against zero targets.
func gradientsOf(t *testing.T, out keras.Shape, weights []*tensor.Dense, f func(o *ops.Builder, in, w []*G.Node) *G.Node, x *tensor.Dense) []*tensor.Dense {
	t.Helper()
	l := &fn{out: out, weights: weights, f: f}
	l.Init("Fn", "")
	in := keras.Input(keras.Shape(x.Shape()[1:]), keras.DType("float64"))
	m, err := keras.NewModel([]*keras.Tensor{in}, keras.Outputs(keras.CallOne(l, in)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	ys := append([]int{x.Shape()[0]}, out[1:]...)
	_, grads, err := m.Gradients(x, tensor.New(tensor.WithShape(ys...), tensor.Of(tensor.Float64)))
	if err != nil {
		t.Fatal(err)
	}
	return grads
}

func filledF64(v float64, shape ...int) *tensor.Dense {
	t := tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float64))
	for i := range t.Data().([]float64) {
		t.Data().([]float64)[i] = v
	}
	return t
}

func nearGrad(t *testing.T, what string, got, want []float64) {
	t.Helper()
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12*math.Max(1, math.Abs(want[i])) {
			t.Fatalf("%s: entry %d is %v, want %v", what, i, got[i], want[i])
		}
	}
}

// TestConcatGradientPartsAtOffsetsBeyond256: the kit's Concat of two parts of width 256.
// Gorgonia's Concat cuts its gradient with G.Slice, whose hash keeps one byte of each bound,
// so the parts [0:256] and [256:512] of the output's gradient were one node and the second
// operand got the first one's gradient: here w1's gradient came out equal to w0's instead of
// twice it (issue 12). Predictions were right; only training was wrong.
func TestConcatGradientPartsAtOffsetsBeyond256(t *testing.T) {
	const n = 256
	x := seq(n, 0.01, 1, n)
	grads := gradientsOf(t, keras.Shape{-1, 2 * n}, []*tensor.Dense{filledF64(1, n), filledF64(2, n)},
		func(o *ops.Builder, in, w []*G.Node) *G.Node {
			return o.Concat(1, o.Mul(in[0], w[0]), o.Mul(in[0], w[1]))
		}, x)
	// loss = Σ out² / 2n, out = [x·w0, x·w1]: ∂/∂wᵢ[j] = 2·x[j]²·wᵢ[j] / 2n.
	xv := x.Data().([]float64)
	for i, wi := range []float64{1, 2} {
		want := make([]float64, n)
		for j, v := range xv {
			want[j] = 2 * v * v * wi / (2 * n)
		}
		nearGrad(t, []string{"w0", "w1"}[i], grads[i].Data().([]float64), want)
	}
}

// TestTileGradientBeyond256Copies: 257 copies of one step (RepeatVector(257), an additive
// attention over 257 steps, PReLU's alpha shared over 257 positions, a broadcast over 257 in
// an operation layer). The kit's Tile is a Concat of the copies, and copies 0 and 256 have
// bounds [0:1] and [256:257], equal modulo 256: with Gorgonia's Concat the last copy's
// gradient was the first's.
func TestTileGradientBeyond256Copies(t *testing.T) {
	const n = 257
	v := seq(2*n, 0.01, n, 2)
	x := tensor.New(tensor.WithShape(1, 1, 2), tensor.WithBacking([]float64{0.5, -1.5}))
	grads := gradientsOf(t, keras.Shape{-1, n, 2}, []*tensor.Dense{filledF64(1, 2), v},
		func(o *ops.Builder, in, w []*G.Node) *G.Node {
			return o.Mul(o.Tile(o.Mul(in[0], w[0]), 1, n), w[1])
		}, x)
	// out[k][j] = x[j]·w[j]·v[k][j], loss = Σ out² / 2n: ∂/∂w[j] = Σₖ 2·out[k][j]·x[j]·v[k][j] / 2n.
	xv, vv := x.Data().([]float64), v.Data().([]float64)
	want := make([]float64, 2)
	for k := range n {
		for j := range 2 {
			out := xv[j] * vv[k*2+j]
			want[j] += 2 * out * xv[j] * vv[k*2+j] / (2 * n)
		}
	}
	nearGrad(t, "w", grads[0].Data().([]float64), want)
}
