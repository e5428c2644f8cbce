package keras_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"gorgonia.org/tensor"
)

// TestLoadKerasApplications has Keras 3 write keras.applications models built of the
// depthwise convolutions (MobileNetV2 at 32×32; weights=None, moved off their initial values;
// MobileNet and Xception are TestApplicationsConformance's CI set, which also checks saving) and checks that
// LoadModel reads each and predicts Keras's logits. It needs python3 with Keras (skipped
// without, unless KERAGO_REQUIRE_PYTHON=1, and with -short).
func TestLoadKerasApplications(t *testing.T) {
	t.Setenv("KERAS_BACKEND", "jax")
	py := testenv.SlowPython(t, "keras", "numpy")
	dir := t.TempDir()
	names := []string{"MobileNetV2"}
	testenv.PythonOutput(t, py, filepath.Join("testdata", "applications", "applications.py"), dir, "MobileNetV2")
	b, err := os.ReadFile(filepath.Join(dir, "apps.json"))
	if err != nil {
		t.Fatal(err)
	}
	type array struct {
		Shape []int     `json:"shape"`
		Data  []float64 `json:"data"`
	}
	var apps map[string]struct{ Input, Output array }
	if err := json.Unmarshal(b, &apps); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			a, ok := apps[n]
			if !ok {
				t.Fatal("the script wrote no predictions")
			}
			m, err := keras.LoadModel(filepath.Join(dir, n+".keras"))
			if err != nil {
				t.Fatalf("LoadModel: %v", err)
			}
			x := make([]float32, len(a.Input.Data))
			for i, v := range a.Input.Data {
				x[i] = float32(v)
			}
			ys, err := m.Predict(tensor.New(tensor.WithShape(a.Input.Shape...), tensor.WithBacking(x)), keras.Verbose(0))
			if err != nil {
				t.Fatalf("Predict: %v", err)
			}
			got := ys[0].Data().([]float32)
			if len(got) != len(a.Output.Data) {
				t.Fatalf("%d outputs, Keras gave %d", len(got), len(a.Output.Data))
			}
			var diff, scale float64
			for i, v := range got {
				diff = math.Max(diff, math.Abs(float64(v)-a.Output.Data[i]))
				scale = math.Max(scale, math.Abs(a.Output.Data[i]))
			}
			t.Logf("logits up to %.3g; max difference from Keras %.3g", scale, diff)
			if scale < 1e-3 {
				t.Fatalf("Keras's logits are all near zero (%g): the comparison would show nothing", scale)
			}
			if !(diff <= 1e-4*math.Max(1, scale)) {
				t.Errorf("logits differ from Keras's by %g (largest logit %g)", diff, scale)
			}
		})
	}
}
