package exec

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/chewxy/hm"
	"github.com/kerago/kerago/keras/internal/errs"
	"github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// graph is a small training graph that exercises what a realised program holds: a fed
// input (Let before each run), bound weights, one weight read twice (its gradient is the
// sum of two contributions), kerago's ops (Dense, relu, softmax cross-entropy) and
// Gorgonia's (a product, a slice, whose gradient adds into zeroed memory, a mean), and a
// G.Read of the loss, the output and every gradient.
type graph struct {
	g           *G.ExprGraph
	x, y        *G.Node
	loss, out   G.Value
	grads       []G.Value
	lossV, outV *G.Value
	gradV       []*G.Value
}

func newGraph(t *testing.T) *graph {
	t.Helper()
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(4, 3), G.WithName("x"))
	y := G.NewMatrix(g, tensor.Float32, G.WithShape(4, 2), G.WithName("y"))
	w := G.NewMatrix(g, tensor.Float32, G.WithShape(3, 3), G.WithName("w"), G.WithValue(seq(3, 3, 0.1)))
	v := G.NewMatrix(g, tensor.Float32, G.WithShape(3, 2), G.WithName("v"), G.WithValue(seq(3, 2, -0.2)))
	b := G.NewVector(g, tensor.Float32, G.WithShape(2), G.WithName("b"), G.WithValue(seq(2, 0, 0.3)))
	must := func(n *G.Node, err error) *G.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	h := must(G.Mul(x, w))                                   // Gorgonia's matrix product
	h = must(ops.Relu(must(G.Add(h, must(G.Mul(x, w))))))    // w read twice
	z := must(ops.Dense(h, v, b, ops.DenseLinear))           // kerago's Dense
	col := must(G.Slice(z, nil, G.S(0)))                     // a slice: its gradient is sliceIncr
	xe := must(ops.SoftmaxCrossEntropy(z, y))                // kerago's fused loss
	loss := must(G.Add(must(G.Mean(xe)), must(G.Mean(col)))) // Gorgonia's reductions
	gs, err := G.Grad(loss, w, v, b)
	if err != nil {
		t.Fatal(err)
	}
	gr := &graph{g: g, x: x, y: y, lossV: new(G.Value), outV: new(G.Value)}
	G.Read(loss, gr.lossV)
	G.Read(z, gr.outV)
	for _, n := range gs {
		p := new(G.Value)
		G.Read(n, p)
		gr.gradV = append(gr.gradV, p)
	}
	return gr
}

// seq is a (r, c) float32 tensor (a vector when c is 0) of step·(i+1)·(-1)^i.
func seq(r, c int, step float32) *tensor.Dense {
	n, shape := r, []int{r}
	if c > 0 {
		n, shape = r*c, []int{r, c}
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = step * float32(i+1)
		if i%2 == 1 {
			v[i] = -v[i]
		}
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// feed lets run r's input and targets.
func (gr *graph) feed(t *testing.T, r int) {
	t.Helper()
	x := seq(4, 3, 0.05*float32(r+1))
	y := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float32{1, 0, 0, 1, 1, 0, float32(r % 2), float32(1 - r%2)}))
	if err := G.Let(gr.x, x); err != nil {
		t.Fatal(err)
	}
	if err := G.Let(gr.y, y); err != nil {
		t.Fatal(err)
	}
}

// values flattens what the graph read in its last run.
func (gr *graph) values() []float32 {
	var out []float32
	for _, p := range append([]*G.Value{gr.lossV, gr.outV}, gr.gradV...) {
		switch v := (*p).(type) {
		case *G.F32:
			out = append(out, float32(*v))
		case *tensor.Dense:
			out = append(out, v.Data().([]float32)...)
		}
	}
	return out
}

