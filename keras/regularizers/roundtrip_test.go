package regularizers_test

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/regularizers"
	"gorgonia.org/tensor"
)

// penalized builds and compiles a model whose Conv1D and Dense layers carry regularizers and
// constraints given as values and as Keras names.
func penalized(t *testing.T) *keras.Model {
	t.Helper()
	keras.SetRandomSeed(11)
	in := keras.Input(keras.Shape{5, 2}, keras.Name("x"))
	h := layers.Conv1D(3, 2, layers.Name("conv"),
		layers.KernelRegularizer(regularizers.L1L2{L1: 0.01, L2: 0.02}),
		layers.KernelConstraint(regularizers.UnitNorm{Axis: []int{0, 1}})).Call(in)
	h = layers.GlobalAveragePooling1D(layers.Name("pool")).Call(h)
	out := layers.Dense(2, layers.Name("out"), layers.BiasInitializer("ones"),
		layers.KernelRegularizer("l2"), layers.BiasRegularizer(regularizers.L1{L1: 0.05}),
		layers.KernelConstraint(regularizers.MaxNorm{MaxValue: 0.7}),
		layers.BiasConstraint("non_neg")).Call(h)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	return m
}

func batch() (*tensor.Dense, *tensor.Dense, [][]float64, [][]float64) {
	xs := make([]float64, 4*5*2)
	for i := range xs {
		xs[i] = math.Sin(float64(i)*0.7) * 2
	}
	ys := []float64{0.5, -1, 1, 0.2, -0.3, 0.8, 2, -2}
	x3 := make([][]float64, 4)
	for i := range x3 {
		x3[i] = xs[i*10 : (i+1)*10]
	}
	y2 := [][]float64{ys[0:2], ys[2:4], ys[4:6], ys[6:8]}
	return tensor.New(tensor.WithShape(4, 5, 2), tensor.WithBacking(f32(xs))),
		tensor.New(tensor.WithShape(4, 2), tensor.WithBacking(f32(ys))), x3, y2
}

// The penalties are in the loss: Evaluate's loss is the mse plus every penalty; a constraint
// holds after a step; and a saved model (.keras and .h5) loads with the same penalties.
func TestPenaltiesSaveAndLoad(t *testing.T) {
	m := penalized(t)
	x, y, _, _ := batch()
	if _, err := m.TrainOnBatch(x, y); err != nil {
		t.Fatal(err)
	}
	// MaxNorm(0.7) on out's kernel (2 units, norms over axis 0); NonNeg on its bias.
	for _, v := range m.Variables() {
		d := v.Value.Data().([]float32)
		switch v.Path {
		case "out/kernel":
			for u := 0; u < 2; u++ {
				n := 0.0
				for i := u; i < len(d); i += 2 {
					n += float64(d[i]) * float64(d[i])
				}
				if math.Sqrt(n) > 0.7+1e-6 {
					t.Errorf("out/kernel unit %d has norm %v after a step, MaxNorm 0.7", u, math.Sqrt(n))
				}
			}
		case "out/bias":
			for _, b := range d {
				if b < 0 {
					t.Errorf("out/bias %v after a step, NonNeg", d)
				}
			}
		}
	}
	want, err := m.Evaluate(x, y, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := m.Predict(x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	mse := 0.0
	for i, p := range plain[0].Data().([]float32) {
		d := float64(p) - float64(y.Data().([]float32)[i])
		mse += d * d / 8
	}
	if !(want["loss"] > mse+1e-4) {
		t.Errorf("loss %v is not above the mse %v: the penalties are not in it", want["loss"], mse)
	}
	for _, ext := range []string{".keras", ".h5"} {
		path := filepath.Join(t.TempDir(), "m"+ext)
		if err := m.Save(path); err != nil {
			t.Fatal(err)
		}
		back, err := keras.LoadModel(path)
		if err != nil {
			t.Fatalf("%s: %v", ext, err)
		}
		got, err := back.Evaluate(x, y, keras.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got["loss"]-want["loss"]) > 1e-6 {
			t.Errorf("%s: loaded model's loss %v, saved model's %v", ext, got["loss"], want["loss"])
		}
	}
}

// Keras reads the regularizers and constraints Go writes: it loads a Go-saved model (.keras
// and .h5), finds each layer's objects, and its evaluate gives Go's loss, penalties included.
// Python takes seconds to start, so -short skips this.
func TestKerasReadsGoPenalties(t *testing.T) {
	t.Setenv("KERAS_BACKEND", "jax")
	py := testenv.SlowPython(t, "keras", "h5py", "numpy")
	m := penalized(t)
	x, y, x3, y2 := batch()
	goLogs, err := m.Evaluate(x, y, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(map[string]any{"x": x3, "y": y2})
	if err != nil {
		t.Fatal(err)
	}
	script := `
import json, sys
import numpy as np
import keras
d = json.loads(sys.argv[1])
x = np.array(d["x"], dtype="float32").reshape(4, 5, 2)
y = np.array(d["y"], dtype="float32")
out = {}
for path in sys.argv[2:]:
    m = keras.models.load_model(path)
    objs = []
    for name in ("conv", "out"):
        l = m.get_layer(name)
        for k in ("kernel_regularizer", "bias_regularizer", "kernel_constraint", "bias_constraint"):
            o = getattr(l, k, None)
            objs.append(f"{name}.{k}={type(o).__name__ if o is not None else None}")
    out[path] = {"loss": float(m.evaluate(x, y, verbose=0)), "objects": " ".join(objs)}
print(json.dumps(out))
`
	var paths []string
	for _, ext := range []string{".keras", ".h5"} {
		p := filepath.Join(t.TempDir(), "m"+ext)
		if err := m.Save(p); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	raw := testenv.PythonOutput(t, py, append([]string{"-c", script, string(data)}, paths...)...)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	var res map[string]struct {
		Loss    float64 `json:"loss"`
		Objects string  `json:"objects"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	const objects = "conv.kernel_regularizer=L1L2 conv.bias_regularizer=None conv.kernel_constraint=UnitNorm conv.bias_constraint=None " +
		"out.kernel_regularizer=L2 out.bias_regularizer=L1 out.kernel_constraint=MaxNorm out.bias_constraint=NonNeg"
	for _, p := range paths {
		if r := res[p]; r.Objects != objects {
			t.Errorf("%s: Keras loaded %s\nwant %s", filepath.Ext(p), r.Objects, objects)
		}
		if got := res[p].Loss; math.Abs(got-goLogs["loss"]) > 1e-5*math.Max(1, goLogs["loss"]) {
			t.Errorf("%s: Keras evaluates loss %.9g, Go %.9g", filepath.Ext(p), got, goLogs["loss"])
		}
	}
}
