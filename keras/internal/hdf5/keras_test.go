package hdf5

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/kerago/kerago/keras/internal/testenv"
)

// requireKeras returns python3 if it can import Keras (with the jax backend
// unless KERAS_BACKEND says otherwise). These tests are optional: Keras is
// not a test requirement, so they skip without it.
func requireKeras(t *testing.T) string {
	t.Helper()
	requirePython(t)
	return testenv.OptionalPython(t, "keras")
}

type kerasWeight struct {
	Shape []int    `json:"shape"`
	Value []string `json:"value"`
}

// kerasWeights decodes keras_interop.py's output: per model, per weight,
// the flat values.
func kerasWeights(t *testing.T, out []byte) [][][]float32 {
	t.Helper()
	var models [][]kerasWeight
	if err := json.Unmarshal(out, &models); err != nil {
		t.Fatalf("decoding keras_interop.py output: %v", err)
	}
	var res [][][]float32
	for _, ws := range models {
		var m [][]float32
		for _, w := range ws {
			var v []float32
			for _, s := range w.Value {
				f, err := strconv.ParseFloat(s, 32)
				if err != nil {
					t.Fatal(err)
				}
				v = append(v, float32(f))
			}
			m = append(m, v)
		}
		res = append(res, m)
	}
	return res
}

