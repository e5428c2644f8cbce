package kerastest_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// broken is a layer with one deliberate fault, to show that RunLayerTest catches it.
type broken struct {
	keras.LayerBase
	fault string
	w     *keras.Variable
}

func (l *broken) ClassName() string      { return "Broken" }
func (l *broken) Config() map[string]any { return map[string]any{} }

func (l *broken) Build(in []keras.Shape) (err error) {
	if l.fault == "weight" {
		l.w, err = l.AddWeight("w", in[0][1:], "ones", true)
	}
	return err
}

func (l *broken) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	switch l.fault {
	case "shape":
		return []keras.Shape{{in[0][0], in[0][1] + 1}}, nil // Forward keeps the width
	case "panic":
		if len(in[0]) > 2 {
			_ = in[0][len(in[0])+1] // indexes past the shape instead of checking it
		}
	}
	return []keras.Shape{in[0].Clone()}, nil
}

func (l *broken) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	if l.fault == "view" {
		// Gorgonia's Reshape is a view of the input; the addition then runs in place over it,
		// i.e. over the input (docs/gorgonia.md).
		s := in[0].Shape()
		v, err := G.Reshape(in[0], []int{s.TotalSize()})
		o.Fail(err)
		y, err := G.Add(v, ctx.Constant(1))
		o.Fail(err)
		return o.Result(o.Reshape(y, s...))
	}
	if l.fault == "weight" {
		// The addition runs in place over the view, i.e. over the weight.
		v, err := G.Reshape(o.Var(l.w), []int{1, l.w.Shape()[0]})
		o.Fail(err)
		y, err := G.Add(v, ctx.Constant(1))
		o.Fail(err)
		return o.Result(o.Add(in[0], o.Reshape(y, l.w.Shape()[0])))
	}
	if l.fault != "gradient" {
		return o.Result(o.Tanh(in[0]))
	}
	// Gorgonia's InverseSqrt has a wrong gradient (docs/gorgonia.md).
	sq := o.Mul(in[0], in[0])
	d, err := G.Add(sq, ctx.Constant(1))
	o.Fail(err)
	y, err := G.InverseSqrt(d)
	o.Fail(err)
	return o.Result(y)
}

// TestRunLayerTestPasses: a correct layer passes every check.
func TestRunLayerTestPasses(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.Dense(2, layers.Activation("sigmoid")) },
		InputShapes:  []keras.Shape{{3}},
		OutputShapes: []keras.Shape{{keras.None, 2}},
		Weights:      []keras.Shape{{3, 2}, {2}},
		BadInputs:    [][]keras.Shape{{{4}}},
	})
}

// TestBrokenLayerHelper runs RunLayerTest on a broken layer; it is run as a child process by
// TestRunLayerTestCatchesFaults, which expects it to fail.
func TestBrokenLayerHelper(t *testing.T) {
	fault := os.Getenv("KERAGO_BROKEN_LAYER")
	if fault == "" {
		t.Skip("run by TestRunLayerTestCatchesFaults")
	}
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New: func() keras.Layer {
			l := &broken{fault: fault}
			l.Init("Broken", "")
			return l
		},
		InputShapes:  []keras.Shape{{3}},
		OutputShapes: []keras.Shape{{keras.None, 3}},
		BadInputs:    [][]keras.Shape{{{3, 2}}},
	})
}

// TestRunLayerTestCatchesFaults: each deliberate fault fails the check that should catch it.
func TestRunLayerTestCatchesFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the test binary")
	}
	for fault, want := range map[string]string{
		"shape":    "--- FAIL: TestBrokenLayerHelper/shapes",
		"gradient": "--- FAIL: TestBrokenLayerHelper/gradients",
		"panic":    "panicked instead of checking its inputs",
		"none":     "--- FAIL: TestBrokenLayerHelper/bad_inputs", // accepts any input
		"view":     "--- FAIL: TestBrokenLayerHelper/inputs",
		"weight":   "/w was modified",
	} {
		t.Run(fault, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenLayerHelper$", "-test.v")
			cmd.Env = append(os.Environ(), "KERAGO_BROKEN_LAYER="+fault)
			if fault == "view" || fault == "weight" {
				// Only Gorgonia's TapeMachine writes in place over a view; kerago's machine
				// never writes into memory it did not allocate, so there the faults do no
				// harm. Programs fall back to the TapeMachine (graphs with G.Set), and users
				// may select it, so the check must still catch them there.
				cmd.Env = append(cmd.Env, "KERAGO_MACHINE=tape")
			}
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), want) {
				t.Errorf("fault %q: want %q, got (err %v):\n%s", fault, want, err, out)
			}
		})
	}
}
