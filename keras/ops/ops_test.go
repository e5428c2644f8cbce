package ops_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// fn is a weightless layer whose Forward is f on a Builder: the tests' window on the kit.
type fn struct {
	keras.LayerBase
	out     keras.Shape
	weights []*tensor.Dense // values of the layer's weights, set in Build
	vars    []*keras.Variable
	f       func(o *ops.Builder, in, w []*G.Node) *G.Node
}

func (l *fn) ClassName() string { return "Fn" }
func (l *fn) Build([]keras.Shape) error {
	for i, w := range l.weights {
		v, err := l.AddWeight(fmt.Sprint("w", i), keras.Shape(w.Shape()), "zeros", true)
		if err != nil {
			return err
		}
		copy(v.Value.Data().([]float64), w.Data().([]float64))
		l.vars = append(l.vars, v)
	}
	return nil
}
func (l *fn) OutputShapes(in []keras.Shape) ([]keras.Shape, error) { return []keras.Shape{l.out}, nil }
func (l *fn) Config() map[string]any                               { return map[string]any{} }
func (l *fn) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	ws := make([]*G.Node, len(l.vars))
	for i, v := range l.vars {
		ws[i] = o.Var(v)
	}
	return o.Result(l.f(o, in, ws))
}

// run predicts f on float64 inputs (each given with its shape, batch included) and returns
// the output values and the error.
func run(t *testing.T, out keras.Shape, f func(o *ops.Builder, in []*G.Node) *G.Node, xs ...*tensor.Dense) ([]float64, error) {
	t.Helper()
	return runW(t, out, nil, func(o *ops.Builder, in, _ []*G.Node) *G.Node { return f(o, in) }, xs...)
}

// runW is run for a layer with weights of the given values.
func runW(t *testing.T, out keras.Shape, weights []*tensor.Dense, f func(o *ops.Builder, in, w []*G.Node) *G.Node, xs ...*tensor.Dense) ([]float64, error) {
	t.Helper()
	l := &fn{out: out, f: f, weights: weights}
	l.Init("Fn", "")
	var ins []*keras.Tensor
	var data []*tensor.Dense
	for _, x := range xs {
		ins = append(ins, keras.Input(keras.Shape(x.Shape()[1:]), keras.DType("float64")))
		data = append(data, x)
	}
	m, err := keras.NewModel(ins, keras.Outputs(keras.CallOne(l, ins...)))
	if err != nil {
		t.Fatal(err)
	}
	var x any = data
	if len(data) == 1 {
		x = data[0]
	}
	y, err := m.Predict(x, keras.Verbose(0))
	if err != nil {
		return nil, err
	}
	return y[0].Data().([]float64), nil
}

func seq(n int, scale float64, shape ...int) *tensor.Dense {
	v := make([]float64, n)
	for i := range v {
		v[i] = scale * float64(i-n/2)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

func near(t *testing.T, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d values, want %d", len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("value %d: got %v, want %v\n got  %v\n want %v", i, got[i], want[i], got, want)
		}
	}
}

// TestMatMulAndBiasOverRank3: x (2, 3, 4) · w (4, 2) + b (2) contracts the last axis and
// adds b at every position, as Keras's Dense does on a sequence.
func TestMatMulAndBiasOverRank3(t *testing.T) {
	x := seq(24, 0.5, 2, 3, 4)
	w := seq(8, 0.25, 4, 2)
	b := seq(2, 1, 2)
	got, err := runW(t, keras.Shape{-1, 3, 2}, []*tensor.Dense{w, b}, func(o *ops.Builder, in, w []*G.Node) *G.Node {
		return o.Add(o.MatMul(in[0], w[0]), w[1])
	}, x)
	if err != nil {
		t.Fatal(err)
	}
	xv, wv, bv := x.Data().([]float64), w.Data().([]float64), b.Data().([]float64)
	var want []float64
	for r := range 6 {
		for j := range 2 {
			s := bv[j]
			for k := range 4 {
				s += xv[r*4+k] * wv[k*2+j]
			}
			want = append(want, s)
		}
	}
	near(t, got, want)
}