// sameWeights reports whether two models' weights are identical.
func sameWeights(t *testing.T, what string, got, want [][]float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d weights, want %d", what, len(got), len(want))
		return
	}
	for i := range want {
		if !equalF32(got[i], want[i]) {
			t.Errorf("%s: weight %d = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// mlpWeights are weights for keras_interop.py's model: kernel and bias of
// two Dense layers, 8 -> 16 -> 3.
func mlpWeights() (shapes [][]int, values [][]float32) {
	shapes = [][]int{{8, 16}, {16}, {16, 3}, {3}}
	for i, s := range shapes {
		values = append(values, seq32(product(s), 0.125*float32(i+1)))
	}
	return shapes, values
}

func TestKerasLoadsWrittenFiles(t *testing.T) {
	t.Parallel()
	py := requireKeras(t)
	shapes, values := mlpWeights()

	// Keras 3 .weights.h5: one dataset per variable under the class-name key.
	k3 := NewFile()
	for i, key := range []string{"layers/dense/vars/0", "layers/dense/vars/1", "layers/dense_1/vars/0", "layers/dense_1/vars/1"} {
		must(k3.Root.CreateDataset(key, shapes[i], values[i]))
	}

	// Legacy weights-only .h5 (Keras 2 layout, which Keras 3 still loads).
	legacy := NewFile()
	setAttrs(t, legacy.Root, "layer_names", FixedStrings{"x", "d1", "d2"},
		"backend", FixedString("tensorflow"), "keras_version", FixedString("2.13.1"))
	setAttrs(t, must(legacy.Root.CreateGroup("x")), "weight_names", []float64{})
	for l, name := range []string{"d1", "d2"} {
		g := must(legacy.Root.CreateGroup(name))
		names := FixedStrings{name + "/kernel:0", name + "/bias:0"}
		setAttrs(t, g, "weight_names", names)
		for k, wn := range names {
			must(g.CreateDataset(wn, shapes[2*l+k], values[2*l+k]))
		}
	}

	dir := t.TempDir()
	var paths []string
	for name, f := range map[string]*File{"model.weights.h5": k3, "legacy.h5": legacy} {
		path := filepath.Join(dir, name)
		if err := f.Save(path); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	got := kerasWeights(t, testenv.PythonOutput(t, py, append([]string{filepath.Join("testdata", "keras_interop.py"), "load"}, paths...)...))
	for i, path := range paths {
		sameWeights(t, filepath.Base(path), got[i], values)
	}
}

// TestKerasFiles reads the files Keras writes (.weights.h5, the weights in a
// .keras archive, legacy .h5), then encodes the trees again with this
// package and has Keras load the copies as whole models: the model_config
// JSON (a variable-length string attribute), layer_names, weight_names and
// the weights all survive.
func TestKerasFiles(t *testing.T) {
	t.Parallel()
	py := requireKeras(t)
	dir := t.TempDir()
	want := kerasWeights(t, testenv.PythonOutput(t, py, filepath.Join("testdata", "keras_interop.py"), "save", dir))[0]
	if len(want) != 4 {
		t.Fatalf("keras reported %d weights", len(want))
	}
	check := func(t *testing.T, g *Group, paths []string) {
		t.Helper()
		for i, p := range paths {
			d, ok := g.Dataset(p)
			if !ok {
				t.Fatalf("no dataset %q", p)
			}
			v, err := d.Float32s()
			if err != nil {
				t.Fatal(err)
			}
			if !equalF32(v, want[i]) {
				t.Errorf("%s = %v, keras has %v", p, v, want[i])
			}
		}
	}
	k3paths := []string{"layers/dense/vars/0", "layers/dense/vars/1", "layers/dense_1/vars/0", "layers/dense_1/vars/1"}

	t.Run("weights.h5", func(t *testing.T) {
		f := must(Open(filepath.Join(dir, "model.weights.h5")))
		check(t, f.Root, k3paths)
		if _, ok := f.Root.Dataset("optimizer/vars/0"); !ok {
			t.Error("no optimizer iteration variable")
		}
	})
	t.Run("keras_archive", func(t *testing.T) {
		zr := must(zip.OpenReader(filepath.Join(dir, "model.keras")))
		defer zr.Close()
		for _, zf := range zr.File {
			if zf.Name != "model.weights.h5" {
				continue
			}
			rc := must(zf.Open())
			b := must(io.ReadAll(rc))
			rc.Close()
			f := must(Read(bytes.NewReader(b), int64(len(b))))
			check(t, f.Root, k3paths)
			return
		}
		t.Fatal("model.keras has no model.weights.h5")
	})
	t.Run("legacy.h5", func(t *testing.T) {
		f := must(Open(filepath.Join(dir, "legacy.h5")))
		if _, ok := f.Root.AttrString("model_config"); !ok {
			t.Error("no model_config attribute")
		}
		mw, ok := f.Root.Group("model_weights")
		if !ok {
			t.Fatal("no model_weights group")
		}
		layers, ok := mw.AttrStrings("layer_names")
		if !ok {
			t.Fatal("no layer_names attribute")
		}
		var paths []string
		for _, l := range layers {
			g, ok := mw.Group(l)
			if !ok {
				t.Fatalf("no group for layer %q", l)
			}
			names, ok := g.AttrStrings("weight_names")
			if !ok {
				t.Fatalf("layer %q has no weight_names", l)
			}
			for _, n := range names {
				paths = append(paths, l+"/"+n)
			}
		}
		check(t, mw, paths)
	})

	reencode := func(b []byte) []byte {
		f := must(Read(bytes.NewReader(b), int64(len(b))))
		return must(f.Bytes())
	}

	// Legacy full-model .h5.
	legacy := filepath.Join(dir, "legacy_copy.h5")
	if err := os.WriteFile(legacy, reencode(must(os.ReadFile(filepath.Join(dir, "legacy.h5")))), 0o644); err != nil {
		t.Fatal(err)
	}
	// .keras archive with its model.weights.h5 replaced.
	zr := must(zip.OpenReader(filepath.Join(dir, "model.keras")))
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, zf := range zr.File {
		rc := must(zf.Open())
		b := must(io.ReadAll(rc))
		rc.Close()
		if zf.Name == "model.weights.h5" {
			b = reencode(b)
		}
		w := must(zw.CreateHeader(&zip.FileHeader{Name: zf.Name, Method: zip.Store}))
		must(w.Write(b))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dir, "copy.keras")
	if err := os.WriteFile(archive, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	got := kerasWeights(t, testenv.PythonOutput(t, py, filepath.Join("testdata", "keras_interop.py"), "load_model", legacy, archive))
	sameWeights(t, "rewritten legacy .h5", got[0], want)
	sameWeights(t, "rewritten .keras", got[1], want)
}

func equalF32(a, b []float32) bool {
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
