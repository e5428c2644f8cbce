package keras_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"gorgonia.org/tensor"
)

// Conformance with Keras 3 itself: Keras loads the files Go writes and predicts what Go
// predicts, and Go loads the files Keras writes (committed in testdata/saving/keras, made by
// testdata/saving/keras_conformance.py) and predicts what Keras predicted.

const kerasTolerance = 1e-5

var conformanceScript = filepath.Join("testdata", "saving", "keras_conformance.py")

// requireKeras returns python3 if it imports keras (jax backend), h5py and numpy. It skips the
// test otherwise, or fails it when KERAGO_REQUIRE_PYTHON=1. Keras runs with the jax backend
// whatever the environment says: the committed files and the tolerance were measured with it.
func requireKeras(t *testing.T) string {
	t.Helper()
	t.Setenv("KERAS_BACKEND", "jax")
	return testenv.Python(t, "keras", "h5py", "numpy")
}

// runConformance runs keras_conformance.py with args and returns its standard output.
func runConformance(t *testing.T, py string, args ...string) []byte {
	t.Helper()
	return testenv.PythonOutput(t, py, append([]string{conformanceScript}, args...)...)
}

// arraySpec is a tensor in cases.json.
type arraySpec struct {
	Shape []int     `json:"shape"`
	DType string    `json:"dtype,omitempty"`
	Data  []float64 `json:"data"`
}

func specOf(t *testing.T, d *tensor.Dense) arraySpec {
	dt := "float32"
	switch d.Dtype() {
	case tensor.Float64:
		dt = "float64"
	case tensor.Int32:
		dt = "int32"
	case tensor.Int64:
		dt = "int64"
	}
	var data []float64
	switch v := d.Data().(type) {
	case []int32:
		for _, x := range v {
			data = append(data, float64(x))
		}
	default:
		data = flat(t, d)
	}
	return arraySpec{Shape: append([]int(nil), d.Shape()...), DType: dt, Data: data}
}

func (s arraySpec) tensor() *tensor.Dense {
	switch s.DType {
	case "int32":
		v := make([]int32, len(s.Data))
		for i, x := range s.Data {
			v[i] = int32(x)
		}
		return tensor.New(tensor.WithShape(s.Shape...), tensor.WithBacking(v))
	case "int64":
		v := make([]int64, len(s.Data))
		for i, x := range s.Data {
			v[i] = int64(x)
		}
		return tensor.New(tensor.WithShape(s.Shape...), tensor.WithBacking(v))
	case "float64":
		return tensor.New(tensor.WithShape(s.Shape...), tensor.WithBacking(append([]float64(nil), s.Data...)))
	}
	v := make([]float32, len(s.Data))
	for i, x := range s.Data {
		v[i] = float32(x)
	}
	return tensor.New(tensor.WithShape(s.Shape...), tensor.WithBacking(v))
}

type goCase struct {
	Name    string            `json:"name"`
	Files   map[string]string `json:"files"`
	Inputs  []arraySpec       `json:"inputs"`
	Outputs []arraySpec       `json:"outputs"`
}

type fileReport struct {
	Err           float64 `json:"err"`
	Iterations    *int64  `json:"iterations"`
	GoDatasets    [][]any `json:"go_datasets"`
	KerasDatasets [][]any `json:"keras_datasets"`
}

// datasetKeys renders a dataset listing as "path shape" lines (dtypes left out: Keras stores
// the iteration count as int32 under JAX and int64 under TensorFlow).
func datasetKeys(ds [][]any) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = fmt.Sprintf("%v %v", d[0], d[1])
	}
	sort.Strings(out)
	return out
}