// TestElementwiseAndActivations checks the kit's element-wise operations against math.
func TestElementwiseAndActivations(t *testing.T) {
	x := seq(6, 0.7, 2, 3)
	xv := x.Data().([]float64)
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	cases := []struct {
		name string
		f    func(o *ops.Builder, x *G.Node) *G.Node
		want func(v float64) float64
	}{
		{"LeakyRelu0.3", func(o *ops.Builder, x *G.Node) *G.Node { return o.LeakyRelu(x, 0.3) }, func(v float64) float64 { return math.Max(v, 0.3*v) }},
		{"LeakyRelu2", func(o *ops.Builder, x *G.Node) *G.Node { return o.LeakyRelu(x, 2) }, func(v float64) float64 { return math.Min(v, 2*v) }},
		{"ThresholdedRelu0.5", func(o *ops.Builder, x *G.Node) *G.Node { return o.ThresholdedRelu(x, 0.5) }, func(v float64) float64 {
			if v > 0.5 {
				return v
			}
			return 0
		}},
		{"Elu1.5", func(o *ops.Builder, x *G.Node) *G.Node { return o.Elu(x, 1.5) }, func(v float64) float64 {
			if v > 0 {
				return v
			}
			return 1.5 * math.Expm1(v)
		}},
		{"relu", func(o *ops.Builder, x *G.Node) *G.Node { return o.Activation("relu", x) }, func(v float64) float64 { return math.Max(v, 0) }},
		{"silu", func(o *ops.Builder, x *G.Node) *G.Node { return o.Activation("silu", x) }, func(v float64) float64 { return v * sig(v) }},
		{"softsign", func(o *ops.Builder, x *G.Node) *G.Node { return o.Activation("softsign", x) }, func(v float64) float64 { return v / (1 + math.Abs(v)) }},
		{"hard_sigmoid", func(o *ops.Builder, x *G.Node) *G.Node { return o.Activation("hard_sigmoid", o.Scale(x, 4)) }, func(v float64) float64 { return math.Min(math.Max(4*v/6+0.5, 0), 1) }},
		{"hard_silu", func(o *ops.Builder, x *G.Node) *G.Node { return o.Activation("hard_silu", o.Scale(x, 4)) }, func(v float64) float64 { return 4 * v * math.Min(math.Max(4*v/6+0.5, 0), 1) }},
		{"linear", func(o *ops.Builder, x *G.Node) *G.Node { return o.Activation("", x) }, func(v float64) float64 { return v }},
		{"Scale-Sub", func(o *ops.Builder, x *G.Node) *G.Node { return o.Sub(o.Scale(x, 3), x) }, func(v float64) float64 { return 2 * v }},
		{"Maximum", func(o *ops.Builder, x *G.Node) *G.Node { return o.Maximum(x, o.Neg(x)) }, math.Abs},
		{"Sum", func(o *ops.Builder, x *G.Node) *G.Node { return o.Sum(x, x, x) }, func(v float64) float64 { return 3 * v }},
		{"Scale-Shift", func(o *ops.Builder, x *G.Node) *G.Node { return o.Shift(o.Scale(x, 0.5), -1.25) }, func(v float64) float64 { return 0.5*v - 1.25 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := run(t, keras.Shape{-1, 3}, func(o *ops.Builder, in []*G.Node) *G.Node { return c.f(o, in[0]) }, x)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]float64, len(xv))
			for i, v := range xv {
				want[i] = c.want(v)
			}
			near(t, got, want)
		})
	}
}

// TestTile: copies of (2, 1, 3) along axis 1 (given as -2) repeat each sample's row; one copy
// is x itself and zero copies an error.
func TestTile(t *testing.T) {
	x := seq(6, 1, 2, 1, 3)
	got, err := run(t, keras.Shape{-1, 3, 3}, func(o *ops.Builder, in []*G.Node) *G.Node { return o.Tile(in[0], -2, 3) }, x)
	if err != nil {
		t.Fatal(err)
	}
	xv := x.Data().([]float64)
	var want []float64
	for b := range 2 {
		for range 3 {
			want = append(want, xv[b*3:b*3+3]...)
		}
	}
	near(t, got, want)
	if _, err := run(t, keras.Shape{-1, 1, 3}, func(o *ops.Builder, in []*G.Node) *G.Node { return o.Tile(in[0], 1, 0) }, x); !errors.Is(err, keras.ErrShape) {
		t.Errorf("Tile 0 copies: got %v, want ErrShape", err)
	}
}

// TestTransposeAndSlice: (2, 3, 4) transposed to (2, 4, 3) and cut to its steps 1:3 along
// the last axis, against indexing by hand; a wrong permutation or range is an error.
func TestTransposeAndSlice(t *testing.T) {
	x := seq(24, 1, 2, 3, 4)
	got, err := run(t, keras.Shape{-1, 4, 2}, func(o *ops.Builder, in []*G.Node) *G.Node {
		return o.Slice(o.Transpose(in[0], 0, 2, 1), -1, 1, 3)
	}, x)
	if err != nil {
		t.Fatal(err)
	}
	xv := x.Data().([]float64)
	var want []float64
	for b := range 2 {
		for j := range 4 {
			for i := 1; i < 3; i++ {
				want = append(want, xv[b*12+i*4+j])
			}
		}
	}
	near(t, got, want)
	for name, f := range map[string]func(o *ops.Builder, x *G.Node) *G.Node{
		"Transpose(0, 1, 1)": func(o *ops.Builder, x *G.Node) *G.Node { return o.Transpose(x, 0, 1, 1) },
		"Slice(1, 2, 5)":     func(o *ops.Builder, x *G.Node) *G.Node { return o.Slice(x, 1, 2, 5) },
	} {
		if _, err := run(t, keras.Shape{-1, 3, 4}, func(o *ops.Builder, in []*G.Node) *G.Node { return f(o, in[0]) }, x); !errors.Is(err, keras.ErrShape) {
			t.Errorf("%s: got %v, want ErrShape", name, err)
		}
	}
}

