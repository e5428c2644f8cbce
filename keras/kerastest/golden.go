package kerastest

import (
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"gorgonia.org/tensor"
)

// goldenFile is what LayerCase.Golden holds (float32 layers): the weights and inputs the layer is run on, and
// the outputs Keras 3 computed from them, for a model of the layer saved by kerago.
type goldenFile struct {
	Keras   string        `json:"keras"`
	Weights []goldenArray `json:"weights"`
	Inputs  []goldenArray `json:"inputs"`
	Outputs []goldenArray `json:"outputs"`
}

// goldenArray is one array, flattened in row-major order.
type goldenArray struct {
	Shape []int     `json:"shape"`
	DType string    `json:"dtype,omitempty"`
	Data  []float64 `json:"data"`
}

// goldenScript loads the .keras file argv[1] in Keras 3, predicts on the inputs of the JSON
// file argv[2] and prints the outputs as JSON on its last line.
const goldenScript = `
import json, os, sys
os.environ.setdefault("KERAS_BACKEND", "jax")
import keras, numpy as np
d = json.load(open(sys.argv[2]))
xs = [np.array(x["data"], dtype=x["dtype"]).reshape(x["shape"]) for x in d["inputs"]]
m = keras.saving.load_model(sys.argv[1])
ys = m.predict(xs if len(xs) > 1 else xs[0], verbose=0)
ys = ys if isinstance(ys, (list, tuple)) else [ys]
out = [{"shape": list(y.shape), "data": np.asarray(y, np.float64).ravel().tolist()} for y in ys]
print(json.dumps({"keras": keras.__version__, "outputs": out}))
`

// updating reports whether the test binary runs with -update (a flag the layer's test package
// defines, as the module's golden tests do).
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// checkGolden compares the layer's predictions with Keras's, read from c.Golden; with -update
// it regenerates the file: the current weights and default inputs, and what Keras 3 predicts
// from a .keras file of the model.
func checkGolden(t *testing.T, c LayerCase) {
	if updating() {
		keras.SetRandomSeed(1) // only the regenerated file's weights come from the random source
		_, m := c.model(t, "float32")
		writeGolden(t, c, m)
	}
	_, m := c.model(t, "float32")
	var g goldenFile
	testenv.ReadJSON(t, c.Golden, &g, "go test -run '"+t.Name()+"' -update (needs python3 with keras and jax)")
	ws := make([]*tensor.Dense, len(g.Weights))
	for i, w := range g.Weights {
		ws[i] = float32Tensor(w)
	}
	if err := m.SetWeights(ws); err != nil {
		t.Fatalf("%s: %v", c.Golden, err)
	}
	var x any
	if len(g.Inputs) == 1 {
		x = float32Tensor(g.Inputs[0])
	} else {
		var xs []*tensor.Dense
		for _, in := range g.Inputs {
			xs = append(xs, float32Tensor(in))
		}
		x = xs
	}
	ys, err := m.Predict(x, keras.Verbose(0))
	if err != nil {
		t.Fatalf("Predict: %v", err)
	}
	if len(ys) != len(g.Outputs) {
		t.Fatalf("%d outputs, Keras gave %d", len(ys), len(g.Outputs))
	}
	tol := c.GoldenTol
	if tol == 0 {
		tol = 1e-5
	}
	for i, y := range ys {
		d := maxDiff(y, float32Tensor(g.Outputs[i]))
		t.Logf("output %d: max difference from Keras %s's %g", i, g.Keras, d) // go test -v reports it
		if !(d <= tol) {
			t.Errorf("output %d differs from Keras %s's by %g (tolerance %g)", i, g.Keras, d, tol)
		}
	}
}

func writeGolden(t *testing.T, c LayerCase, m *keras.Model) {
	py := testenv.Python(t, "keras")
	dir := t.TempDir()
	var g goldenFile
	// Moved off their initial values (zero biases, unit variances) so every weight counts.
	ws := m.Weights()
	for k, w := range ws {
		if w.Dtype() == tensor.Float32 {
			d := w.Float32s()
			for i := range d {
				d[i] += float32(0.1 * math.Sin(1.7*float64(i)+float64(k)+0.5))
			}
		}
	}
	if err := m.SetWeights(ws); err != nil {
		t.Fatal(err)
	}
	for _, w := range m.Weights() {
		g.Weights = append(g.Weights, arrayOf(w))
	}
	x := c.data("float32")
	xs, ok := x.([]*tensor.Dense)
	if !ok {
		xs = []*tensor.Dense{x.(*tensor.Dense)}
	}
	for _, in := range xs {
		g.Inputs = append(g.Inputs, arrayOf(in))
	}
	model, inputs := filepath.Join(dir, "layer.keras"), filepath.Join(dir, "inputs.json")
	if err := m.Save(model); err != nil {
		t.Fatal(err)
	}
	writeJSON(t, inputs, g)
	out := testenv.PythonOutput(t, py, "-c", goldenScript, model, inputs)
	var k goldenFile
	if err := json.Unmarshal(lastLine(out), &k); err != nil {
		t.Fatalf("reading Keras's outputs: %v\n%s", err, out)
	}
	g.Keras, g.Outputs = k.Keras, k.Outputs
	if err := os.MkdirAll(filepath.Dir(c.Golden), 0o755); err != nil {
		t.Fatal(err)
	}
	writeJSON(t, c.Golden, g)
	t.Logf("wrote %s (Keras %s)", c.Golden, g.Keras)
}

func writeJSON(t *testing.T, path string, v any) {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func arrayOf(x *tensor.Dense) goldenArray {
	a := goldenArray{Shape: x.Shape().Clone(), DType: x.Dtype().String()}
	switch x.Dtype() { // Float32s and Float64s give a scalar's one value too
	case tensor.Float32:
		for _, v := range x.Float32s() {
			a.Data = append(a.Data, float64(v))
		}
	case tensor.Float64:
		a.Data = append(a.Data, x.Float64s()...)
	}
	return a
}

func float32Tensor(a goldenArray) *tensor.Dense {
	v := make([]float32, len(a.Data))
	for i, f := range a.Data {
		v[i] = float32(f)
	}
	if len(a.Shape) == 0 {
		return tensor.New(tensor.FromScalar(v[0]))
	}
	return tensor.New(tensor.WithShape(a.Shape...), tensor.WithBacking(v))
}

// lastLine returns the last non-empty line of out (Python libraries may print before it).
func lastLine(out []byte) []byte {
	end := len(out)
	for end > 0 && (out[end-1] == '\n' || out[end-1] == '\r') {
		end--
	}
	start := end
	for start > 0 && out[start-1] != '\n' {
		start--
	}
	return out[start:end]
}
