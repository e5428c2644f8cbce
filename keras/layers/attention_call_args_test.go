package layers_test

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// callArgsArray is one array of testdata/attention_call_args_golden.json.
type callArgsArray struct {
	Shape []int     `json:"shape"`
	DType string    `json:"dtype"`
	Data  []float64 `json:"data"`
}

// TestAttentionCallArgsKeras: a Keras-written model of the attention layers' call arguments
// (testdata/attention_call_args_golden.py) loads and predicts what Keras predicted, all seven
// outputs: MultiHeadAttention given an explicit attention_mask (a bool input, read as float32
// and fed 0s and 1s) combined with the embeddings' masks and use_causal_mask, returning its
// scores; MultiHeadAttention with attention_axes (1,) on images, its value and key saved as
// keyword tensors; Attention returning its scores; a cross-attention whose separate key alone
// is masked (Keras's key_mask). Then kerago saves the model (.keras and
// legacy .h5) and loads it back, and Keras loads kerago's .keras file, each predicting the
// same.
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

	// kerago's files of the model, .keras and legacy .h5, read back by kerago
	for _, name := range []string{"resaved.keras", "resaved.h5"} {
		path := filepath.Join(t.TempDir(), name)
		if err := m.Save(path); err != nil {
			t.Fatalf("Save %s: %v", name, err)
		}
		back, err := keras.LoadModel(path)
		if err != nil {
			t.Fatalf("LoadModel %s: %v", name, err)
		}
		ys, err := back.Predict(xs, keras.Verbose(0))
		if err != nil {
			t.Fatalf("Predict after loading %s: %v", name, err)
		}
		var again []callArgsArray
		for _, y := range ys {
			a := callArgsArray{Shape: y.Shape().Clone()}
			for _, v := range y.Float32s() {
				a.Data = append(a.Data, float64(v))
			}
			again = append(again, a)
		}
		compare("kerago on its "+name, again)
	}

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

// TestAttentionCallArgsErrors: saved calls whose call arguments the layers cannot take are
// load errors naming the layer and the argument: a tensor keyword for a layer that takes none
// (Attention), a tensor keyword MultiHeadAttention does not know, a keyword that is not a
// bool, one layer called with and without the causal mask (given false, or left out), and
// with and without scores.
func TestAttentionCallArgsErrors(t *testing.T) {
	const src = "testdata/attention_call_args_golden.keras"
	tensor := `{"class_name": "__keras_tensor__", "config": {"shape": [null, 5, 5], "dtype": "bool", "keras_history": ["pairs", 0, 0]}}`
	for _, c := range []struct {
		name, old, new string
		want           error
		names          []string
	}{
		{"tensor keyword for Attention", `"embedding_1", 0, 0]}}]], "kwargs": {"return_attention_scores": true}}`,
			`"embedding_1", 0, 0]}}]], "kwargs": {"return_attention_scores": true, "extra": ` + tensor + `}}`, keras.ErrUnknownName, []string{"att", "extra"}},
		{"unknown tensor keyword", `"attention_mask"`, `"bias_mask"`, keras.ErrUnknownName, []string{"masked_mha", "bias_mask"}},
		{"keyword not a bool", `"use_causal_mask": true, "return_attention_scores": true`,
			`"use_causal_mask": true, "return_attention_scores": "yes"`, keras.ErrInvalidArgument, []string{"masked_mha", "return_attention_scores"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "edited.keras")
			editArchiveConfig(t, src, path, func(cfg string) string {
				if !strings.Contains(cfg, c.old) {
					t.Fatalf("%s has no %s", src, c.old)
				}
				return strings.Replace(cfg, c.old, c.new, 1)
			})
			_, err := keras.LoadModel(path)
			t.Log(err)
			if !errors.Is(err, c.want) {
				t.Fatalf("LoadModel: %v, want %v", err, c.want)
			}
			for _, n := range c.names {
				if !strings.Contains(err.Error(), n) {
					t.Errorf("error %q does not name %s", err, n)
				}
			}
		})
	}
	t.Run("a second call without the causal mask", func(t *testing.T) {
		x := keras.Input(keras.Shape{4, 3}, keras.Name("x"))
		mha := layers.MultiHeadAttention(2, 2, layers.UseCausalMask(true), layers.Name("shared"))
		y := mha.Call(mha.Call(x, x), x)
		m, err := keras.NewModel(keras.Inputs(x), keras.Outputs(y))
		if err != nil {
			t.Fatal(err)
		}
		saved := filepath.Join(t.TempDir(), "twice.keras")
		if err := m.Save(saved); err != nil {
			t.Fatal(err)
		}
		if _, err := keras.LoadModel(saved); err != nil {
			t.Fatalf("both calls causal: %v", err)
		}
		edited := filepath.Join(t.TempDir(), "edited.keras")
		editArchiveConfig(t, saved, edited, func(cfg string) string {
			i := strings.LastIndex(cfg, `"use_causal_mask":true`)
			if i < 0 {
				t.Fatalf("no use_causal_mask in %s", cfg)
			}
			return cfg[:i] + `"use_causal_mask":false` + cfg[i+len(`"use_causal_mask":true`):]
		})
		_, err = keras.LoadModel(edited)
		if !errors.Is(err, keras.ErrInvalidArgument) || !strings.Contains(err.Error(), "shared") {
			t.Errorf("calls with and without the causal mask: %v, want ErrInvalidArgument naming the layer", err)
		}
		left := filepath.Join(t.TempDir(), "left.keras")
		editArchiveConfig(t, saved, left, func(cfg string) string {
			i := strings.LastIndex(cfg, `"use_causal_mask":true`)
			return cfg[:i] + `"unused":null` + cfg[i+len(`"use_causal_mask":true`):]
		})
		_, err = keras.LoadModel(left)
		if !errors.Is(err, keras.ErrInvalidArgument) || !strings.Contains(err.Error(), "left out") {
			t.Errorf("a second call leaving use_causal_mask out: %v, want ErrInvalidArgument", err)
		}
	})
	t.Run("one layer with and without scores", func(t *testing.T) {
		q := keras.Input(keras.Shape{4, 3})
		l := layers.Attention(layers.ReturnAttentionScores(true))
		outs := l.CallAll(q, q)
		m, err := keras.NewModel(keras.Inputs(q), keras.Outputs(outs...))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(m.Config())
		cfg := string(b)
		if !strings.Contains(cfg, `"return_attention_scores":true`) {
			t.Fatalf("the saved call has no return_attention_scores: %s", cfg)
		}
		if _, err := l.SetCallKeyword("return_attention_scores", false); !errors.Is(err, keras.ErrInvalidArgument) {
			t.Errorf("a second call without scores: %v, want ErrInvalidArgument", err)
		}
	})
}

// editArchiveConfig copies the .keras archive src to dst with its config.json edited.
func editArchiveConfig(t *testing.T, src, dst string, edit func(string) string) {
	t.Helper()
	r, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := zip.NewWriter(f)
	for _, e := range r.File {
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if e.Name == "config.json" {
			b = []byte(edit(string(b)))
		}
		out, err := w.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := out.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
