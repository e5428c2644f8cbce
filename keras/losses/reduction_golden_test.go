package losses_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/losses"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

const (
	reductionGolden      = "testdata/reduction_golden.json"
	reductionRegenerate  = "KERAS_BACKEND=jax python3 keras/losses/testdata/reduction_golden.py"
	reductionGoldenCases = 245
)

type reductionCase struct {
	moreCase
	Weights []float64 `json:"weights"`
}

// Each loss family under each of Keras's reductions, with and without sample weights (one
// per sample, per time step, all zero), read from the config Keras 3.15 writes, gives Keras's
// value and jax.grad gradient, and writes the config back (None as "none").
func TestReductionsMatchKerasGolden(t *testing.T) {
	cases := testenv.GoldenCases[reductionCase](t, reductionGolden, reductionGoldenCases, reductionRegenerate)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			l, err := losses.FromConfig(c.ClassName, c.Config)
			if err != nil {
				t.Fatal(err)
			}
			y := c.Y
			if s, ok := l.(losses.SparseLoss); ok && s.SparseTargets() {
				cols := c.Shape[len(c.Shape)-1]
				y = make([]float64, len(c.Pred))
				for i, k := range c.Y {
					y[i*cols+int(k)] = 1
				}
			}
			got, grad := reducedAndGrad(t, l, y, c.Pred, c.Weights, c.Shape)
			if !close(got, c.Want) {
				t.Errorf("value %.9g, Keras gives %.9g", got, c.Want)
			}
			for i := range grad {
				if !close(grad[i], c.Grad[i]) {
					t.Errorf("gradient[%d] = %.9g, Keras gives %.9g", i, grad[i], c.Grad[i])
				}
			}
			raw, err := json.Marshal(l.(losses.Configurable).Config())
			if err != nil {
				t.Fatal(err)
			}
			var back map[string]any
			if err := json.Unmarshal(raw, &back); err != nil {
				t.Fatal(err)
			}
			want := c.Config
			if want["reduction"] == nil {
				want["reduction"] = "none" // Keras's None; Keras reads "none" back the same
			}
			if !reflect.DeepEqual(back, want) {
				t.Errorf("config %v, Keras wrote %v", back, want)
			}
		})
	}
}

// reducedAndGrad is lossAndGrad through losses.Reduced, with sample weights w (nil: none),
// shaped like pred without its last axis.
func reducedAndGrad(t *testing.T, l losses.Loss, y, pred, w []float64, shape []int) (float64, []float64) {
	t.Helper()
	g := G.NewGraph()
	mk := func(name string, v []float64, s []int) *G.Node {
		return G.NewTensor(g, tensor.Float32, len(s), G.WithShape(s...), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithShape(s...), tensor.WithBacking(f32(v)))))
	}
	yn, pn := mk("y", y, shape), mk("p", pred, shape)
	var wn *G.Node
	if w != nil {
		ws := shape[:len(shape)-1]
		if len(w) == shape[0] {
			ws = shape[:1] // one weight per sample (Dice and Tversky with an axis)
		}
		wn = mk("w", w, ws)
	}
	out, err := losses.Reduced(l, yn, pn, nil, "", wn)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(out, pn)
	if err != nil {
		t.Fatal(err)
	}
	var v, gv G.Value
	G.Read(out, &v)
	G.Read(grads[0], &gv)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	gd := gv.Data().([]float32)
	back := make([]float64, len(gd))
	for i, x := range gd {
		back[i] = float64(x)
	}
	return float64(v.Data().(float32)), back
}

// A reduction that is not Keras's, and one Circle cannot compute, are errors naming the loss
// and the reduction; the zero value reads as Keras's default.
func TestReductionErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		class string
		cfg   map[string]any
	}{
		{"unknown", "MeanSquaredError", map[string]any{"reduction": "average"}},
		{"not a string", "Huber", map[string]any{"reduction": 3.0}},
		{"circle sum", "Circle", map[string]any{"reduction": "sum"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := losses.FromConfig(c.class, c.cfg)
			if err == nil {
				t.Fatalf("FromConfig(%s, %v) gave no error", c.class, c.cfg)
			}
			t.Log(err)
		})
	}
	if err := losses.CheckReduction(losses.Huber{Reduction: "Sum"}); err == nil {
		t.Error(`CheckReduction accepted "Sum"`)
	}
	if r := losses.ReductionOf(losses.Poisson{}); r != losses.SumOverBatchSize {
		t.Errorf("ReductionOf(Poisson{}) = %q, want %q", r, losses.SumOverBatchSize)
	}
	if r := losses.ReductionOf(losses.Dice{Reduction: losses.Sum}); r != losses.Sum {
		t.Errorf("ReductionOf(Dice{Reduction: Sum}) = %q", r)
	}
}
