package losses_test

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/losses"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

const (
	shapedGolden     = "testdata/shaped_losses_golden.json"
	shapedRegenerate = "KERAS_BACKEND=jax python3 keras/losses/testdata/shaped_losses_golden.py"
)

type shapedCase struct {
	Name      string         `json:"name"`
	ByName    string         `json:"by_name"`
	ClassName string         `json:"class_name"`
	Config    map[string]any `json:"config"`
	YShape    []int          `json:"y_shape"`
	Y         []float64      `json:"y"`
	PredShape []int          `json:"pred_shape"`
	Pred      []float64      `json:"pred"`
	Want      float64        `json:"want"`
	Grad      []float64      `json:"grad"`
}

// CTC and Circle, read from the objects Keras 3.15 serialises (and by name), give Keras's
// value and gradient with respect to the predictions, their targets going through
// FitTargets as the model feeds them; their configs write back as Keras wrote them.
func TestShapedLossesMatchKerasGolden(t *testing.T) {
	for _, c := range testenv.GoldenCases[shapedCase](t, shapedGolden, 8, shapedRegenerate) {
		t.Run(c.Name, func(t *testing.T) {
			l, err := losses.FromConfig(c.ClassName, c.Config)
			if err != nil {
				t.Fatal(err)
			}
			if c.ByName != "" {
				if l, err = losses.Get(c.ByName); err != nil {
					t.Fatal(err)
				}
			}
			ts, ok := l.(losses.TargetShaper)
			if !ok {
				t.Fatalf("%T is not a TargetShaper", l)
			}
			raw := tensor.New(tensor.WithShape(c.YShape...), tensor.WithBacking(f32(c.Y)))
			if err := ts.CheckTargets(raw, c.PredShape); err != nil {
				t.Fatal(err)
			}
			y := tensor.New(tensor.WithShape(ts.TargetShape(c.PredShape)...), tensor.Of(tensor.Float32))
			if err := ts.FitTargets(y, raw); err != nil {
				t.Fatal(err)
			}
			got, grad := shapedLossAndGrad(t, l, y, c.Pred, c.PredShape)
			if !close(got, c.Want) {
				t.Errorf("value %.9g, Keras gives %.9g", got, c.Want)
			}
			tol := 2e-5
			if c.Want > 1e4 {
				// An impossible alignment: Keras's float32 recursion runs near log ε = -1e5,
				// where a float32 ulp is 0.008, and its gradient carries that rounding (this
				// op runs in float64); the value itself still matches.
				tol = 5e-3
			}
			for i := range grad {
				if math.Abs(grad[i]-c.Grad[i]) > tol*math.Max(1, math.Abs(c.Grad[i])) {
					t.Errorf("gradient[%d] = %.9g, Keras gives %.9g", i, grad[i], c.Grad[i])
				}
			}
			raw2, err := json.Marshal(l.(losses.Configurable).Config())
			if err != nil {
				t.Fatal(err)
			}
			var back map[string]any
			if err := json.Unmarshal(raw2, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, c.Config) {
				t.Errorf("config %v, Keras wrote %v", back, c.Config)
			}
		})
	}
}

// shapedLossAndGrad builds l(y, pred) in float32 and returns it with its gradient with
// respect to pred.
func shapedLossAndGrad(t *testing.T, l losses.Loss, y *tensor.Dense, pred []float64, shape []int) (float64, []float64) {
	t.Helper()
	g := G.NewGraph()
	yn := G.NewTensor(g, tensor.Float32, y.Dims(), G.WithShape(y.Shape()...), G.WithName("y"), G.WithValue(y))
	pn := G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName("p"),
		G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f32(pred)))))
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
	var back []float64
	for _, x := range gv.Data().([]float32) {
		back = append(back, float64(x))
	}
	return float64(v.Data().(float32)), back
}

// Targets that do not fit are errors naming the loss, the shape or the sample.
func TestShapedLossesRejectBadTargets(t *testing.T) {
	ctc, circle := losses.CTC{}, losses.Circle{}
	for _, c := range []struct {
		err  error
		want string
	}{
		{ctc.CheckTargets(labels([]int{4}), []int{-1, 6, 5}), "label sequences (batch, max_label_length)"},
		{ctc.CheckTargets(labels([]int{4, 3}), []int{-1, 5}), "(batch, steps, classes)"},
		{ctc.CheckTargets(labels([]int{2, 3}, 1, 2, 0, 3, 3, 3), []int{-1, 2, 5}), "sample 1 has 3 labels, more than the 2 steps"},
		{ctc.CheckTargets(labels([]int{2, 2}, 1, 2, 5, 0), []int{-1, 4, 5}), "sample 1: label 5 is not a class index in [0, 5)"},
		{circle.CheckTargets(labels([]int{4, 2}), []int{-1, 3}), "class labels (batch,) or (batch, 1)"},
		{circle.CheckTargets(labels([]int{2}, 1, 0.5), []int{-1, 3}), "sample 1: label 0.5 is not an integer class"},
		{ctc.FitTargets(tensor.New(tensor.WithShape(1, 2), tensor.Of(tensor.Float32)),
			tensor.New(tensor.WithShape(1, 4), tensor.WithBacking([]float32{1, 2, 3, 0}))), "sample 0 has 3 or more labels, more than the 2 steps"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("got %v, want it to say %q", c.err, c.want)
		}
	}
	g := G.NewGraph()
	y := G.NewMatrix(g, tensor.Float32, G.WithShape(1, 3), G.WithName("y"), G.WithValue(tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float32{1, 7, 0}))))
	p := G.NewTensor(g, tensor.Float32, 3, G.WithShape(1, 3, 4), G.WithName("p"), G.WithValue(tensor.New(tensor.WithShape(1, 3, 4), tensor.Of(tensor.Float32))))
	out, err := ctc.Build(y, p, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err == nil || !strings.Contains(err.Error(), "label 7 is not a class index in [0, 4)") {
		t.Errorf("label 7 of 4 classes: %v (%v)", err, out.Value())
	}
}

// labels returns a float32 tensor of the shape, holding v (zeros where v is short).
func labels(shape []int, v ...float32) *tensor.Dense {
	d := make([]float32, tensor.Shape(shape).TotalSize())
	copy(d, v)
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d))
}
