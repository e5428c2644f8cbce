package losses_test

import (
	"errors"
	"math"
	"testing"

	"github.com/kerago/kerago/keras/losses"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// evalLoss builds loss(y, pred) on a fresh graph and runs it. logits, if given, are fed as the
// pre-activation of pred.
func evalLoss(t *testing.T, l losses.Loss, y, pred []float64, shape []int, act string, logits []float64) float64 {
	t.Helper()
	g := G.NewGraph()
	mk := func(name string, v []float64) *G.Node {
		return G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f32(v)))))
	}
	yn, pn := mk("y", y), mk("p", pred)
	var ln *G.Node
	if logits != nil {
		ln = mk("z", logits)
	}
	out, err := l.Build(yn, pn, ln, act)
	if err != nil {
		t.Fatal(err)
	}
	var v G.Value
	G.Read(out, &v)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return float64(v.Data().(float32))
}

func f32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func logs(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = math.Log(x)
	}
	return out
}

// Reference values printed by Keras 3.15.1 (JAX backend) for the same inputs:
//
//	keras.losses.CategoricalCrossentropy()(y, p) and so on.
func TestLossValuesMatchKeras(t *testing.T) {
	y := []float64{0, 1, 0, 1, 0, 0}
	p := []float64{0.2, 0.7, 0.1, 0.5, 0.3, 0.2}
	yb := []float64{1, 0, 1}
	pb := []float64{0.9, 0.2, 0.4}
	logit := func(v []float64) []float64 {
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = math.Log(x / (1 - x))
		}
		return out
	}
	cases := []struct {
		name   string
		y, p   []float64
		shape  []int
		act    string
		logits []float64
		want   float64
	}{
		{"categorical_crossentropy", y, p, []int{2, 3}, "", nil, 0.5249110460281372},
		{"categorical_crossentropy", y, p, []int{2, 3}, "softmax", logs(p), 0.5249110460281372},
		{"binary_crossentropy", yb, pb, []int{3, 1}, "", nil, 0.41493162512779236},
		{"binary_crossentropy", yb, pb, []int{3, 1}, "sigmoid", logit(pb), 0.41493162512779236},
		{"binary_crossentropy", []float64{1, 0}, []float64{0, 1}, []int{2, 1}, "", nil, 16.03023910522461},
		{"mse", y, p, []int{2, 3}, "", nil, 0.08666667342185974},
		{"mae", y, p, []int{2, 3}, "", nil, 0.2666666805744171},
	}
	for _, c := range cases {
		t.Run(c.name+"/"+c.act, func(t *testing.T) {
			l, err := losses.Get(c.name)
			if err != nil {
				t.Fatal(err)
			}
			got := evalLoss(t, l, c.y, c.p, c.shape, c.act, c.logits)
			if math.Abs(got-c.want) > 2e-6*math.Max(1, c.want) {
				t.Errorf("%s = %.9g, Keras gives %.9g", c.name, got, c.want)
			}
		})
	}
}

// From the logits the cross-entropies stay finite where the probabilities saturate.
func TestLossesFromLogitsAreStable(t *testing.T) {
	bce, _ := losses.Get("binary_crossentropy")
	got := evalLoss(t, bce, []float64{0, 1}, []float64{1, 0}, []int{2, 1}, "sigmoid", []float64{100, -100})
	if math.Abs(got-100) > 1e-3 {
		t.Errorf("bce at logits ±100 = %v, want 100", got)
	}
	cce, _ := losses.Get("categorical_crossentropy")
	got = evalLoss(t, cce, []float64{1, 0, 0}, []float64{0, 1, 0}, []int{1, 3}, "softmax", []float64{-100, 100, 0})
	if math.Abs(got-200) > 1e-2 {
		t.Errorf("cce at logits (-100, 100, 0) = %v, want 200", got)
	}
}

func TestGetUnknownLoss(t *testing.T) {
	if _, err := losses.Get("mean_squared_errr"); !errors.Is(err, losses.ErrUnknownLoss) {
		t.Errorf("got %v", err)
	}
	for _, n := range []string{"mse", "mean_squared_error", "mae", "bce", "categorical_crossentropy", "sparse_categorical_crossentropy"} {
		if _, err := losses.Get(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	l, _ := losses.Get("scce")
	if s, ok := l.(losses.SparseLoss); !ok || !s.SparseTargets() {
		t.Error("sparse_categorical_crossentropy does not declare sparse targets")
	}
}
