package keras_test

import (
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// TestOddArguments checks the errors for odd values: a NaN or infinite validation split,
// sparse labels that are not integers or out of range, and integers too large for a config.
func TestOddArguments(t *testing.T) {
	in := keras.Input(keras.Shape{3})
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Dense(10, layers.Activation("softmax")).Call(in)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "sparse_categorical_crossentropy"); err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(4, 3), tensor.WithBacking(make([]float32, 12)))
	labels := func(v ...float32) *tensor.Dense { return tensor.New(tensor.WithShape(4), tensor.WithBacking(v)) }
	for _, tc := range []struct {
		name string
		y    *tensor.Dense
		opts []keras.FitOption
		want error
		msg  string
	}{
		{"ValidationSplit(NaN)", labels(1, 2, 3, 4), []keras.FitOption{keras.ValidationSplit(math.NaN())}, keras.ErrInvalidArgument, "validation_split: must be in [0, 1), got NaN"},
		{"ValidationSplit(+Inf)", labels(1, 2, 3, 4), []keras.FitOption{keras.ValidationSplit(math.Inf(1))}, keras.ErrInvalidArgument, "validation_split: must be in [0, 1), got +Inf"},
		{"a fractional label", labels(1, 2.7, 3, 4), nil, keras.ErrData, "sparse label 2.7 is not an integer class index"},
		{"a NaN label", labels(1, float32(math.NaN()), 3, 4), nil, keras.ErrData, "sparse label NaN is not an integer class index"},
		{"a label out of range", labels(1, 12, 3, 4), nil, keras.ErrData, "class index 12 is outside [0, 10)"},
		{"a huge label", labels(1, 1e30, 3, 4), nil, keras.ErrData, "class index 1e+30 is outside [0, 10)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.Fit(x, tc.y, append(tc.opts, keras.Verbose(0), keras.Epochs(1))...)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want an error wrapping %v saying %q", err, tc.want, tc.msg)
			}
		})
	}
	t.Run("units of 10^12 in a config", func(t *testing.T) {
		dir := t.TempDir()
		src := filepath.Join(dir, "m.keras")
		if err := m.Save(src); err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, "huge.keras")
		editLayerConfig(t, src, dst, "Dense", "units", 1e12)
		_, err := keras.LoadModel(dst)
		if !errors.Is(err, keras.ErrInvalidArgument) || !strings.Contains(err.Error(), "units 1000000000000 exceeds the limit 2147483647") {
			t.Fatalf("got %v, want units refused as too large", err)
		}
	})
}
