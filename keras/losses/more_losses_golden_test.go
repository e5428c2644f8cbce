package losses_test

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/losses"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

const (
	moreGolden      = "testdata/more_losses_golden.json"
	moreRegenerate  = "KERAS_BACKEND=jax python3 keras/losses/testdata/more_losses_golden.py"
	moreGoldenCases = 24
)

type moreCase struct {
	Name      string         `json:"name"`
	ClassName string         `json:"class_name"`
	Config    map[string]any `json:"config"`
	Shape     []int          `json:"shape"`
	Y         []float64      `json:"y"`
	Pred      []float64      `json:"pred"`
	Want      float64        `json:"want"`
	Grad      []float64      `json:"grad"`
}

// Every loss beyond the cross-entropies, built from the loss object Keras 3.15 serialises,
// gives Keras's value and Keras's gradient with respect to the predictions (jax.grad), and
// writes back the config it was read from.
func TestMoreLossesMatchKerasGolden(t *testing.T) {
	cases := testenv.GoldenCases[moreCase](t, moreGolden, moreGoldenCases, moreRegenerate)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			l, err := losses.FromConfig(c.ClassName, c.Config)
			if err != nil {
				t.Fatal(err)
			}
			y := c.Y
			shape := c.Shape
			if s, ok := l.(losses.SparseLoss); ok && s.SparseTargets() {
				cols := shape[len(shape)-1]
				y = make([]float64, len(c.Pred))
				for i, k := range c.Y {
					y[i*cols+int(k)] = 1
				}
			}
			got, grad := lossAndGrad(t, l, y, c.Pred, shape)
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
			if !reflect.DeepEqual(back, c.Config) {
				t.Errorf("config %v, Keras wrote %v", back, c.Config)
			}
			// The Keras name resolves to the same loss.
			if byName, err := losses.Get(l.Name()); err != nil || reflect.TypeOf(byName) != reflect.TypeOf(l) {
				t.Errorf("Get(%q) = %T, %v", l.Name(), byName, err)
			}
		})
	}
}

// close is a float32 tolerance relative to the value's size.
func close(a, b float64) bool { return math.Abs(a-b) <= 2e-5*math.Max(1, math.Abs(b)) }

// lossAndGrad builds loss(y, pred) in float32, differentiates it with respect to pred through
// Gorgonia's autodiff as training does, and returns both.
func lossAndGrad(t *testing.T, l losses.Loss, y, pred []float64, shape []int) (float64, []float64) {
	t.Helper()
	g := G.NewGraph()
	mk := func(name string, v []float64) *G.Node {
		return G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f32(v)))))
	}
	yn, pn := mk("y", y), mk("p", pred)
	out, err := l.Build(yn, pn, nil, "")
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
