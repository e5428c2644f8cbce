package keras_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// convModel is Input(None, None, 3) → Conv2D(8, kernel, same) → GlobalAveragePooling2D,
// compiled.
func convModel(t *testing.T, kernel int) *keras.Model {
	t.Helper()
	in := keras.Input(keras.Shape{keras.None, keras.None, 3})
	x := layers.Conv2D(8, kernel, layers.Padding("same"), layers.Name("conv")).Call(in)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.GlobalAveragePooling2D().Call(x)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMemoryLimit checks that a realisation over the memory limit is refused before it is
// built, naming the layer and the shape, whether the limit comes from SetMemoryLimit or
// KERAGO_MEMORY_LIMIT; that a convolution's patches count; and that training counts twice.
func TestMemoryLimit(t *testing.T) {
	// One 64×64×3 image: the input takes 48 KiB, the convolution's output 128 KiB and its
	// patches (64·64 positions × 7·7 window × 3 channels) 2.3 MiB; the model ~2.5 MiB.
	x := tensor.New(tensor.WithShape(1, 64, 64, 3), tensor.Of(tensor.Float32))
	y := tensor.New(tensor.WithShape(1, 8), tensor.Of(tensor.Float32))
	for _, tc := range []struct {
		name   string
		kernel int
		limit  int64
		env    string
		fit    bool
		want   string // "" for success
	}{
		{"no limit", 7, -1, "", false, ""},
		{"patches over the limit", 7, 1 << 20, "", false, "conv (Conv2D): memory limit exceeded: scratch needs 2.3 MiB, more than the limit of 1.0 MiB (Model.SetMemoryLimit)"},
		{"output over the limit", 1, 100 << 10, "", false, "conv (Conv2D): memory limit exceeded: output of shape (1, 64, 64, 8) needs 128.0 KiB, more than the limit of 100.0 KiB"},
		{"prediction fits", 7, 4 << 20, "", false, ""},
		{"training counts gradients", 7, 4 << 20, "", true, "memory limit exceeded"},
		{"from the environment", 7, 0, "1MiB", false, "(KERAGO_MEMORY_LIMIT)"},
		{"environment off", 7, 0, "off", true, ""},
		{"bad environment", 7, 0, "lots", false, `KERAGO_MEMORY_LIMIT="lots"`},
		{"the input alone", 7, 1 << 10, "", false, `memory limit exceeded: input "input_layer`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(keras.MemoryLimitEnv, tc.env)
			m := convModel(t, tc.kernel)
			m.SetMemoryLimit(tc.limit)
			var err error
			if tc.fit {
				_, err = m.Fit(x, y, keras.Verbose(0))
			} else {
				_, err = m.Predict(x, keras.Verbose(0))
			}
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
			if tc.env != "lots" && !errors.Is(err, keras.ErrMemoryLimit) {
				t.Errorf("%v does not wrap ErrMemoryLimit", err)
			}
		})
	}
}
