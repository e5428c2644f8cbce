package keras_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// opsAppsModels are the models of TestLoadKerasOpsAndApplications: a small model of raw
// keras.ops calls, and the keras.applications families built of operation nodes (MobileNetV3),
// broadcasting Multiply and Dropout(noise_shape) (EfficientNet) and CustomScaleLayer
// (InceptionResNetV2), and ConvNeXtTiny (nested Sequential stem and downsampling blocks,
// LayerNormalization and Dense on rank-4 inputs, LayerScale, StochasticDepth).
//
// CI runs the three smallest (opsAppsModels); KERAGO_OPS_APPS=all adds MobileNetV3Large,
// EfficientNetV2B0, InceptionResNetV2 (55M weights) and ConvNeXtTiny (28M), minutes of Keras's
// time on two cores, all passing when measured (docs/applications.md). ConvNeXt's blocks are in
// CI through TestConvNeXtBlockPredicts and TestConvNeXtBlockGradients (keras/layers).
var opsAppsModels = []string{"OpsGuide", "MobileNetV3Small", "EfficientNetB0"}

// opsAppsMore are the models KERAGO_OPS_APPS=all adds.
var opsAppsMore = []string{"MobileNetV3Large", "EfficientNetV2B0", "InceptionResNetV2", "ConvNeXtTiny"}

// opsArray is an array in the script's JSON.
type opsArray struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// TestLoadKerasOpsAndApplications has Keras 3 write each model of opsAppsModels (weights moved
// off their initial values; batch of 2; 32×32 images, 75×75 for InceptionResNetV2), checks
// that LoadModel reads each and predicts Keras's outputs to 1e-4 relative, saves each with
// Save and has Keras load the Go-written file and predict the same outputs; on the ops model
// a training step's gradients reach the weights before the operations. It needs python3 with
// Keras (skipped without, unless KERAGO_REQUIRE_PYTHON=1, and with -short).
func TestLoadKerasOpsAndApplications(t *testing.T) {
	t.Setenv("KERAS_BACKEND", "jax")
	py := testenv.SlowPython(t, "keras", "numpy")
	dir := t.TempDir()
	script := filepath.Join("testdata", "saving", "ops_apps.py")
	models := opsAppsModels
	if os.Getenv("KERAGO_OPS_APPS") == "all" {
		models = append(append([]string(nil), opsAppsModels...), opsAppsMore...)
	}
	names := strings.Join(models, ",")
	testenv.PythonOutput(t, py, script, "write", dir, names)
	var ref map[string]struct{ Input, Output opsArray }
	readOpsJSON(t, filepath.Join(dir, "keras.json"), &ref)
	for _, n := range models {
		t.Run(n, func(t *testing.T) {
			a, ok := ref[n]
			if !ok {
				t.Fatal("the script wrote no predictions")
			}
			m, err := keras.LoadModel(filepath.Join(dir, n+".keras"))
			if err != nil {
				t.Fatalf("LoadModel: %v", err)
			}
			x := opsInput(a.Input)
			ys, err := m.Predict(x, keras.Verbose(0))
			if err != nil {
				t.Fatalf("Predict: %v", err)
			}
			compareOps(t, "Go on the Keras-written file", ys[0].Data().([]float32), a.Output.Data)
			if err := m.Save(filepath.Join(dir, n+".go.keras")); err != nil {
				t.Fatalf("Save: %v", err)
			}
			if n == "OpsGuide" {
				checkOpsTraining(t, m, x, a.Output.Shape)
			}
		})
	}
	if t.Failed() {
		return
	}
	testenv.PythonOutput(t, py, script, "check", dir, names)
	var back map[string]struct{ Output opsArray }
	readOpsJSON(t, filepath.Join(dir, "go.json"), &back)
	for _, n := range models {
		t.Run(n+"/keras_loads_go_file", func(t *testing.T) {
			compareOps(t, "Keras on the Go-written file", toFloat32(back[n].Output.Data), ref[n].Output.Data)
		})
	}
}

// checkOpsTraining compiles the loaded ops model and checks that a training step's gradient
// reaches the first Dense kernel (through every operation node) and is finite and non-zero.
func checkOpsTraining(t *testing.T, m *keras.Model, x *tensor.Dense, outShape []int) {
	t.Helper()
	if err := m.Compile(optimizers.SGD(), "mse"); err != nil {
		t.Fatalf("Compile: %v", err)
	}
	y := tensor.New(tensor.WithShape(outShape...), tensor.Of(tensor.Float32))
	_, grads, err := m.Gradients(x, y)
	if err != nil {
		t.Fatalf("Gradients: %v", err)
	}
	var norm float64
	for _, v := range grads[0].Data().([]float32) {
		norm += float64(v) * float64(v)
	}
	if !(norm > 0) || math.IsInf(norm, 0) {
		t.Errorf("gradient of the first kernel through the operations has squared norm %v", norm)
	}
}

func readOpsJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func opsInput(a opsArray) *tensor.Dense {
	return tensor.New(tensor.WithShape(a.Shape...), tensor.WithBacking(toFloat32(a.Data)))
}

func toFloat32(xs []float64) []float32 {
	out := make([]float32, len(xs))
	for i, v := range xs {
		out[i] = float32(v)
	}
	return out
}

// compareOps checks got against Keras's want to 1e-4 relative to the largest output.
func compareOps(t *testing.T, what string, got []float32, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d outputs, Keras gave %d", what, len(got), len(want))
	}
	var diff, scale float64
	for i, v := range got {
		diff = math.Max(diff, math.Abs(float64(v)-want[i]))
		scale = math.Max(scale, math.Abs(want[i]))
	}
	t.Logf("%s: outputs up to %.3g; max difference from Keras %.3g", what, scale, diff)
	if scale < 1e-3 {
		t.Fatalf("%s: Keras's outputs are all near zero (%g): the comparison would show nothing", what, scale)
	}
	if !(diff <= 1e-4*math.Max(1, scale)) {
		t.Errorf("%s: outputs differ from Keras's by %g (largest %g)", what, diff, scale)
	}
}
