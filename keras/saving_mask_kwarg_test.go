package keras_test

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
)

// An explicit mask keyword (Keras: LSTM(3)(x, mask=bool_input)) names a tensor kerago does not
// apply: only masks made by Embedding(mask_zero) and Masking, which Keras writes as mask
// operations, are re-derived. Loading such a file used to drop the mask silently, so the
// LSTM stepped over every position and predicted otherwise than Keras; it must be refused,
// naming the layer and the argument.
func TestLoadRefusesAnExplicitMaskKeyword(t *testing.T) {
	dir := t.TempDir()
	x := keras.Input(keras.Shape{5, 4}, keras.Name("x"))
	m := keras.Input(keras.Shape{5}, keras.Name("m"))
	y := layers.LSTM(3, layers.Name("lstm")).Call(x)
	model, err := keras.NewModel(keras.Inputs(x, m), keras.Outputs(y))
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "plain.keras")
	if err := model.Save(src); err != nil {
		t.Fatal(err)
	}
	if _, err := keras.LoadModel(src); err != nil {
		t.Fatalf("the file without the mask keyword: %v", err)
	}

	members := archiveMembers(t, src)
	var cfg map[string]any
	if err := json.Unmarshal(members["config.json"], &cfg); err != nil {
		t.Fatal(err)
	}
	edited := false
	for _, e := range cfg["config"].(map[string]any)["layers"].([]any) {
		entry := e.(map[string]any)
		if entry["name"] != "lstm" {
			continue
		}
		node := entry["inbound_nodes"].([]any)[0].(map[string]any)
		node["kwargs"] = map[string]any{"mask": map[string]any{
			"class_name": "__keras_tensor__",
			"config":     map[string]any{"shape": []any{nil, 5}, "dtype": "bool", "keras_history": []any{"m", 0, 0}},
		}}
		edited = true
	}
	if !edited {
		t.Fatal("no layer lstm in the saved config")
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	members["config.json"] = b
	dst := filepath.Join(dir, "masked.keras")
	writeArchive(t, dst, members, 0)

	_, err = keras.LoadModel(dst)
	if err == nil {
		t.Fatal("LoadModel dropped the explicit mask keyword silently")
	}
	if !errors.Is(err, keras.ErrUnknownName) || !strings.Contains(err.Error(), "lstm") || !strings.Contains(err.Error(), `"mask"`) || !strings.Contains(err.Error(), " m,") {
		t.Errorf("error %q: want ErrUnknownName naming layer lstm, the argument \"mask\" and its source m", err)
	}
}
