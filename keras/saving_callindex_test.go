package keras_test

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
)

// Call indices, without Python: Keras numbers a nested functional model's calls from 0 in
// inbound_nodes and from 1 in input_layers/output_layers (its construction counts as call 0
// there). For every Keras-written file with nested models, the config Go writes for the model
// it loaded names the same calls as the config.json Keras wrote.
func TestCallIndicesMatchKeras(t *testing.T) {
	for _, name := range []string{"nested", "autoencoder", "nested_twice", "nested_deep", "nested_mixed"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", "saving", "keras", name+".keras")
			var kerasCfg map[string]any
			if err := json.Unmarshal(archiveEntry(t, path, "config.json"), &kerasCfg); err != nil {
				t.Fatal(err)
			}
			m, err := keras.LoadModel(path)
			if err != nil {
				t.Fatal(err)
			}
			// Through JSON, so both sides have the same types.
			b, err := json.Marshal(m.Config())
			if err != nil {
				t.Fatal(err)
			}
			var goCfg map[string]any
			if err := json.Unmarshal(b, &goCfg); err != nil {
				t.Fatal(err)
			}
			want := callRefs(kerasCfg["config"].(map[string]any), name)
			got := callRefs(goCfg, name)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("Go writes\n  %s\nKeras wrote\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}

// callRefs lists every layer reference of a functional config (inbound_nodes keras_history,
// input_layers, output_layers), nested functional configs included.
func callRefs(cfg map[string]any, scope string) []string {
	var out []string
	for _, key := range []string{"input_layers", "output_layers"} {
		out = append(out, fmt.Sprintf("%s %s %v", scope, key, cfg[key]))
	}
	layers, _ := cfg["layers"].([]any)
	for _, e := range layers {
		entry := e.(map[string]any)
		name, _ := entry["name"].(string)
		nodes, _ := entry["inbound_nodes"].([]any)
		for i, n := range nodes {
			var hist []string
			var walk func(v any)
			walk = func(v any) {
				switch x := v.(type) {
				case map[string]any:
					if c, ok := x["config"].(map[string]any); ok && x["class_name"] == "__keras_tensor__" {
						hist = append(hist, fmt.Sprint(c["keras_history"]))
						return
					}
					for _, k := range []string{"args", "kwargs"} {
						walk(x[k])
					}
				case []any:
					for _, y := range x {
						walk(y)
					}
				}
			}
			walk(n)
			out = append(out, fmt.Sprintf("%s/%s call %d takes %v", scope, name, i, hist))
		}
		if inner, ok := entry["config"].(map[string]any); ok && (entry["class_name"] == "Functional" || entry["class_name"] == "Model") {
			out = append(out, callRefs(inner, scope+"/"+name)...)
		}
	}
	return out
}

// archiveEntry returns one file of a .keras zip.
func archiveEntry(t *testing.T, path, entry string) []byte {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	for _, f := range z.File {
		if f.Name == entry {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			b, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatalf("%s has no %s", path, entry)
	return nil
}

// Files kerago wrote before it followed Keras number a nested model's calls from 0 in
// output_layers (Keras never writes 0 there): they still load with the outputs in order.
func TestLoadsOldCallIndices(t *testing.T) {
	c := zooCase{}
	for _, z := range zoo() {
		if z.name == "nested_twice" {
			c = z
		}
	}
	keras.SetRandomSeed(1)
	m := c.build(t)
	want := predict(t, m, c)
	dir := t.TempDir()
	path := filepath.Join(dir, "new.keras")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	cfg := string(archiveEntry(t, path, "config.json"))
	newRefs := `"output_layers":[["tower",1,0],["tower",2,0]]`
	if !strings.Contains(cfg, newRefs) {
		t.Fatalf("config.json does not hold %s:\n%s", newRefs, cfg)
	}
	oldPath := filepath.Join(dir, "old.keras")
	rewriteArchive(t, path, oldPath, func(cfg string) string {
		return strings.Replace(cfg, newRefs, `"output_layers":[["tower",0,0],["tower",1,0]]`, 1)
	})
	for _, p := range []string{path, oldPath} {
		loaded, err := keras.LoadModel(p)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(p), err)
		}
		if d := maxDiff(t, filepath.Base(p), want, predict(t, loaded, c)); d != 0 {
			t.Errorf("%s: predictions differ by %g: the outputs are out of order", filepath.Base(p), d)
		}
	}
}
