package saving

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras/internal/errs"
	"github.com/kerago/kerago/keras/internal/hdf5"
	"gorgonia.org/tensor"
)

// TestLegacyModelRoundTrip checks the legacy .h5 layout: the attributes Keras reads, the
// model_weights group with layer_names in model order and weight_names per layer, weights
// read back by order (the file's names need not match the model's), and a model with
// another number of layers with weights refused, naming the model.
func TestLegacyModelRoundTrip(t *testing.T) {
	k := tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float32{3, 4}))
	b := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{0.5}))
	layers := []LegacyLayer{
		{Name: "input_layer"},
		{Name: "dense", Vars: []Var{{"seq/dense/kernel", k}, {"seq/dense/bias", b}}},
	}
	f := hdf5.NewFile()
	if err := WriteLegacyModel(f.Root, []byte(`{"class_name":"Sequential","config":{"name":"seq"}}`), nil, layers); err != nil {
		t.Fatal(err)
	}
	raw, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReadHDF5(raw)
	if err != nil {
		t.Fatal(err)
	}
	top, tc, weights, err := ReadLegacyModel(back)
	if err != nil {
		t.Fatal(err)
	}
	if top["class_name"] != "Sequential" || tc != nil {
		t.Errorf("model_config %v, training_config %v; want Sequential and none", top, tc)
	}
	if v, _ := back.Root.AttrString("backend"); v != LegacyBackend {
		t.Errorf("backend attribute %q, want %q", v, LegacyBackend)
	}
	if names, _ := ChunkedStrings(weights, "layer_names"); !reflect.DeepEqual(names, []string{"input_layer", "dense"}) {
		t.Errorf("layer_names %v", names)
	}
	model := []LegacyLayer{{Name: "dense_7", Vars: []Var{
		{"dense_7/kernel", tensor.New(tensor.WithShape(2, 1), tensor.Of(tensor.Float32))},
		{"dense_7/bias", tensor.New(tensor.WithShape(1), tensor.Of(tensor.Float32))},
	}}}
	vals, err := ReadLegacyWeights(weights, "seq", model)
	if err != nil {
		t.Fatal(err)
	}
	if got := vals[0][0].Data().([]float32); got[1] != 4 || vals[0][1].Data().([]float32)[0] != 0.5 {
		t.Errorf("weights read back as %v, %v", vals[0][0], vals[0][1])
	}
	_, err = ReadLegacyWeights(weights, "other", append(model, model[0]))
	if !errors.Is(err, errs.Shape) || !strings.Contains(err.Error(), "model other has 2 layers with weights") {
		t.Errorf("two layers for the file's one: got %v", err)
	}
	if _, _, _, err := ReadLegacyModel(&hdf5.File{Root: weights}); !errors.Is(err, errs.FileFormat) || !strings.Contains(err.Error(), "LoadWeights") {
		t.Errorf("a weights-only file as a model: got %v", err)
	}
}

// TestLegacyEntry checks the legacy serialisation of a layer entry: module, registered_name
// and build_config dropped, in nested models' layers too.
func TestLegacyEntry(t *testing.T) {
	in := map[string]any{"class_name": "Functional", "module": "keras.src.models.functional", "build_config": map[string]any{},
		"config": map[string]any{"name": "m", "layers": []any{
			map[string]any{"class_name": "Dense", "module": "keras.layers", "registered_name": nil, "config": map[string]any{"units": 2.0}},
		}}}
	want := map[string]any{"class_name": "Functional",
		"config": map[string]any{"name": "m", "layers": []any{
			map[string]any{"class_name": "Dense", "config": map[string]any{"units": 2.0}},
		}}}
	if got := LegacyEntry(in); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestOptimizerSlotNames checks Keras's names of optimizer slots in a legacy file.
func TestOptimizerSlotNames(t *testing.T) {
	got := OptimizerSlotNames("adam", map[string]any{"amsgrad": false}, []string{"dense/kernel", "dense/bias"}, 4)
	want := []string{"dense_kernel_momentum", "dense_kernel_velocity", "dense_bias_momentum", "dense_bias_velocity"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("adam: got %v, want %v", got, want)
	}
	if got := OptimizerSlotNames("adam", nil, []string{"dense/kernel"}, 3); got != nil {
		t.Errorf("a slot count that does not fit the layout: got %v, want nil", got)
	}
}
