package layers_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/exec"
	"gorgonia.org/tensor"
)

// TestMachinesAgreeBitForBit trains each seed model twice from the same seed, once on
// Gorgonia's TapeMachine (KERAGO_MACHINE=tape) and once on kerago's machine
// (keras/internal/exec), and requires every loss, every weight after the last step and the
// predictions afterwards to be identical to the bit: the machine must run exactly the ops the
// TapeMachine runs, on the same numbers.
func TestMachinesAgreeBitForBit(t *testing.T) {
	steps := 20
	if testing.Short() {
		steps = 5
	}
	threeOutputsAdam := func(tb testing.TB) *keras.Model {
		m := seedThreeOutputs(tb)
		if err := m.Compile("adam",
			map[string]string{"age": "mse", "income": "categorical_crossentropy", "gender": "binary_crossentropy"},
			keras.LossWeights(map[string]float64{"age": 0.25, "income": 1, "gender": 10})); err != nil {
			tb.Fatal(err)
		}
		return m
	}
	cases := []struct {
		name  string
		build func(testing.TB) *keras.Model
		data  func() (any, any)
	}{
		{"mlp", seedMLP, seedMLPData(128)},
		{"qa", seedQA, seedQAData},
		{"conv1d_three_outputs", threeOutputsAdam, seedThreeOutputsData},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x, y := c.data()
			run := func(machine string) (losses []float64, weights, preds []*tensor.Dense) {
				t.Setenv("KERAGO_MACHINE", machine)
				built, refused := exec.Counts()
				m := c.build(t)
				for range steps {
					logs, err := m.TrainOnBatch(x, y)
					if err != nil {
						t.Fatalf("%s: %v", machine, err)
					}
					losses = append(losses, logs["loss"])
				}
				preds, err := m.Predict(x, keras.Verbose(0))
				if err != nil {
					t.Fatalf("%s: Predict: %v", machine, err)
				}
				b, r := exec.Counts()
				switch {
				case machine == "tape" && b != built:
					t.Fatalf("KERAGO_MACHINE=tape built %d exec machines", b-built)
				case machine == "exec" && (b == built || r != refused):
					t.Fatalf("KERAGO_MACHINE=exec: %d exec machines built, %d graphs refused; want every program on exec", b-built, r-refused)
				}
				return losses, m.Weights(), preds
			}
			tl, tw, tp := run("tape")
			el, ew, ep := run("exec")
			for i := range tl {
				if math.Float64bits(tl[i]) != math.Float64bits(el[i]) {
					t.Fatalf("step %d: loss %v on the tape, %v on exec", i+1, tl[i], el[i])
				}
			}
			sameBits(t, "weight", tw, ew)
			sameBits(t, "prediction", tp, ep)
			if tl[0] == tl[len(tl)-1] {
				t.Fatalf("the loss did not move in %d steps (%v): the comparison proves nothing", steps, tl[0])
			}
		})
	}
}

// sameBits fails unless a and b hold the same tensors element for element, bit for bit.
func sameBits(t *testing.T, what string, a, b []*tensor.Dense) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d %ss on the tape, %d on exec", len(a), what, len(b))
	}
	for i := range a {
		if !a[i].Shape().Eq(b[i].Shape()) {
			t.Fatalf("%s %d: shape %v on the tape, %v on exec", what, i, a[i].Shape(), b[i].Shape())
		}
		switch av := a[i].Data().(type) {
		case []float32:
			bv := b[i].Data().([]float32)
			for j := range av {
				if math.Float32bits(av[j]) != math.Float32bits(bv[j]) {
					t.Fatalf("%s %d %v, element %d: %v on the tape, %v on exec", what, i, a[i].Shape(), j, av[j], bv[j])
				}
			}
		case []float64:
			bv := b[i].Data().([]float64)
			for j := range av {
				if math.Float64bits(av[j]) != math.Float64bits(bv[j]) {
					t.Fatalf("%s %d %v, element %d: %v on the tape, %v on exec", what, i, a[i].Shape(), j, av[j], bv[j])
				}
			}
		default:
			t.Fatalf("%s %d: %T", what, i, av)
		}
	}
}
