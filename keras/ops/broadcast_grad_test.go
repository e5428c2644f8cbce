package ops_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// reluTimes builds x (batch, shape...) → relu(x ⊙ p) op w: p of x's shape without the batch
// (as kerastest's probe), w over the last axis, both broadcast by the kit. On a rank-3 x both
// products reshape their first operand; relu's backward reads relu's output again.
func reluTimes(t *testing.T, shape keras.Shape, op func(o *ops.Builder, a, b *G.Node) *G.Node, p, w *tensor.Dense) *keras.Model {
	t.Helper()
	full := append(keras.Shape{-1}, shape...)
	in := keras.Input(shape, keras.DType("float64"))
	pl := &fn{out: full, weights: []*tensor.Dense{p}, f: func(o *ops.Builder, in, w []*G.Node) *G.Node { return o.Mul(in[0], w[0]) }}
	pl.Init("Fn", "")
	wl := &fn{out: full, weights: []*tensor.Dense{w}, f: func(o *ops.Builder, in, w []*G.Node) *G.Node { return op(o, o.Relu(in[0]), w[0]) }}
	wl.Init("Fn", "")
	m, err := keras.NewModel([]*keras.Tensor{in}, keras.Outputs(keras.CallOne(wl, keras.CallOne(pl, in))))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBroadcastMulGradientExact: for x (2, 3, 4), p (3, 4) and w (4,), the gradient of the mse
// of relu(x ⊙ p) ⊙ w with respect to p is Σ_b 2(out − y)/N · w · [x ⊙ p > 0] · x, computed
// here by hand. Gorgonia's Reshape shared its input's memory, the tape machine wrote another
// op's result into it, and relu's backward read that: the gradient came out 0 or wrong.
func TestBroadcastMulGradientExact(t *testing.T) {
	const b, r, c = 2, 3, 4
	x := kerastest.Float64(func(i int) float64 { return math.Sin(float64(i) + 0.5) }, b, r, c)
	y := kerastest.Float64(func(i int) float64 { return math.Cos(float64(i)) }, b, r, c)
	p := kerastest.Float64(func(i int) float64 { return 1 + 0.1*float64(i) }, r, c)
	w := kerastest.Float64(func(i int) float64 { return 1.5 + 0.25*float64(i) }, c)
	m := reluTimes(t, keras.Shape{r, c}, (*ops.Builder).Mul, p, w)
	_, grads, err := m.Gradients(x, y)
	if err != nil {
		t.Fatal(err)
	}
	xs, ys, ps, ws := x.Data().([]float64), y.Data().([]float64), p.Data().([]float64), w.Data().([]float64)
	want := make([]float64, r*c)
	for i := range xs {
		j, k := i%(r*c), i%c
		h := xs[i] * ps[j]
		if h <= 0 {
			continue
		}
		out := h * ws[k]
		want[j] += 2 * (out - ys[i]) / float64(len(xs)) * ws[k] * xs[i]
	}
	got := grads[0].Data().([]float64)
	for j := range want {
		if math.Abs(got[j]-want[j]) > 1e-12 {
			t.Fatalf("gradient of p %v, computed by hand %v", got, want)
		}
	}
}

// TestBroadcastGradients checks the kit's four broadcasting operators after a broadcast
// product and relu against finite differences, on rank 3 (both operands reshaped) and rank 2
// (no reshape, which was always right).
func TestBroadcastGradients(t *testing.T) {
	ops4 := []struct {
		name string
		f    func(o *ops.Builder, a, b *G.Node) *G.Node
	}{{"Mul", (*ops.Builder).Mul}, {"Div", (*ops.Builder).Div}, {"Add", (*ops.Builder).Add}, {"Sub", (*ops.Builder).Sub}}
	for _, op := range ops4 {
		for _, shape := range []keras.Shape{{3, 4}, {4}} {
			x := kerastest.Float64(func(i int) float64 { return math.Sin(float64(i) + 0.5) }, append([]int{2}, shape...)...)
			y := kerastest.Float64(func(i int) float64 { return math.Cos(float64(i)) }, append([]int{2}, shape...)...)
			p := kerastest.Float64(func(i int) float64 { return 1 + 0.1*float64(i) }, shape...)
			w := kerastest.Float64(func(i int) float64 { return 1.5 + 0.25*float64(i) }, 4)
			m := reluTimes(t, shape, op.f, p, w)
			if err := kerastest.GradientError(m, x, y, kerastest.GradCheckOptions{}); err != nil {
				t.Errorf("%s on (2, %v): %v", op.name, shape, err)
			}
		}
	}
}
