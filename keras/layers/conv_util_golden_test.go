package layers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// convGoldenFile holds Keras 3's outputs for the convolution, pooling and padding layers,
// written by testdata/conv_golden.py (KERAS_BACKEND=jax, float64).
const convGoldenFile = "testdata/conv_golden.json"

type convGoldenCase struct {
	Name        string         `json:"name"`
	Layer       string         `json:"layer"`
	Kwargs      map[string]any `json:"kwargs"`
	InputShape  []int          `json:"input_shape"`
	Input       []float64      `json:"input"`
	Weights     []convGoldenW  `json:"weights"`
	OutputShape []int          `json:"output_shape"`
	Output      []float64      `json:"output"`
	Config      map[string]any `json:"config"`
}

type convGoldenW struct {
	Shape  []int     `json:"shape"`
	Values []float64 `json:"values"`
}

// caller is what every layer constructor returns.
type caller interface {
	Call(inputs ...*keras.Tensor) *keras.Tensor
}

func loadConvGolden(t *testing.T) []convGoldenCase {
	t.Helper()
	return testenv.GoldenCases[convGoldenCase](t, convGoldenFile, 30, "testdata/conv_golden.py")
}

// kwInts reads a Keras int-or-tuple argument.
func kwInts(v any) []int {
	switch v := v.(type) {
	case float64:
		return []int{int(v)}
	case []any:
		out := make([]int, len(v))
		for i, e := range v {
			out[i] = int(e.(float64))
		}
		return out
	}
	return nil
}

// goldenLayer makes the Go layer for a Keras class and its keyword arguments.
func goldenLayer(class string, kw map[string]any) (caller, error) {
	var opts []any // options of several layer kinds; optionsAs picks the constructor's type
	for k, v := range kw {
		switch k {
		case "strides":
			opts = append(opts, layers.Strides(kwInts(v)...))
		case "dilation_rate":
			opts = append(opts, layers.DilationRate(kwInts(v)...))
		case "activation":
			opts = append(opts, layers.Activation(v.(string)))
		case "use_bias":
			opts = append(opts, layers.UseBias(v.(bool)))
		case "keepdims":
			opts = append(opts, layers.KeepDims(v.(bool)))
		case "padding":
			if s, ok := v.(string); ok {
				opts = append(opts, layers.Padding(s))
			}
		case "kernel_size":
			if ks := kwInts(v); len(ks) == 2 {
				opts = append(opts, layers.KernelSize2D(ks[0], ks[1]))
			}
		case "filters", "pool_size":
		default:
			return nil, fmt.Errorf("unhandled keyword %s", k)
		}
	}
	filters, _ := kw["filters"].(float64)
	ks := kwInts(kw["kernel_size"])
	ps := kwInts(kw["pool_size"])
	switch class {
	case "Conv1D":
		return withOptions(opts, func(o ...layers.Conv1DOption) caller { return layers.Conv1D(int(filters), ks[0], o...) })
	case "Conv2D":
		return withOptions(opts, func(o ...layers.Conv2DOption) caller { return layers.Conv2D(int(filters), ks[0], o...) })
	case "MaxPooling1D":
		return withOptions(opts, func(o ...layers.PoolingOption) caller { return layers.MaxPooling1D(ps[0], o...) })
	case "AveragePooling1D":
		return withOptions(opts, func(o ...layers.PoolingOption) caller { return layers.AveragePooling1D(ps[0], o...) })
	case "MaxPooling2D":
		return withOptions(opts, func(o ...layers.PoolingOption) caller { return layers.MaxPooling2D(ps[0], o...) })
	case "AveragePooling2D":
		return withOptions(opts, func(o ...layers.PoolingOption) caller { return layers.AveragePooling2D(ps[0], o...) })
	case "GlobalMaxPooling1D":
		return withOptions(opts, func(o ...layers.GlobalPoolingOption) caller { return layers.GlobalMaxPooling1D(o...) })
	case "GlobalAveragePooling1D":
		return withOptions(opts, func(o ...layers.GlobalPoolingOption) caller { return layers.GlobalAveragePooling1D(o...) })
	case "GlobalMaxPooling2D":
		return withOptions(opts, func(o ...layers.GlobalPoolingOption) caller { return layers.GlobalMaxPooling2D(o...) })
	case "GlobalAveragePooling2D":
		return withOptions(opts, func(o ...layers.GlobalPoolingOption) caller { return layers.GlobalAveragePooling2D(o...) })
	case "ZeroPadding2D":
		switch p := kw["padding"].(type) {
		case float64:
			return layers.ZeroPadding2D(int(p)), nil
		case []any:
			tb, lr := kwInts(p[0]), kwInts(p[1])
			return layers.ZeroPadding2DSides(tb[0], tb[1], lr[0], lr[1]), nil
		}
	}
	return nil, fmt.Errorf("unhandled layer %s %v", class, kw)
}

// denseOfDType returns values as a tensor of the given dtype.
func denseOfDType(dt string, shape []int, v []float64) *tensor.Dense {
	if dt == "float64" {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
	}
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
}

// asFloat64s reads a float32 or float64 tensor.
func asFloat64s(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float64:
		return d
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	}
	return nil
}

// kerasFloat32Internals are the cases whose Keras (JAX backend) result has only float32
// precision although the layer is float64: ops.tanh casts to result_type(x, float), which is
// float32, and ops.mean loses precision the same way (measured: |keras - numpy| ~ 5e-8 for
// tanh, 2e-9 for mean). Everything else matches to 1e-12.
var kerasFloat32Internals = map[string]bool{
	"conv2d_1x1_stride2":   true, // tanh activation
	"globalavg1d_keepdims": true, // ops.mean
	"globalavg2d":          true, // ops.mean
}

