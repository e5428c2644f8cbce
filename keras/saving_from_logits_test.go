package keras_test

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"io"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/losses"
	"gorgonia.org/tensor"
)

const fromLogitsRegenerate = "KERAS_BACKEND=jax python3 keras/testdata/from_logits.py"

// A model Keras compiled with a dict of from_logits loss objects (with label smoothing) loads
// compiled, evaluates to Keras's losses at any batch size, and saves the loss objects back as
// Keras wrote them. Before kerago read from_logits, it loaded only with LoadCompile(false).
func TestLoadKerasFromLogitsCompiled(t *testing.T) {
	checkKerasCompiledLosses(t, "from_logits", fromLogitsRegenerate, 1e-5, func(n int) []int { return []int{1, n} })
}

// checkKerasCompiledLosses loads testdata/<fixture>.keras, a model Keras saved compiled with a
// dict of loss objects, and checks that it loads compiled, that Evaluate at each of the batch
// sizes gives Keras's losses in testdata/<fixture>.json to within tol (relative, absolute
// below 1), and that saving writes the loss objects back as Keras wrote them. The targets are
// named rows of numbers, or of class ids for the sparse losses.
func checkKerasCompiledLosses(t *testing.T, fixture, regenerate string, tol float64, batchSizes func(rows int) []int) {
	t.Helper()
	var c struct {
		X        [][]float64        `json:"x"`
		Y        map[string]any     `json:"y"`
		Evaluate map[string]float64 `json:"evaluate"`
	}
	testenv.ReadJSON(t, filepath.Join("testdata", fixture+".json"), &c, regenerate)
	path := filepath.Join("testdata", fixture+".keras")
	m, err := keras.LoadModel(path)
	if err != nil {
		t.Fatalf("LoadModel: %v", err)
	}
	if m.Optimizer() == nil {
		t.Fatal("the model Keras saved compiled loaded uncompiled")
	}
	x := matrix32(c.X)
	y := keras.Named{}
	for name, v := range c.Y {
		rows := v.([]any)
		if _, sparse := rows[0].(float64); sparse {
			ids := make([]int32, len(rows))
			for i, r := range rows {
				ids[i] = int32(r.(float64))
			}
			y[name] = tensor.New(tensor.WithShape(len(ids)), tensor.WithBacking(ids))
			continue
		}
		var mat [][]float64
		for _, r := range rows {
			var row []float64
			for _, e := range r.([]any) {
				row = append(row, e.(float64))
			}
			mat = append(mat, row)
		}
		y[name] = matrix32(mat)
	}
	for _, bs := range batchSizes(len(c.X)) {
		logs, err := m.Evaluate(x, y, keras.BatchSize(bs), keras.Verbose(0))
		if err != nil {
			t.Fatalf("Evaluate: %v", err)
		}
		for k, want := range c.Evaluate {
			if got, ok := logs[k]; !ok || !(math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))) {
				t.Errorf("batch size %d: %s = %.9g, Keras gives %.9g", bs, k, got, want)
			}
		}
	}
	out := filepath.Join(t.TempDir(), "again.keras")
	if err := m.Save(out); err != nil {
		t.Fatal(err)
	}
	if want, got := compileLoss(t, path), compileLoss(t, out); !reflect.DeepEqual(got, want) {
		t.Errorf("saved compile loss\n%v\nKeras wrote\n%v", got, want)
	}
}

func matrix32(rows [][]float64) *tensor.Dense {
	var d []float32
	for _, r := range rows {
		for _, v := range r {
			d = append(d, float32(v))
		}
	}
	return tensor.New(tensor.WithShape(len(rows), len(rows[0])), tensor.WithBacking(d))
}

