package keras_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// These tests check Keras 3 numerics end to end on a model whose loss curve can be computed
// by hand: Dense(3, use_bias=False, kernel_initializer="ones") on inputs of ones (4 features)
// with zero targets and mse. Every kernel entry stays equal to one value w; the prediction is
// 4w for every output, the loss 16w², and its gradient for every entry (2/3)·4w = 8w/3.

func onesModel(t *testing.T, heads int) *keras.Model {
	t.Helper()
	in := keras.Input(keras.Shape{4}, keras.Name("x"))
	var outs []*keras.Tensor
	for h := 0; h < heads; h++ {
		outs = append(outs, layers.Dense(3, layers.UseBias(false), layers.KernelInitializer("ones"),
			layers.Name(string(rune('a'+h)))).Call(in))
	}
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(outs...))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func ones(shape ...int) *tensor.Dense {
	t := tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float32))
	for i := range t.Data().([]float32) {
		t.Data().([]float32)[i] = 1
	}
	return t
}

func zeros(shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float32))
}

func closeRel(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(math.Abs(b), 1e-12)
}

func checkCurve(t *testing.T, name string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d epochs logged, want %d", name, len(got), len(want))
	}
	for i := range want {
		if !closeRel(got[i], want[i], 1e-5) {
			t.Errorf("%s epoch %d: %.9g, Keras's update rule gives %.9g", name, i, got[i], want[i])
		}
	}
}

func TestNumericsSGD(t *testing.T) {
	m := onesModel(t, 1)
	if err := m.Compile(optimizers.SGD(optimizers.LearningRate(0.1)), "mse"); err != nil {
		t.Fatal(err)
	}
	h, err := m.Fit(ones(2, 4), zeros(2, 3), keras.Epochs(5), keras.BatchSize(2), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	w, want := 1.0, []float64{}
	for e := 0; e < 5; e++ {
		want = append(want, 16*w*w)
		w -= 0.1 * 8 * w / 3
	}
	checkCurve(t, "loss", h.History["loss"], want)
}

func TestNumericsLossWeight(t *testing.T) {
	m := onesModel(t, 1)
	if err := m.Compile(optimizers.SGD(optimizers.LearningRate(0.1)), "mse", keras.LossWeights([]float64{0.5})); err != nil {
		t.Fatal(err)
	}
	h, err := m.Fit(ones(2, 4), zeros(2, 3), keras.Epochs(4), keras.BatchSize(2), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	w, want := 1.0, []float64{}
	for e := 0; e < 4; e++ {
		want = append(want, 0.5*16*w*w)
		w -= 0.1 * 0.5 * 8 * w / 3
	}
	checkCurve(t, "loss", h.History["loss"], want)
}

func TestNumericsTwoWeightedHeads(t *testing.T) {
	m := onesModel(t, 2)
	err := m.Compile(optimizers.SGD(optimizers.LearningRate(0.1)), map[string]string{"a": "mse", "b": "mse"},
		keras.LossWeights(map[string]float64{"a": 0.5, "b": 2}))
	if err != nil {
		t.Fatal(err)
	}
	h, err := m.Fit(ones(2, 4), keras.Named{"a": zeros(2, 3), "b": zeros(2, 3)}, keras.Epochs(4), keras.BatchSize(2), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	wa, wb := 1.0, 1.0
	var loss, la, lb []float64
	for e := 0; e < 4; e++ {
		la = append(la, 16*wa*wa)
		lb = append(lb, 16*wb*wb)
		loss = append(loss, 0.5*16*wa*wa+2*16*wb*wb)
		wa -= 0.1 * 0.5 * 8 * wa / 3
		wb -= 0.1 * 2 * 8 * wb / 3
	}
	checkCurve(t, "loss", h.History["loss"], loss)
	checkCurve(t, "a_loss", h.History["a_loss"], la)
	checkCurve(t, "b_loss", h.History["b_loss"], lb)
}

func TestNumericsAdam(t *testing.T) {
	m := onesModel(t, 1)
	if err := m.Compile(optimizers.Adam(optimizers.LearningRate(0.1)), "mse"); err != nil {
		t.Fatal(err)
	}
	h, err := m.Fit(ones(2, 4), zeros(2, 3), keras.Epochs(6), keras.BatchSize(2), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	const lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-7
	w, mo, v := 1.0, 0.0, 0.0
	var want []float64
	for step := 1; step <= 6; step++ {
		want = append(want, 16*w*w)
		g := 8 * w / 3
		mo += (g - mo) * (1 - b1)
		v += (g*g - v) * (1 - b2)
		alpha := lr * math.Sqrt(1-math.Pow(b2, float64(step))) / (1 - math.Pow(b1, float64(step)))
		w -= alpha * mo / (math.Sqrt(v) + eps)
	}
	checkCurve(t, "loss", h.History["loss"], want)
}
