package saving

import (
	"errors"
	"reflect"
	"testing"

	"github.com/kerago/kerago/keras/internal/errs"
	"github.com/kerago/kerago/keras/optimizers"
)

// TestOptimizerConfigRoundTrip checks that an optimizer serialised as Keras writes it in a
// compile_config is rebuilt with its class and arguments, and that an unknown class is
// refused wrapping errs.UnknownName.
func TestOptimizerConfigRoundTrip(t *testing.T) {
	opt := optimizers.Adam(optimizers.LearningRate(0.01))
	cfg := SerializeOptimizer(opt)
	if cfg["class_name"] != "Adam" || cfg["module"] != "keras.optimizers" {
		t.Errorf("serialised as %v", cfg)
	}
	back, err := OptimizerFromConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if back.Name() != "adam" || !reflect.DeepEqual(back.Config(), opt.Config()) {
		t.Errorf("rebuilt as %s %v, want adam %v", back.Name(), back.Config(), opt.Config())
	}
	if _, err := OptimizerFromConfig(map[string]any{"class_name": "Adafactor"}); !errors.Is(err, errs.UnknownName) {
		t.Errorf("an unknown optimizer: got %v, want an error wrapping %v", err, errs.UnknownName)
	}
	if _, err := OptimizerFromConfig(3.0); !errors.Is(err, errs.FileFormat) {
		t.Errorf("a number as optimizer: got %v, want an error wrapping %v", err, errs.FileFormat)
	}
}

// TestLossConfigRoundTrip checks loss arguments through LossConfig and LossFromConfig: names
// stay names, per-output lists and dicts keep their shape.
func TestLossConfigRoundTrip(t *testing.T) {
	for _, in := range []any{"mse", []string{"mse", "binary_crossentropy"}, map[string]string{"a": "mae"}} {
		back, err := LossFromConfig(LossConfig(in))
		if err != nil {
			t.Fatalf("%v: %v", in, err)
		}
		var want any = in
		switch x := in.(type) {
		case []string:
			want = []any{x[0], x[1]}
		case map[string]string:
			want = map[string]any{"a": x["a"]}
		}
		if !reflect.DeepEqual(back, want) {
			t.Errorf("%v came back as %v", in, back)
		}
	}
	if _, err := LossFromConfig("no_such_loss"); !errors.Is(err, errs.UnknownName) {
		t.Errorf("an unknown loss: got %v, want an error wrapping %v", err, errs.UnknownName)
	}
}

// TestUnsupportedObjectSettings: a known optimizer or loss class with a setting this library
// does not implement is a file-format error, not an unknown name (both were reported as
// errs.UnknownName, sending the reader to look for a misspelt class).
func TestUnsupportedObjectSettings(t *testing.T) {
	// Circle implements only the mean reductions (Keras rescales its mask only for those).
	loss := map[string]any{"class_name": "Circle", "config": map[string]any{"reduction": "sum"}}
	opt := map[string]any{"class_name": "Adam", "config": map[string]any{"use_ema": true}}
	_, lossErr := LossFromConfig(loss)
	_, optErr := OptimizerFromConfig(opt)
	for what, err := range map[string]error{"Circle reduction sum": lossErr, "optimizer use_ema": optErr} {
		if !errors.Is(err, errs.FileFormat) || errors.Is(err, errs.UnknownName) {
			t.Errorf("%s: got %v, want an error wrapping %v and not %v", what, err, errs.FileFormat, errs.UnknownName)
		}
	}
	if _, err := LossFromConfig(map[string]any{"class_name": "NoSuchLoss"}); !errors.Is(err, errs.UnknownName) {
		t.Errorf("an unknown loss class: got %v, want an error wrapping %v", err, errs.UnknownName)
	}
}
