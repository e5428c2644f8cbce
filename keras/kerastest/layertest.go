package kerastest

import (
	"encoding/json"
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// LayerCase describes a layer for [RunLayerTest]: how to make it, what to call it on and what
// Keras says it should do.
type LayerCase struct {
	// New returns a fresh layer. RunLayerTest calls it once per check, so it must not return
	// a shared layer.
	New func() keras.Layer
	// InputShapes are the shapes of the layer's inputs, batch excluded, as keras.Input takes
	// them; a dimension may be keras.None only when Inputs are given.
	InputShapes []keras.Shape
	// Inputs optionally gives the input values (batch included); by default every input is
	// filled with deterministic values in [-1, 1) for a batch of BatchSize.
	Inputs []*tensor.Dense
	// BatchSize is the batch of the default inputs (default 2).
	BatchSize int
	// InputDType is the dtype of the inputs of the "inputs" check (default float32; "int32"
	// feeds integer ids 0, 1, 2, ...).
	InputDType string
	// OutputShapes are the expected output shapes, batch included as keras.None.
	OutputShapes []keras.Shape
	// Weights are the expected shapes of the layer's weights, in Keras's order (trainable
	// ones first); NonTrainable of them, at the end, are not trainable.
	Weights      []keras.Shape
	NonTrainable int
	// BadInputs are input shapes (batch excluded) that the layer, once built on InputShapes,
	// must reject with an error naming it.
	BadInputs [][]keras.Shape
	// NoGradients skips the gradient check and says why (a layer with random training
	// behaviour, such as Dropout, has no deterministic loss to differentiate).
	NoGradients string
	// Grad tunes the gradient check (defaults as CheckGradients).
	Grad GradCheckOptions
	// Tol is the largest difference allowed between predictions before and after saving
	// (default 1e-6).
	Tol float64
	// Golden, when set, is the path of a JSON file of Keras 3's outputs for the layer (on
	// weights and inputs the file also holds): the "golden" check predicts with those
	// weights and compares, within GoldenTol (default 1e-5). Running the test with -update
	// (a flag the test's package defines) regenerates the file with python3 and Keras.
	Golden    string
	GoldenTol float64
}

// RunLayerTest checks a layer the way Keras's run_layer_test does, as subtests:
//
//   - "shapes": a call on symbolic inputs gives OutputShapes, and a prediction gives
//     outputs of those shapes;
//   - "weights": the weights have the expected count, shapes and trainability;
//   - "saving": a model of the layer saved to a .keras file and loaded back with
//     keras.LoadModel predicts the same values, and the layer has the same config (the layer's
//     class must be registered, see keras.RegisterLayer);
//   - "bad_inputs": each of BadInputs gives an error naming the layer, never a panic;
//   - "golden" (when Golden is set): the layer's outputs match Keras 3's on the weights and
//     inputs of the golden file, which -update regenerates;
//   - "inputs": the layer leaves the tensors it reads alone ([CheckKeepsInputs]);
//   - "gradients": in float64, with a probe weight ⊙ each input, the gradients of a mean
//     squared error with respect to the layer's weights and the probes match central finite
//     differences, which checks the layer's backward pass to its inputs as well.
func RunLayerTest(t *testing.T, c LayerCase) {
	t.Helper()
	if c.BatchSize == 0 {
		c.BatchSize = 2
	}
	if c.Tol == 0 {
		c.Tol = 1e-6
	}
	if c.New == nil {
		t.Fatal("LayerCase.New is nil")
	}
	for _, s := range c.InputShapes {
		if !s.Known() && c.Inputs == nil {
			t.Fatalf("input shape %v has unknown dimensions: give LayerCase.Inputs", s)
		}
	}
	var built keras.Layer
	t.Run("shapes", func(t *testing.T) { built = checkShapes(t, c) })
	t.Run("weights", func(t *testing.T) { checkWeights(t, c) })
	t.Run("saving", func(t *testing.T) { checkSaving(t, c) })
	t.Run("bad_inputs", func(t *testing.T) { checkBadInputs(t, c, built) })
	if c.Golden != "" {
		t.Run("golden", func(t *testing.T) { checkGolden(t, c) })
	}
	t.Run("inputs", func(t *testing.T) { CheckKeepsInputs(t, c) })
	t.Run("gradients", func(t *testing.T) {
		if c.NoGradients != "" {
			t.Skip(c.NoGradients)
		}
		checkLayerGradients(t, c)
	})
}

// model calls a fresh layer on inputs of dtype and returns the layer and its model.
func (c LayerCase) model(t *testing.T, dtype string) (keras.Layer, *keras.Model) {
	t.Helper()
	l := c.New()
	ins := make([]*keras.Tensor, len(c.InputShapes))
	for i, s := range c.InputShapes {
		ins[i] = keras.Input(s, keras.DType(dtype))
	}
	outs := keras.Call(l, ins...)
	m, err := keras.NewModel(ins, outs)
	if err != nil {
		t.Fatalf("calling %s on %v: %v", l.Name(), c.InputShapes, err)
	}
	return l, m
}

// data returns the inputs to predict on: c.Inputs, or deterministic values of dtype.
func (c LayerCase) data(dtype string) any {
	xs := c.Inputs
	if xs == nil {
		for k, s := range c.InputShapes {
			shape := append([]int{c.BatchSize}, s...)
			x := Float64(func(i int) float64 { return math.Sin(0.7*float64(i)+1.3*float64(k)) * 0.9 }, shape...)
			if dtype == "float32" {
				v := x.Data().([]float64)
				f := make([]float32, len(v))
				for i := range v {
					f[i] = float32(v[i])
				}
				x = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
			}
			xs = append(xs, x)
		}
	}
	if len(xs) == 1 {
		return xs[0]
	}
	return xs
}

func checkShapes(t *testing.T, c LayerCase) keras.Layer {
	l, m := c.model(t, "float32")
	var got []keras.Shape
	for _, o := range m.Outputs() {
		got = append(got, o.Shape())
	}
	if !reflect.DeepEqual(got, c.OutputShapes) {
		t.Errorf("%s: output shapes %v, want %v", l.Name(), got, c.OutputShapes)
	}
	ys, err := m.Predict(c.data("float32"), keras.Verbose(0))
	if err != nil {
		t.Fatalf("Predict: %v", err)
	}
	for i, y := range ys {
		if i < len(c.OutputShapes) && !keras.Shape(y.Shape()).Compatible(c.OutputShapes[i]) {
			t.Errorf("%s: predicted output %d has shape %v, its symbolic shape is %v", l.Name(), i, y.Shape(), c.OutputShapes[i])
		}
	}
	return l
}

func checkWeights(t *testing.T, c LayerCase) {
	l, _ := c.model(t, "float32")
	vars := l.Variables()
	if len(vars) != len(c.Weights) {
		t.Fatalf("%s: %d weights, want %d", l.Name(), len(vars), len(c.Weights))
	}
	for i, v := range vars {
		if !reflect.DeepEqual(v.Shape(), c.Weights[i]) {
			t.Errorf("weight %s: shape %v, want %v", v.Path, v.Shape(), c.Weights[i])
		}
		if want := i < len(vars)-c.NonTrainable; v.Trainable != want {
			t.Errorf("weight %s: trainable %v, want %v", v.Path, v.Trainable, want)
		}
	}
}

func checkSaving(t *testing.T, c LayerCase) {
	l, m := c.model(t, "float32")
	x := c.data("float32")
	before, err := m.Predict(x, keras.Verbose(0))
	if err != nil {
		t.Fatalf("Predict: %v", err)
	}
	path := filepath.Join(t.TempDir(), "layer.keras")
	if err := m.Save(path); err != nil {
		t.Fatalf("Save: %v", err)
	}
	loaded, err := keras.LoadModel(path)
	if err != nil {
		t.Fatalf("LoadModel: %v", err)
	}
	after, err := loaded.Predict(x, keras.Verbose(0))
	if err != nil {
		t.Fatalf("Predict after LoadModel: %v", err)
	}
	for i := range before {
		if d := maxDiff(before[i], after[i]); !(d <= c.Tol) {
			t.Errorf("output %d differs by %g after saving and loading", i, d)
		}
	}
	l2, err := loaded.GetLayer(l.Name())
	if err != nil {
		t.Fatal(err)
	}
	want, got := jsonValue(t, keras.LayerConfig(l)), jsonValue(t, keras.LayerConfig(l2))
	if !reflect.DeepEqual(want, got) {
		t.Errorf("config changed by saving and loading:\n before %v\n after  %v", want, got)
	}
	if l2.ClassName() != l.ClassName() {
		t.Errorf("loaded class %s, want %s", l2.ClassName(), l.ClassName())
	}
}

func checkBadInputs(t *testing.T, c LayerCase, l keras.Layer) {
	if l == nil {
		t.Skip("the layer could not be built")
	}
	for _, shapes := range c.BadInputs {
		ins := make([]*keras.Tensor, len(shapes))
		for i, s := range shapes {
			ins[i] = keras.Input(s)
		}
		err := keras.Call(l, ins...)[0].Err()
		var le *keras.LayerError
		switch {
		case err == nil:
			t.Errorf("%s accepted inputs %v", l.Name(), shapes)
		case errors.Is(err, keras.ErrInternal):
			t.Errorf("inputs %v: the layer panicked instead of checking its inputs: %v", shapes, err)
		case !errors.As(err, &le) || le.Layer != l.Name():
			t.Errorf("inputs %v: error does not name layer %s: %v", shapes, l.Name(), err)
		}
	}
}

func checkLayerGradients(t *testing.T, c LayerCase) {
	l := c.New()
	ins := make([]*keras.Tensor, len(c.InputShapes))
	probed := make([]*keras.Tensor, len(c.InputShapes))
	for i, s := range c.InputShapes {
		ins[i] = keras.Input(s, keras.DType("float64"))
		probed[i] = keras.CallOne(newProbe(), ins[i])
	}
	outs := keras.Call(l, probed...)
	m, err := keras.NewModel(ins, outs)
	if err != nil {
		t.Fatalf("calling %s on %v: %v", l.Name(), c.InputShapes, err)
	}
	if err := m.Compile(optimizers.SGD(), "mse"); err != nil {
		t.Fatal(err)
	}
	x := c.data("float64")
	if c.Inputs != nil {
		t.Skip("gradient checks use the default float64 inputs")
	}
	var ys []*tensor.Dense
	for k, o := range outs {
		s := o.Shape().Clone()
		s[0] = c.BatchSize
		ys = append(ys, Float64(func(i int) float64 { return math.Cos(0.3*float64(i) + float64(k)) }, s...))
	}
	var y any = ys
	if len(ys) == 1 {
		y = ys[0]
	}
	CheckGradients(t, m, x, y, c.Grad)
}

func maxDiff(a, b *tensor.Dense) float64 {
	if !reflect.DeepEqual(a.Shape(), b.Shape()) {
		return math.Inf(1)
	}
	var d float64
	switch av := a.Data().(type) {
	case []float32:
		bv := b.Data().([]float32)
		for i := range av {
			d = math.Max(d, math.Abs(float64(av[i])-float64(bv[i])))
		}
	case []float64:
		bv := b.Data().([]float64)
		for i := range av {
			d = math.Max(d, math.Abs(av[i]-bv[i]))
		}
	default:
		return math.NaN()
	}
	return d
}

// jsonValue is v as encoding/json decodes it, so configs compare by value.
func jsonValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("config is not JSON: %v", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