// TestMachineMatchesTape runs the graph five times with different inputs on the machine and
// on Gorgonia's TapeMachine: every value read must agree to the bit, on every run (a value
// kept from one run must never leak into the next: the slice's gradient adds into memory
// that must be zero, and the machine must not hand that op the last run's).
func TestMachineMatchesTape(t *testing.T) {
	tape, mine := newGraph(t), newGraph(t)
	vm := G.NewTapeMachine(tape.g)
	defer vm.Close()
	m, err := New(mine.g)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for r := range 5 {
		tape.feed(t, r)
		mine.feed(t, r)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		vm.Reset()
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
		m.Reset()
		want, got := tape.values(), mine.values()
		if len(want) != len(got) || len(want) < 1+8+9+6+2 {
			t.Fatalf("run %d: the tape read %d values, the machine %d", r, len(want), len(got))
		}
		for i := range want {
			if math.Float32bits(want[i]) != math.Float32bits(got[i]) {
				t.Fatalf("run %d, value %d: %v on the tape, %v on the machine", r, i, want[i], got[i])
			}
		}
	}
	st := m.Stats()
	if st.InPlace == 0 || st.Do == 0 {
		t.Errorf("stats %+v: want ops run both in place and with Do", st)
	}
}

// TestMachineSteadyStateAllocs: once the first run has allocated the values, a run of kerago's
// ops allocates nothing.
func TestMachineSteadyStateAllocs(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(8, 5), G.WithName("x"))
	y := G.NewMatrix(g, tensor.Float32, G.WithShape(8, 4), G.WithName("y"))
	w := G.NewMatrix(g, tensor.Float32, G.WithShape(5, 4), G.WithName("w"), G.WithValue(seq(5, 4, 0.1)))
	z, err := ops.Dense(x, w, nil, ops.DenseRelu)
	if err != nil {
		t.Fatal(err)
	}
	xe, err := ops.SoftmaxCrossEntropy(z, y)
	if err != nil {
		t.Fatal(err)
	}
	out := new(G.Value)
	G.Read(xe, out)
	if err := G.Let(x, seq(8, 5, 0.01)); err != nil {
		t.Fatal(err)
	}
	if err := G.Let(y, seq(8, 4, 1)); err != nil {
		t.Fatal(err)
	}
	m, err := New(g)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() {
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("a steady-state run allocates %v times", n)
	}
}

// TestMachineErrors: a leaf without a value and a panicking op are errors naming the node.
func TestMachineErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 2), G.WithName("unfed"))
	if _, err := G.Mul(x, x); err != nil {
		t.Fatal(err)
	}
	m, err := New(g)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.RunAll(); err == nil || !strings.Contains(err.Error(), "unfed") {
		t.Errorf("unfed input: error %v, want one naming the node", err)
	}

	g = G.NewGraph()
	a := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 2), G.WithName("a"), G.WithValue(seq(2, 2, 1)))
	if _, err := G.ApplyOp(panicOp{ops.Base{Name: "panic", Inputs: 1}}, a); err != nil {
		t.Fatal(err)
	}
	if m, err = New(g); err != nil {
		t.Fatal(err)
	}
	err = m.RunAll()
	if !errors.Is(err, errs.Internal) || !strings.Contains(err.Error(), "boom") {
		t.Errorf("panicking op: error %v, want an internal error with the panic's text", err)
	}
}

// panicOp panics in Do, as a broken op would.
type panicOp struct{ ops.Base }

func (panicOp) Type() hm.Type { a := hm.TypeVariable('a'); return hm.NewFnType(a, a) }

func (panicOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return in[0].(tensor.Shape), nil }

func (panicOp) Do(...G.Value) (G.Value, error) { panic("boom") }

// TestMachineRefusesSet: a graph with a G.Set statement is refused (ErrUnsupported), for the
// caller to run on the TapeMachine.
func TestMachineRefusesSet(t *testing.T) {
	g := G.NewGraph()
	a := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 2), G.WithName("a"), G.WithValue(seq(2, 2, 1)))
	b := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 2), G.WithName("b"), G.WithValue(seq(2, 2, 2)))
	G.Set(a, b)
	if _, err := New(g); !errors.Is(err, ErrUnsupported) {
		t.Errorf("New on a graph with Set: %v, want ErrUnsupported", err)
	}
}