// compileLoss returns the "loss" of a .keras file's compile_config.
func compileLoss(t *testing.T, path string) any {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	f, err := z.Open("config.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	raw, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		CompileConfig struct {
			Loss any `json:"loss"`
		} `json:"compile_config"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg.CompileConfig.Loss
}

// A loss value with arguments survives Save and LoadModel (.keras and legacy .h5): the loaded model is compiled with
// the same loss (same evaluation), and Compile rejects a label smoothing outside [0, 1].
func TestSaveLoadLossWithArguments(t *testing.T) {
	in := keras.Input(keras.Shape{3})
	out := layers.Dense(4, layers.KernelInitializer("ones")).Call(in)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", losses.CategoricalCrossentropy{LabelSmoothing: 2}); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("label smoothing 2: got %v, want ErrInvalidArgument", err)
	}
	loss := losses.CategoricalCrossentropy{FromLogits: true, LabelSmoothing: 0.25}
	if err := m.Compile("sgd", loss); err != nil {
		t.Fatal(err)
	}
	x := matrix32([][]float64{{1, 2, 3}, {-50, 0, 1}, {100, 3, -2}})
	y := matrix32([][]float64{{0, 1, 0, 0}, {0, 0, 0, 1}, {1, 0, 0, 0}})
	want, err := m.Evaluate(x, y, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{".keras", ".h5"} {
		path := filepath.Join(t.TempDir(), "m"+ext)
		if err := m.Save(path); err != nil {
			t.Fatal(err)
		}
		if ext == ".keras" {
			saved := compileLoss(t, path).(map[string]any)
			if saved["class_name"] != "CategoricalCrossentropy" || saved["config"].(map[string]any)["from_logits"] != true {
				t.Errorf("saved loss %v", saved)
			}
		}
		back, err := keras.LoadModel(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := back.Evaluate(x, y, keras.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		if got["loss"] != want["loss"] || math.IsNaN(got["loss"]) {
			t.Errorf("%s: loaded model's loss %v, saved model's %v", ext, got["loss"], want["loss"])
		}
	}
}

// Keras reads the loss objects Go writes: it loads a Go-saved model (.keras and legacy .h5)
// compiled with from_logits losses and label smoothing, and its evaluate gives Go's losses.
// Python takes seconds to start, so -short skips this.
func TestKerasReadsGoLossObjects(t *testing.T) {
	t.Setenv("KERAS_BACKEND", "jax")
	py := testenv.SlowPython(t, "keras", "h5py", "numpy")
	keras.SetRandomSeed(3)
	in := keras.Input(keras.Shape{4}, keras.Name("x"))
	h := layers.Dense(6, layers.Activation("tanh"), layers.Name("hidden")).Call(in)
	outs := []*keras.Tensor{
		layers.Dense(3, layers.Name("cls")).Call(h),
		layers.Dense(3, layers.Name("ids")).Call(h),
		layers.Dense(2, layers.Name("bin")).Call(h),
	}
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(outs...))
	if err != nil {
		t.Fatal(err)
	}
	err = m.Compile("adam", map[string]any{
		"cls": losses.CategoricalCrossentropy{FromLogits: true, LabelSmoothing: 0.1},
		"ids": losses.SparseCategoricalCrossentropy{FromLogits: true},
		"bin": losses.BinaryCrossentropy{FromLogits: true, LabelSmoothing: 0.2},
	})
	if err != nil {
		t.Fatal(err)
	}
	x := [][]float64{{1, -2, 3, 0.5}, {40, 2, -30, 1}, {0, 0, 0, 0}}
	y := map[string]any{
		"cls": [][]float64{{1, 0, 0}, {0, 0, 1}, {0, 1, 0}},
		"ids": []int32{2, 0, 1},
		"bin": [][]float64{{1, 0}, {0, 0}, {1, 1}},
	}
	goLogs, err := m.Evaluate(matrix32(x), keras.Named{
		"cls": matrix32(y["cls"].([][]float64)),
		"ids": tensor.New(tensor.WithShape(3), tensor.WithBacking(y["ids"])),
		"bin": matrix32(y["bin"].([][]float64)),
	}, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data, err := json.Marshal(map[string]any{"x": x, "y": y})
	if err != nil {
		t.Fatal(err)
	}
	script := `
import json, sys
import numpy as np
import keras
d = json.loads(sys.argv[1])
x = np.array(d["x"], dtype="float32")
y = {k: np.array(v, dtype="int32" if k == "ids" else "float32") for k, v in d["y"].items()}
out = {}
for path in sys.argv[2:]:
    m = keras.models.load_model(path)
    out[path] = {k: float(v) for k, v in m.evaluate(x, y, verbose=0, return_dict=True).items()}
print(json.dumps(out))
`
	var paths []string
	for _, ext := range []string{".keras", ".h5"} {
		p := filepath.Join(dir, "m"+ext)
		if err := m.Save(p); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	raw := testenv.PythonOutput(t, py, append([]string{"-c", script, string(data)}, paths...)...)
	var kerasLogs map[string]map[string]float64
	if err := json.Unmarshal(lastLine(raw), &kerasLogs); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	for _, p := range paths {
		for _, k := range []string{"loss", "cls_loss", "ids_loss", "bin_loss"} {
			got, want := kerasLogs[p][k], goLogs[k]
			if !(math.Abs(got-want) <= 1e-5*math.Max(1, math.Abs(want))) {
				t.Errorf("%s: Keras evaluates %s = %.9g, Go %.9g", filepath.Ext(p), k, got, want)
			}
		}
	}
}

// lastLine returns the last non-empty line of a program's output.
func lastLine(out []byte) []byte {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return []byte(lines[len(lines)-1])
}
