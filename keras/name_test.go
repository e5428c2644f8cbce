package keras_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
)

// keras.Name names inputs and models alike, as Keras's name= does; the names reach the
// summary, the saved config, and a model loaded back from a .keras file.
func TestNameNamesInputsAndModels(t *testing.T) {
	keras.SetRandomSeed(1)
	img := keras.Input(keras.Shape{8}, keras.Name("pixels"))
	code := layers.Dense(4, layers.Activation("relu"), layers.Name("code")).Call(img)
	encoder, err := keras.NewModel(keras.Inputs(img), keras.Outputs(code), keras.Name("encoder"))
	if err != nil {
		t.Fatal(err)
	}
	left := keras.Input(keras.Shape{8}, keras.Name("left"), keras.DType("float32"))
	right := keras.Input(keras.Shape{8}, keras.DType("float32"), keras.Name("right"))
	out := layers.Dense(1, layers.Name("score")).Call(layers.Concatenate().Call(encoder.Call(left), encoder.Call(right)))
	siamese, err := keras.NewModel(keras.Inputs(left, right), keras.Outputs(out), keras.Name("siamese"))
	if err != nil {
		t.Fatal(err)
	}

	if got := encoder.Name(); got != "encoder" {
		t.Errorf("encoder.Name() = %q, want \"encoder\"", got)
	}
	if got := siamese.Name(); got != "siamese" {
		t.Errorf("siamese.Name() = %q, want \"siamese\"", got)
	}
	if got := strings.Join(siamese.InputNames(), ","); got != "left,right" {
		t.Errorf("InputNames = %s, want left,right", got)
	}
	if l, err := siamese.GetLayer("encoder"); err != nil || l != keras.Layer(encoder) {
		t.Errorf("GetLayer(\"encoder\") = %v, %v; want the nested model", l, err)
	}

	var sum bytes.Buffer
	siamese.Summary(&sum)
	for _, want := range []string{`Model: "siamese"`, "left (InputLayer)", "right (InputLayer)", "encoder (Functional)", "score (Dense)"} {
		if !strings.Contains(sum.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, sum.String())
		}
	}

	// The saved config names the model, its inputs and the nested model.
	cfg, err := json.Marshal(siamese.Config())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"name":"siamese"`, `"input_layers":[["left",0,0],["right",0,0]]`, `"name":"encoder"`, `"name":"pixels"`} {
		if !bytes.Contains(cfg, []byte(want)) {
			t.Errorf("config lacks %s:\n%s", want, cfg)
		}
	}
	path := filepath.Join(t.TempDir(), "siamese.keras")
	if err := siamese.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := keras.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Name() != "siamese" || strings.Join(back.InputNames(), ",") != "left,right" {
		t.Errorf("loaded model %q with inputs %v, want siamese with left, right", back.Name(), back.InputNames())
	}
	if _, err := back.GetLayer("encoder"); err != nil {
		t.Errorf("loaded model: %v", err)
	}
}

// ModelName stays what it was, a synonym of Name for models; InputShape takes Name too.
func TestModelNameAndInputShapeName(t *testing.T) {
	in := keras.Input(keras.Shape{3})
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Dense(2).Call(in)), keras.ModelName("old_style"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name() != "old_style" {
		t.Errorf("ModelName: model named %q", m.Name())
	}
	opts := []keras.ModelOption{keras.Name("first"), keras.ModelName("second")}
	in2 := keras.Input(keras.Shape{3})
	m2, err := keras.NewModel(keras.Inputs(in2), keras.Outputs(layers.Dense(2).Call(in2)), opts...)
	if err != nil {
		t.Fatal(err)
	}
	if m2.Name() != "second" {
		t.Errorf("the last name option should win, as every option does: got %q", m2.Name())
	}
	seq, err := keras.NewSequential(keras.InputShape(keras.Shape{3}, keras.Name("features")), layers.Dense(1))
	if err != nil {
		t.Fatal(err)
	}
	if got := seq.InputNames(); len(got) != 1 || got[0] != "features" {
		t.Errorf("InputShape(Name(\"features\")): input names %v", got)
	}
	seq.SetName("mlp") // NewSequential takes layers only; SetName is Sequential(name=...)
	if got := seq.Config()["name"]; got != "mlp" {
		t.Errorf("Sequential config name %v after SetName(\"mlp\")", got)
	}
}