// TestSoftmaxRows: softmax runs along the last axis, each row on its own.
func TestSoftmaxRows(t *testing.T) {
	x := seq(6, 1, 2, 3)
	got, err := run(t, keras.Shape{-1, 3}, func(o *ops.Builder, in []*G.Node) *G.Node { return o.Activation("softmax", in[0]) }, x)
	if err != nil {
		t.Fatal(err)
	}
	xv := x.Data().([]float64)
	var want []float64
	for r := range 2 {
		row := xv[r*3 : r*3+3]
		s := 0.0
		for _, v := range row {
			s += math.Exp(v)
		}
		for _, v := range row {
			want = append(want, math.Exp(v)/s)
		}
	}
	near(t, got, want)
}

// TestErrorsAreSticky: the first failure is kept, later operations do nothing, and the error
// names the operation and the shapes.
func TestErrorsAreSticky(t *testing.T) {
	cases := []struct {
		name  string
		f     func(o *ops.Builder, in []*G.Node) *G.Node
		want  string
		sense error
	}{
		{"MatMul", func(o *ops.Builder, in []*G.Node) *G.Node {
			y := o.MatMul(in[0], in[1])
			return o.Relu(o.Add(y, in[0]))
		}, "ops.MatMul: incompatible shape: want x (..., n) and w (n, m), got x (2, 3) and w (2, 4)", keras.ErrShape},
		{"Add", func(o *ops.Builder, in []*G.Node) *G.Node { return o.Tanh(o.Add(in[0], in[1])) },
			"ops.Add: incompatible shape: operands of shapes (2, 3) and (2, 4)", keras.ErrShape},
		{"Activation", func(o *ops.Builder, in []*G.Node) *G.Node { return o.Activation("relu6", in[0]) },
			`ops.Activation: unknown name: activation "relu6" (known: exponential, gelu, hard_sigmoid, hard_silu, hard_swish, linear, relu, `, keras.ErrUnknownName},
		{"Reshape", func(o *ops.Builder, in []*G.Node) *G.Node { return o.Reshape(in[0], 5) },
			"ops.Reshape: incompatible shape: cannot reshape (2, 3) (6 values) to [5]", keras.ErrShape},
		{"Dropout", func(o *ops.Builder, in []*G.Node) *G.Node { return o.Dropout(in[0], 1.5, "d") },
			"ops.Dropout: invalid argument: rate must be in [0, 1], got 1.5", keras.ErrInvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := run(t, keras.Shape{-1, 3}, c.f, seq(6, 1, 2, 3), seq(8, 1, 2, 4))
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, c.sense) {
				t.Fatalf("error %v\nwant it to contain %q and wrap %v", err, c.want, c.sense)
			}
			var le *keras.LayerError
			if !errors.As(err, &le) || le.Class != "Fn" {
				t.Errorf("error does not name the layer: %v", err)
			}
		})
	}
}

// TestReluIsOneOp: Relu, and so the "relu" activation of every layer, is kerago's relu op
// (one node with a hand-written gradient, internal/ops) rather than Gorgonia's Rectify, which
// builds a comparison and a product; on float64 values with a zero and negative zeros.
func TestReluIsOneOp(t *testing.T) {
	x := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{-2, 0, 3, math.Copysign(0, -1), -0.5, 1e-300}))
	for _, name := range []string{"Relu", "relu activation"} {
		t.Run(name, func(t *testing.T) {
			var op string
			got, err := run(t, keras.Shape{-1, 3}, func(o *ops.Builder, in []*G.Node) *G.Node {
				y := o.Relu(in[0])
				if name != "Relu" {
					y = o.Activation("relu", in[0])
				}
				if y != nil && y.Op() != nil {
					op = y.Op().String()
				}
				return y
			}, x)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(op, "relu{") {
				t.Errorf("the output node's op is %q, want kerago's relu op", op)
			}
			want := []float64{0, 0, 3, 0, 0, 1e-300}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("relu = %v, want %v", got, want)
					break
				}
			}
		})
	}
}

// TestConcatOfOneKeepsItsOperand: Gorgonia's Concat of a single tensor returned the operand's
// memory in a register of its own, so an in-place operator after it (here Shift) wrote into
// the operand, and y - h gave 0 instead of 1.
func TestConcatOfOneKeepsItsOperand(t *testing.T) {
	x := seq(6, 1, 2, 3)
	got, err := run(t, keras.Shape{-1, 3}, func(o *ops.Builder, in []*G.Node) *G.Node {
		h := o.Scale(in[0], 2)
		y := o.Shift(o.Concat(1, h), 1)
		return o.Sub(y, h)
	}, x)
	if err != nil {
		t.Fatal(err)
	}
	near(t, got, []float64{1, 1, 1, 1, 1, 1})
}
