package layers_test

import (
	"archive/zip"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

func TestCustomScaleLayer(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.CustomScale(0.17) },
		InputShapes:  []keras.Shape{{3, 2}, {3, 2}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2}},
		BadInputs:    [][]keras.Shape{{{3, 2}}, {{3, 2}, {3, 3}}},
	})
}

// TestCustomScaleValues computes shortcut + residual·scale, as InceptionResNetV2's blocks do,
// and saves the module Keras imports the class from.
func TestCustomScaleValues(t *testing.T) {
	a, b := keras.Input(keras.Shape{3}), keras.Input(keras.Shape{3})
	m, err := keras.NewModel(keras.Inputs(a, b), keras.Outputs(layers.CustomScale(0.5).Call(a, b)))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float32{1, 2, 3}))
	r := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float32{2, -4, 10}))
	y, err := m.Predict([]*tensor.Dense{x, r}, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{2, 0, 8}
	for i, v := range y[0].Data().([]float32) {
		if v != want[i] {
			t.Fatalf("output %v, want %v", y[0].Data(), want)
		}
	}
	p := filepath.Join(t.TempDir(), "m.keras")
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}
	z, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	f, err := z.Open("config.json")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(cfg), `"keras.src.applications.inception_resnet_v2"`) {
		t.Errorf("config.json does not name CustomScaleLayer's module:\n%s", cfg)
	}
	if _, err := keras.LoadModel(p); err != nil {
		t.Fatalf("LoadModel: %v", err)
	}
	if err := layers.CustomScale(0.5).Call(a).Err(); err == nil || !errors.Is(err, keras.ErrShape) || !strings.Contains(err.Error(), "2 inputs") {
		t.Fatalf("one input: %v, want a shape error asking for 2 inputs", err)
	}
}
