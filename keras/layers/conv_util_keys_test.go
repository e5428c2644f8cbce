package layers_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
)

// TestConvPoolingConfigKeys reads saved configs through the key tables the convolutions and
// poolings share: one value expands to every spatial axis and missing strides and dilation
// take their defaults, as in Keras; a tuple of the wrong length (a 2-D kernel_size on a
// Conv1D, which the reader used to cut to its first value), an empty one, or a bad padding is
// refused naming the layer's class and the key.
func TestConvPoolingConfigKeys(t *testing.T) {
	for _, c := range []struct {
		class string
		cfg   map[string]any
		want  map[string]any // config keys after loading; nil: an error is expected
		err   []string
	}{
		{"Conv1D", map[string]any{"filters": 2.0, "kernel_size": 3.0},
			map[string]any{"kernel_size": []int{3}, "strides": []int{1}, "dilation_rate": []int{1}, "padding": "valid"}, nil},
		{"Conv2D", map[string]any{"filters": 2.0, "kernel_size": []any{3.0}, "strides": 2.0, "padding": "SAME"},
			map[string]any{"kernel_size": []int{3, 3}, "strides": []int{2, 2}, "dilation_rate": []int{1, 1}, "padding": "same"}, nil},
		{"Conv2D", map[string]any{"filters": 2.0, "kernel_size": []any{2.0, 3.0}, "dilation_rate": []any{1.0, 2.0}},
			map[string]any{"kernel_size": []int{2, 3}, "dilation_rate": []int{1, 2}}, nil},
		{"MaxPooling2D", map[string]any{"pool_size": []any{3.0, 3.0}, "strides": nil},
			map[string]any{"pool_size": []int{3, 3}, "strides": []int{3, 3}, "padding": "valid"}, nil},
		{"AveragePooling1D", map[string]any{"pool_size": 4.0, "strides": []any{1.0}, "padding": "same"},
			map[string]any{"pool_size": []int{4}, "strides": []int{1}, "padding": "same"}, nil},
		{"Conv1D", map[string]any{"filters": 2.0, "kernel_size": []any{3.0, 5.0}}, nil,
			[]string{"Conv1D", "kernel_size takes 1 value for 1 spatial axis, got [3 5]"}},
		{"Conv1D", map[string]any{"filters": 2.0, "kernel_size": 3.0, "strides": []any{}}, nil,
			[]string{"Conv1D", "strides", "got []"}},
		{"Conv2D", map[string]any{"filters": 2.0}, nil, []string{"Conv2D", "kernel_size is missing"}},
		{"Conv2D", map[string]any{"filters": 2.0, "kernel_size": 3.0, "padding": "causal"}, nil,
			[]string{"Conv2D", `padding "causal"`}},
		{"MaxPooling1D", map[string]any{"pool_size": 2.0, "strides": []any{1.0, 1.0}}, nil,
			[]string{"MaxPooling1D", "strides", "got [1 1]"}},
		{"AveragePooling2D", map[string]any{"pool_size": []any{2.0, 3.0}}, nil,
			[]string{"AveragePooling2D", "only square pools"}},
		{"MaxPooling2D", map[string]any{"pool_size": 2.0, "padding": 1.0}, nil,
			[]string{"MaxPooling2D", "padding: 1 is not a string"}},
	} {
		l, err := keras.DeserializeLayer(map[string]any{"class_name": c.class, "config": c.cfg})
		if c.want == nil {
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			for _, s := range c.err {
				if !strings.Contains(msg, s) || !errors.Is(err, keras.ErrInvalidArgument) {
					t.Errorf("%s %v: got error %v, want ErrInvalidArgument with %q", c.class, c.cfg, err, s)
				}
			}
			continue
		}
		if err == nil {
			err = l.(interface{ Err() error }).Err()
		}
		if err != nil {
			t.Errorf("%s %v: %v", c.class, c.cfg, err)
			continue
		}
		got := l.Config()
		for k, v := range c.want {
			if !reflect.DeepEqual(got[k], v) {
				t.Errorf("%s %v: %s = %v, want %v", c.class, c.cfg, k, got[k], v)
			}
		}
	}
}