// TestConvGoldenKeras runs every case of testdata/conv_golden.json through the Go layer, in
// float64 and float32, with Keras's weights, and compares shapes and values with Keras's.
func TestConvGoldenKeras(t *testing.T) {
	for _, c := range loadConvGolden(t) {
		for _, dt := range []string{"float64", "float32"} {
			t.Run(c.Name+"/"+dt, func(t *testing.T) {
				l, err := goldenLayer(c.Layer, c.Kwargs)
				if err != nil {
					t.Fatal(err)
				}
				in := keras.Input(keras.Shape(c.InputShape[1:]), keras.DType(dt))
				out := l.Call(in)
				m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
				if err != nil {
					t.Fatal(err)
				}
				wantStatic := append(keras.Shape{keras.None}, c.OutputShape[1:]...)
				if !out.Shape().Equal(wantStatic) {
					t.Errorf("static output shape %v, Keras %v", out.Shape(), wantStatic)
				}
				if len(c.Weights) > 0 {
					ws := make([]*tensor.Dense, len(c.Weights))
					for i, w := range c.Weights {
						ws[i] = denseOfDType(dt, w.Shape, w.Values)
					}
					if err := m.SetWeights(ws); err != nil {
						t.Fatal(err)
					}
				}
				pred, err := m.Predict(denseOfDType(dt, c.InputShape, c.Input), keras.BatchSize(c.InputShape[0]), keras.Verbose(0))
				if err != nil {
					t.Fatal(err)
				}
				got := pred[0]
				if !keras.Shape(got.Shape()).Equal(keras.Shape(c.OutputShape)) {
					t.Fatalf("output shape %v, Keras %v", got.Shape(), c.OutputShape)
				}
				tol := 1e-12
				if kerasFloat32Internals[c.Name] {
					tol = 1e-7
				}
				if dt == "float32" {
					tol = 2e-6
				}
				for i, g := range asFloat64s(got) {
					w := c.Output[i]
					if d := math.Abs(g-w) / math.Max(1, math.Abs(w)); d > tol {
						t.Fatalf("output[%d] = %.10g, Keras %.10g (error %.2e > %.0e)", i, g, w, d, tol)
					}
				}
			})
		}
	}
}

// TestConvConfigMatchesKeras compares each layer's Config, through JSON, with Keras's
// get_config() of the same layer (name, trainable and dtype left out: the model adds them).
func TestConvConfigMatchesKeras(t *testing.T) {
	for _, c := range loadConvGolden(t) {
		t.Run(c.Name, func(t *testing.T) {
			l, err := goldenLayer(c.Layer, c.Kwargs)
			if err != nil {
				t.Fatal(err)
			}
			kl, ok := l.(keras.Layer)
			if !ok {
				t.Fatalf("%T is not a keras.Layer", l)
			}
			if kl.ClassName() != c.Layer {
				t.Errorf("ClassName() = %q, Keras %q", kl.ClassName(), c.Layer)
			}
			raw, err := json.Marshal(kl.Config())
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			for k, want := range c.Config {
				if k == "kernel_initializer" || k == "bias_initializer" {
					// Serialised by package initializers; Keras 3.15 adds input_axes and
					// output_axes to VarianceScaling's config, so compare the class only.
					if cn := got[k].(map[string]any)["class_name"]; cn != want.(map[string]any)["class_name"] {
						t.Errorf("config[%q] class %v, Keras %v", k, cn, want.(map[string]any)["class_name"])
					}
					continue
				}
				if !reflect.DeepEqual(got[k], want) {
					t.Errorf("config[%q] = %v, Keras %v", k, got[k], want)
				}
			}
			for k := range got {
				if _, ok := c.Config[k]; !ok {
					t.Errorf("config key %q is not in Keras's config", k)
				}
			}
		})
	}
}

// TestConvFromKerasConfig rebuilds each layer from the config Keras wrote (through the
// layer registry, as keras.LoadModel does) and runs it on the golden input: the output must
// be Keras's.
func TestConvFromKerasConfig(t *testing.T) {
	for _, c := range loadConvGolden(t) {
		t.Run(c.Name, func(t *testing.T) {
			cfg := map[string]any{"name": "from_keras_" + c.Name, "trainable": true}
			for k, v := range c.Config {
				cfg[k] = v
			}
			l, err := keras.DeserializeLayer(map[string]any{"class_name": c.Layer, "config": cfg})
			if err != nil {
				t.Fatal(err)
			}
			cl, ok := l.(caller)
			if !ok {
				t.Fatalf("%T has no Call method", l)
			}
			in := keras.Input(keras.Shape(c.InputShape[1:]), keras.DType("float64"))
			m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(cl.Call(in)))
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Weights) > 0 {
				ws := make([]*tensor.Dense, len(c.Weights))
				for i, w := range c.Weights {
					ws[i] = denseOfDType("float64", w.Shape, w.Values)
				}
				if err := m.SetWeights(ws); err != nil {
					t.Fatal(err)
				}
			}
			pred, err := m.Predict(denseOfDType("float64", c.InputShape, c.Input), keras.Verbose(0))
			if err != nil {
				t.Fatal(err)
			}
			for i, g := range asFloat64s(pred[0]) {
				if d := math.Abs(g - c.Output[i]); d > 1e-7*math.Max(1, math.Abs(c.Output[i])) {
					t.Fatalf("output[%d] = %.10g, Keras %.10g", i, g, c.Output[i])
				}
			}
		})
	}
}
