package keras_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

func names(ls []keras.Layer) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Name()
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLayerOrderAndNames(t *testing.T) {
	keras.SetRandomSeed(0)
	keras.ClearSession() // default names from "dense" again
	a := keras.Input(keras.Shape{4})
	b := keras.Input(keras.Shape{4})
	x := layers.Dense(3).Call(a)
	y := layers.Dense(3).Call(b)
	z := layers.Add().Call(x, y)
	out := layers.Dense(1).Call(z)
	m, err := keras.NewModel(keras.Inputs(a, b), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	// Keras 3: default names from global counters; order by depth, ties by first visit.
	want := []string{"input_layer", "input_layer_1", "dense", "dense_1", "add", "dense_2"}
	if got := names(m.Layers()); !equalStrings(got, want) {
		t.Errorf("layers %v, Keras orders them %v", got, want)
	}
	if m.Name() != "functional" {
		t.Errorf("model name %q", m.Name())
	}
	if l, err := m.GetLayer("add"); err != nil || l.ClassName() != "Add" {
		t.Errorf("GetLayer: %v %v", l, err)
	}
	if len(m.Weights()) != 6 {
		t.Errorf("%d weights", len(m.Weights()))
	}
}

func TestSharedLayerTrainsOneWeightSet(t *testing.T) {
	keras.SetRandomSeed(2)
	shared := layers.Dense(4, layers.Name("shared"))
	a := keras.Input(keras.Shape{3})
	b := keras.Input(keras.Shape{3})
	merged := layers.Concatenate().Call(shared.Call(a), shared.Call(b))
	out := layers.Dense(1, layers.Activation("sigmoid")).Call(merged)
	m, err := keras.NewModel(keras.Inputs(a, b), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m.Weights()); n != 4 {
		t.Fatalf("%d weights, a shared Dense counts once: want 4", n)
	}
	before := m.Weights()[0].Clone().(*tensor.Dense)
	if err := m.Compile("adam", "binary_crossentropy", keras.Metrics("acc")); err != nil {
		t.Fatal(err)
	}
	y := tensor.New(tensor.WithShape(20, 1), tensor.WithBacking(make([]float32, 20)))
	if _, err := m.Fit([]*tensor.Dense{randData(20, 3, 1), randData(20, 3, 2)}, y, keras.Epochs(2), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	if sameValues(before, m.Weights()[0]) {
		t.Error("the shared kernel did not change")
	}
}

func sameValues(a, b *tensor.Dense) bool {
	av, bv := a.Data().([]float32), b.Data().([]float32)
	for i := range av {
		if av[i] != bv[i] {
			return false
		}
	}
	return true
}

// A model used as a layer (docs/guide.md, chapter 6), twice, shares its weights with the inner
// model, which keeps working on its own; nesting goes to any depth.
func TestModelAsLayer(t *testing.T) {
	keras.SetRandomSeed(3)
	img := keras.Input(keras.Shape{8})
	features := layers.Dense(4, layers.Activation("relu")).Call(img)
	encoder, err := keras.NewModel(keras.Inputs(img), keras.Outputs(features), keras.ModelName("encoder"))
	if err != nil {
		t.Fatal(err)
	}
	left := keras.Input(keras.Shape{8})
	right := keras.Input(keras.Shape{8})
	lf := encoder.Call(left)
	rf := encoder.Call(right)
	out := layers.Dense(1).Call(layers.Concatenate().Call(lf, rf))
	siamese, err := keras.NewModel(keras.Inputs(left, right), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(siamese.Weights()); n != 4 {
		t.Fatalf("%d weights, want the encoder's 2 plus the head's 2", n)
	}
	// Nest once more.
	outer := keras.Input(keras.Shape{8})
	deep, err := keras.NewModel(keras.Inputs(outer), keras.Outputs(layers.Dense(2).Call(encoder.Call(outer))))
	if err != nil {
		t.Fatal(err)
	}
	x1, x2 := randData(16, 8, 1), randData(16, 8, 2)
	before, err := encoder.Predict(x1, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := siamese.Compile("adam", "mse"); err != nil {
		t.Fatal(err)
	}
	if _, err := siamese.Fit([]*tensor.Dense{x1, x2}, randData(16, 1, 3), keras.Epochs(3), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	after, err := encoder.Predict(x1, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if sameValues(before[0], after[0]) {
		t.Error("training the outer model did not change the shared encoder")
	}
	// The deeper model sees the same encoder weights: its first layer output equals the encoder's.
	if _, err := deep.Predict(x1, keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	var sb stringsBuilder
	siamese.Summary(&sb)
	if !sb.contains("encoder (Functional)") || !sb.contains("encoder[0][0],") || !sb.contains("encoder[1][0]") {
		t.Errorf("summary of a nested model:\n%s", sb.String())
	}
}

func TestFloat64Model(t *testing.T) {
	in := keras.Input(keras.Shape{3}, keras.DType("float64"))
	out := layers.Dense(2).Call(layers.Dense(4, layers.Activation("tanh")).Call(in))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if dt := m.Weights()[0].Dtype(); dt != tensor.Float64 {
		t.Fatalf("weights are %v", dt)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(8, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24}))
	y := tensor.New(tensor.WithShape(8, 2), tensor.Of(tensor.Float64))
	h, err := m.Fit(x, y, keras.Epochs(3), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if l := h.History["loss"]; !(l[2] < l[0]) {
		t.Errorf("float64 loss did not fall: %v", l)
	}
	p, err := m.Predict(x, keras.Verbose(0))
	if err != nil || p[0].Dtype() != tensor.Float64 {
		t.Errorf("predict: %v %v", p, err)
	}
}

// Dropout is on in training and off in Evaluate and Predict.
func TestDropoutOnlyInTraining(t *testing.T) {
	keras.SetRandomSeed(4)
	in := keras.Input(keras.Shape{50})
	out := layers.Dropout(0.5).Call(in)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	x := ones(40, 50)
	p, err := m.Predict(x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if !sameValues(p[0], x) {
		t.Error("Predict applied dropout")
	}
	// A trainable layer in front so training has something to update; targets = inputs.
	in2 := keras.Input(keras.Shape{50})
	d := layers.Dense(50, layers.KernelInitializer("identity"), layers.UseBias(false)).Call(in2)
	m2, err := keras.NewModel(keras.Inputs(in2), keras.Outputs(layers.Dropout(0.5).Call(d)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m2.Compile(keras.SGDForTest(0), "mse"); err != nil {
		t.Fatal(err)
	}
	ev, err := m2.Evaluate(x, x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if ev["loss"] != 0 {
		t.Errorf("Evaluate applied dropout: loss %v", ev["loss"])
	}
	logs, err := m2.TrainOnBatch(x, x)
	if err != nil {
		t.Fatal(err)
	}
	// Inverted dropout at rate 0.5: kept units become 2, dropped 0; the squared error is 1
	// for every unit either way.
	if math.Abs(logs["loss"]-1) > 1e-6 {
		t.Errorf("training loss %v, inverted dropout gives exactly 1", logs["loss"])
	}
}

// BatchNormalization's moving statistics follow Keras's momentum rule, are shared by every
// cached graph (batch sizes), and are used at inference.
func TestBatchNormMovingStatistics(t *testing.T) {
	in := keras.Input(keras.Shape{2})
	bn := layers.BatchNormalization(layers.Momentum(0.5))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(bn.Call(in)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(keras.SGDForTest(0), "mse"); err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float32{1, 10, 3, 10, 5, 14, 7, 14}))
	if _, err := m.TrainOnBatch(x, x); err != nil {
		t.Fatal(err)
	}
	// Batch mean (4, 12), biased variance (5, 4); moving = 0.5·initial + 0.5·batch.
	w := m.Weights() // gamma, beta, moving_mean, moving_variance
	wantMean, wantVar := []float32{2, 6}, []float32{3, 2.5}
	for i := 0; i < 2; i++ {
		if got := w[2].Data().([]float32)[i]; math.Abs(float64(got-wantMean[i])) > 1e-5 {
			t.Errorf("moving_mean[%d] = %v, want %v", i, got, wantMean[i])
		}
		if got := w[3].Data().([]float32)[i]; math.Abs(float64(got-wantVar[i])) > 1e-5 {
			t.Errorf("moving_variance[%d] = %v, want %v", i, got, wantVar[i])
		}
	}
	// A second batch size gets its own graph but the same statistics.
	x2 := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{0, 0, 2, 4}))
	if _, err := m.TrainOnBatch(x2, x2); err != nil {
		t.Fatal(err)
	}
	w = m.Weights()
	if got := w[2].Data().([]float32)[1]; math.Abs(float64(got-4)) > 1e-5 { // 0.5·6 + 0.5·2
		t.Errorf("moving_mean after the second graph = %v, want 4", got)
	}
	// Inference normalises with the moving statistics.
	p, err := m.Predict(x2, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	mean, variance := float64(w[2].Data().([]float32)[0]), float64(w[3].Data().([]float32)[0])
	want := (2 - mean) / math.Sqrt(variance+1e-3)
	if got := float64(p[0].Data().([]float32)[2]); math.Abs(got-want) > 1e-5 {
		t.Errorf("inference output %v, want %v", got, want)
	}
}

// Freezing a model freezes every layer in it, nested ones included; a frozen
// BatchNormalization normalises with its moving statistics and leaves them alone.
func TestFreezeNestedModel(t *testing.T) {
	in := keras.Input(keras.Shape{4})
	inner, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.BatchNormalization().Call(layers.Dense(4).Call(in))))
	if err != nil {
		t.Fatal(err)
	}
	outer := keras.Input(keras.Shape{4})
	m, err := keras.NewModel(keras.Inputs(outer), keras.Outputs(layers.Dense(1).Call(inner.Call(outer))))
	if err != nil {
		t.Fatal(err)
	}
	inner.SetTrainable(false)
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	if n := len(m.TrainableVariables()); n != 2 {
		t.Fatalf("%d trainable variables, want the head's 2", n)
	}
	before := inner.Weights()
	if _, err := m.Fit(randData(32, 4, 1), randData(32, 1, 2), keras.Epochs(2), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	after := inner.Weights()
	for i := range before {
		if !sameValues(before[i], after[i]) {
			t.Errorf("frozen inner weight %d changed (moving statistics must not move either)", i)
		}
	}
}
