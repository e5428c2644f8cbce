package keras_test

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"gorgonia.org/tensor"
)

// TestApplicationsLayers writes every layer's inference output of a suite model, for the
// layer-by-layer comparisons of docs/applications.md ("Float32 predictions"). It runs only
// with KERAGO_APPS_LAYERS=DIR,NAME,FILE,OUT: it loads DIR/FILE (a float32 or float64 .keras
// file), predicts DIR/cases.json's batch for NAME in the file's dtype with a model over every
// layer's first output, and writes each output as little-endian float64 to OUT/LAYER.bin,
// with OUT/index.json listing the layers in order and their shapes.
// testdata/applications/layers.py writes Keras's side and compares.
func TestApplicationsLayers(t *testing.T) {
	spec := os.Getenv("KERAGO_APPS_LAYERS")
	if spec == "" {
		t.Skip("KERAGO_APPS_LAYERS unset")
	}
	p := strings.Split(spec, ",")
	if len(p) != 4 {
		t.Fatalf("KERAGO_APPS_LAYERS=%q: want DIR,NAME,FILE,OUT", spec)
	}
	dir, name, file, out := p[0], p[1], p[2], p[3]
	c, ok := readAppsCases(dir)[name]
	if !ok {
		t.Fatalf("%s has no case %q", filepath.Join(dir, "cases.json"), name)
	}
	m, err := keras.LoadModel(filepath.Join(dir, file), keras.LoadCompile(false))
	if err != nil {
		t.Fatal(err)
	}
	type nodes interface{ InboundNodes() []*keras.Node }
	var outs []*keras.Tensor
	var names []string
	for _, l := range m.Layers() {
		if _, ok := l.(*keras.InputLayer); ok {
			continue
		}
		ns := l.(nodes).InboundNodes()
		outs = append(outs, ns[0].Outputs()[0])
		names = append(names, l.Name())
	}
	mm, err := keras.NewModel(m.Inputs(), outs)
	if err != nil {
		t.Fatal(err)
	}
	dt := tensor.Float32
	if m.Inputs()[0].DType() == "float64" {
		dt = tensor.Float64
	}
	batch := len(c.Y) / appsClasses
	x := appsTensor(dt, []int{batch, c.Side, c.Side, 3}, c.X)
	res, err := mm.Predict(x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	index := map[string][]int{}
	for i, r := range res {
		v := flat(t, r)
		b := make([]byte, 8*len(v))
		for j, f := range v {
			binary.LittleEndian.PutUint64(b[8*j:], math.Float64bits(f))
		}
		if err := os.WriteFile(filepath.Join(out, names[i]+".bin"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		index[names[i]] = r.Shape()
	}
	b, err := json.Marshal(map[string]any{"names": names, "shapes": index})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "index.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}