// legacyKeys reduces legacy HDF5 dataset keys to what a Keras re-save can be compared on:
// Keras's legacy loader restores only the optimizer's iteration and learning rate (its slots
// are created at the next step), and a Bidirectional layer rebuilt from a config has variable
// paths without the wrapper's name (a fresh one has them, as Go writes them). Weights keep
// their layer group, their own name and their shape; TestGoFileDatasets pins full names.
func legacyKeys(keys []string) []string {
	var out []string
	for _, k := range keys {
		path, shape, _ := strings.Cut(k, " ")
		parts := strings.Split(path, "/")
		switch {
		case parts[0] == "model_weights" && len(parts) > 2:
			out = append(out, parts[0]+"/"+parts[1]+"/.../"+parts[len(parts)-1]+" "+shape)
		case parts[0] == "optimizer_weights" && (strings.HasSuffix(path, "/iteration") || strings.HasSuffix(path, "/learning_rate")):
			out = append(out, k)
		case parts[0] != "optimizer_weights":
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// TestKerasLoadsGoFiles saves the zoo models that Keras has equivalents for in the three
// formats; Keras loads each file, predicts within 1e-5 of Go, restores the optimizer's
// iteration count, and, saving what it loaded, writes files with exactly the datasets (paths
// and shapes) Go wrote.
func TestKerasLoadsGoFiles(t *testing.T) {
	py := requireKeras(t)
	dir := t.TempDir()
	var cases []goCase
	want := map[string]*keras.Model{}
	for _, c := range zoo() {
		keras.SetRandomSeed(1)
		m := c.build(t)
		if !c.noCompile {
			fitOnce(t, m, c, 2)
		}
		gc := goCase{Name: c.name, Files: map[string]string{
			"keras": c.name + ".keras", "h5": c.name + ".h5", "weights": c.name + ".weights.h5"}}
		for kind, f := range gc.Files {
			p := filepath.Join(dir, f)
			var err error
			if kind == "weights" {
				err = m.SaveWeights(p)
			} else {
				err = m.Save(p)
			}
			if err != nil {
				t.Fatalf("%s: saving %s: %v", c.name, f, err)
			}
		}
		for _, x := range c.x() {
			gc.Inputs = append(gc.Inputs, specOf(t, x))
		}
		for _, y := range predict(t, m, c) {
			gc.Outputs = append(gc.Outputs, specOf(t, y))
		}
		cases = append(cases, gc)
		want[c.name] = m
	}
	b, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cases.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	var report map[string]map[string]fileReport
	if err := json.Unmarshal(runConformance(t, py, "check", dir), &report); err != nil {
		t.Fatalf("decoding the report: %v", err)
	}
	for _, c := range cases {
		for _, kind := range []string{"keras", "h5", "weights"} {
			t.Run(c.Name+"/"+kind, func(t *testing.T) {
				r, ok := report[c.Name][kind]
				if !ok {
					t.Fatal("no report")
				}
				if !(r.Err <= kerasTolerance) {
					t.Errorf("Keras's predictions differ from Go's by %g (tolerance %g)", r.Err, kerasTolerance)
				}
				if opt := want[c.Name].Optimizer(); opt != nil && (r.Iterations == nil || *r.Iterations != opt.Iterations()) {
					t.Errorf("Keras's optimizer iterations %v, Go saved %d", r.Iterations, opt.Iterations())
				}
				g, k := datasetKeys(r.GoDatasets), datasetKeys(r.KerasDatasets)
				if kind == "h5" {
					g, k = legacyKeys(g), legacyKeys(k)
				}
				if strings.Join(g, "\n") != strings.Join(k, "\n") {
					t.Errorf("datasets differ:\n Go wrote:\n  %s\n Keras writes:\n  %s", strings.Join(g, "\n  "), strings.Join(k, "\n  "))
				}
			})
		}
	}
}

// TestGoFileDatasets pins the datasets of the MLP's files, as h5py would list them.
func TestGoFileDatasets(t *testing.T) {
	py := requireKeras(t)
	keras.SetRandomSeed(1)
	keras.ClearSession()
	c := zoo()[0]
	m := c.build(t)
	fitOnce(t, m, c, 2)
	dir := t.TempDir()
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"m.weights.h5", []string{
			"layers/dense/vars/0 [8 16]", "layers/dense/vars/1 [16]", "layers/dense_1/vars/0 [16 3]", "layers/dense_1/vars/1 [3]",
			"optimizer/vars/0 []", "optimizer/vars/1 []", "optimizer/vars/2 [8 16]", "optimizer/vars/3 [8 16]",
			"optimizer/vars/4 [16]", "optimizer/vars/5 [16]", "optimizer/vars/6 [16 3]", "optimizer/vars/7 [16 3]",
			"optimizer/vars/8 [3]", "optimizer/vars/9 [3]"}},
		{"m.h5", []string{
			"model_weights/dense/dense/bias [16]", "model_weights/dense/dense/kernel [8 16]",
			"model_weights/dense_1/dense_1/bias [3]", "model_weights/dense_1/dense_1/kernel [16 3]",
			"optimizer_weights/adam/dense_1_bias_momentum [3]", "optimizer_weights/adam/dense_1_bias_velocity [3]",
			"optimizer_weights/adam/dense_1_kernel_momentum [16 3]", "optimizer_weights/adam/dense_1_kernel_velocity [16 3]",
			"optimizer_weights/adam/dense_bias_momentum [16]", "optimizer_weights/adam/dense_bias_velocity [16]",
			"optimizer_weights/adam/dense_kernel_momentum [8 16]", "optimizer_weights/adam/dense_kernel_velocity [8 16]",
			"optimizer_weights/adam/iteration []", "optimizer_weights/adam/learning_rate []"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			p := filepath.Join(dir, tc.file)
			var err error
			if strings.HasSuffix(tc.file, ".weights.h5") {
				err = m.SaveWeights(p)
			} else {
				err = m.Save(p)
			}
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(py, "-c", `
import h5py, json, sys
out = []
with h5py.File(sys.argv[1], "r") as f:
    f.visititems(lambda n, o: out.append([n, list(o.shape)]) if isinstance(o, h5py.Dataset) else None)
print(json.dumps(out))`, p)
			b, err := cmd.Output()
			if err != nil {
				t.Fatalf("h5py: %v", err)
			}
			var ds [][]any
			if err := json.Unmarshal(b, &ds); err != nil {
				t.Fatal(err)
			}
			sort.Strings(tc.want)
			if g, w := strings.Join(datasetKeys(ds), "\n"), strings.Join(tc.want, "\n"); g != w {
				t.Errorf("h5py lists:\n%s\nwant:\n%s", g, w)
			}
		})
	}
}

type kerasCases struct {
	KerasVersion string `json:"keras_version"`
	Cases        []struct {
		Name       string      `json:"name"`
		Inputs     []arraySpec `json:"inputs"`
		Outputs    []arraySpec `json:"outputs"`
		Iterations *int64      `json:"iterations"`
		Weights    []arraySpec `json:"weights"`
	} `json:"cases"`
}

// checkKerasFiles loads every model of a directory written by keras_conformance.py write in
// the three formats and compares weights and predictions with Keras's.
func checkKerasFiles(t *testing.T, dir string) {
	var kc kerasCases
	testenv.ReadJSON(t, filepath.Join(dir, "cases.json"), &kc, conformanceScript+" write")
	if len(kc.Cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range kc.Cases {
		var inputs, want, weights []*tensor.Dense
		for _, s := range c.Inputs {
			inputs = append(inputs, s.tensor())
		}
		for _, s := range c.Outputs {
			want = append(want, s.tensor())
		}
		for _, s := range c.Weights {
			weights = append(weights, s.tensor())
		}
		check := func(t *testing.T, m *keras.Model) {
			t.Helper()
			if d := maxDiff(t, "weights", weights, m.Weights()); d != 0 {
				t.Errorf("weights differ from Keras's by %g", d)
			}
			got, err := m.Predict(inputs, keras.Verbose(0))
			if err != nil {
				t.Fatalf("Predict: %v", err)
			}
			if d := maxDiff(t, "predictions", want, got); !(d <= kerasTolerance) {
				t.Errorf("predictions differ from Keras's by %g (tolerance %g)", d, kerasTolerance)
			}
		}
		for _, ext := range []string{".keras", ".h5"} {
			t.Run(c.Name+ext, func(t *testing.T) {
				m, err := keras.LoadModel(filepath.Join(dir, c.Name+ext))
				if err != nil {
					t.Fatalf("LoadModel: %v", err)
				}
				check(t, m)
				if m.Optimizer() == nil {
					t.Fatal("the model Keras saved compiled loaded uncompiled")
				}
				if c.Iterations != nil && m.Optimizer().Iterations() != *c.Iterations {
					t.Errorf("optimizer iterations %d, Keras saved %d", m.Optimizer().Iterations(), *c.Iterations)
				}
			})
		}
		t.Run(c.Name+".weights.h5", func(t *testing.T) {
			m, err := keras.LoadModel(filepath.Join(dir, c.Name+".keras"))
			if err != nil {
				t.Fatalf("LoadModel: %v", err)
			}
			zero := make([]*tensor.Dense, len(m.Weights()))
			for i, w := range m.Weights() {
				zero[i] = tensor.New(tensor.Of(w.Dtype()), tensor.WithShape(w.Shape().Clone()...))
			}
			if err := m.SetWeights(zero); err != nil {
				t.Fatal(err)
			}
			if err := m.LoadWeights(filepath.Join(dir, c.Name+".weights.h5")); err != nil {
				t.Fatalf("LoadWeights: %v", err)
			}
			check(t, m)
		})
	}
}

// TestLoadKerasWrittenFiles reads the Keras-written files committed in testdata (no Python
// needed).
func TestLoadKerasWrittenFiles(t *testing.T) {
	checkKerasFiles(t, filepath.Join("testdata", "saving", "keras"))
}

// TestLoadFreshKerasFiles has the installed Keras write the files anew and reads them.
func TestLoadFreshKerasFiles(t *testing.T) {
	py := requireKeras(t)
	if testing.Short() {
		t.Skip("Keras takes minutes to train and save the models")
	}
	dir := t.TempDir()
	runConformance(t, py, "write", dir)
	checkKerasFiles(t, dir)
}
