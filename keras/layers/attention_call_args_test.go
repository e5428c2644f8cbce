package layers_test

import (
	"encoding/json"
	"math"
	"path/filepath"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"gorgonia.org/tensor"
)

// callArgsArray is one array of testdata/attention_call_args_golden.json.
type callArgsArray struct {
	Shape []int     `json:"shape"`
	DType string    `json:"dtype"`
	Data  []float64 `json:"data"`
}

// TestAttentionCallArgsKeras: a Keras-written model of the attention layers' call arguments
// (testdata/attention_call_args_golden.py) loads and predicts what Keras predicted, all six
// outputs: MultiHeadAttention given an explicit attention_mask (a bool input, read as float32
// and fed 0s and 1s) combined with the embeddings' masks and use_causal_mask, returning its
// scores; MultiHeadAttention with attention_axes (1,) on images, its value and key saved as
// keyword tensors; Attention returning its scores. Then kerago saves the model and Keras
// loads kerago's file and predicts the same.
func TestAttentionCallArgsKeras(t *testing.T) {
	var g struct {
		Keras   string          `json:"keras"`
		Inputs  []callArgsArray `json:"inputs"`
		Outputs []callArgsArray `json:"outputs"`
	}
	regen := "KERAS_BACKEND=jax python3 keras/layers/testdata/attention_call_args_golden.py"
	testenv.ReadJSON(t, "testdata/attention_call_args_golden.json", &g, regen)
	m, err := keras.LoadModel("testdata/attention_call_args_golden.keras")
	if err != nil {
		t.Fatalf("LoadModel: %v", err)
	}
	var xs []*tensor.Dense
	for _, in := range g.Inputs {
		if in.DType == "int32" {
			ids := make([]int32, len(in.Data))
			for i, v := range in.Data {
				ids[i] = int32(v)
			}
			xs = append(xs, tensor.New(tensor.WithShape(in.Shape...), tensor.WithBacking(ids)))
			continue
		}
		f := make([]float32, len(in.Data)) // float32, and bool as 0s and 1s
		for i, v := range in.Data {
			f[i] = float32(v)
		}
		xs = append(xs, tensor.New(tensor.WithShape(in.Shape...), tensor.WithBacking(f)))
	}
	compare := func(who string, ys []callArgsArray) {
		t.Helper()
		if len(ys) != len(g.Outputs) {
			t.Fatalf("%s: %d outputs, Keras has %d", who, len(ys), len(g.Outputs))
		}
		for i, want := range g.Outputs {
			got := ys[i]
			if len(got.Data) != len(want.Data) || len(got.Shape) != len(want.Shape) {
				t.Fatalf("%s: output %d has shape %v, Keras's %v", who, i, got.Shape, want.Shape)
			}
			worst := 0.0
			for j, w := range want.Data {
				worst = math.Max(worst, math.Abs(got.Data[j]-w))
			}
			t.Logf("%s: output %d %v: max difference from Keras %s's %g", who, i, want.Shape, g.Keras, worst)
			if !(worst <= 1e-5) {
				t.Errorf("%s: output %d differs from Keras's by %g", who, i, worst)
			}
		}
	}
	ys, err := m.Predict(xs, keras.Verbose(0))
	if err != nil {
		t.Fatalf("Predict: %v", err)
	}
	var got []callArgsArray
	for _, y := range ys {
		a := callArgsArray{Shape: y.Shape().Clone()}
		for _, v := range y.Float32s() {
			a.Data = append(a.Data, float64(v))
		}
		got = append(got, a)
	}
	compare("kerago", got)

	// kerago's file of the model, read by Keras (tens of seconds: skipped with -short)
	py := testenv.SlowPython(t, "keras")
	path := filepath.Join(t.TempDir(), "resaved.keras")
	if err := m.Save(path); err != nil {
		t.Fatalf("Save: %v", err)
	}
	out := testenv.PythonOutput(t, py, "testdata/attention_call_args_golden.py", path, "testdata/attention_call_args_golden.json")
	var k struct {
		Outputs []callArgsArray `json:"outputs"`
	}
	if err := json.Unmarshal(lastLineOf(out), &k); err != nil {
		t.Fatalf("reading Keras's outputs: %v\n%s", err, out)
	}
	compare("Keras on kerago's file", k.Outputs)
}

// lastLineOf returns the last non-empty line of out (Python libraries may print before it).
func lastLineOf(out []byte) []byte {
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
