package layers_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
)

// groupedConv2D is a Conv2D read from a Keras config with groups set (there is no Go option
// for it: it exists for the saved models that use it, such as ConvNeXt's depthwise
// convolutions written as Conv2D(groups=channels)).
func groupedConv2D(t *testing.T, filters, groups int) keras.Layer {
	t.Helper()
	l, err := keras.DeserializeLayer(map[string]any{"class_name": "Conv2D", "config": map[string]any{
		"name": "grouped", "filters": float64(filters), "kernel_size": []any{3.0, 3.0},
		"padding": "same", "groups": float64(groups), "use_bias": true,
	}})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestConv2DGroups: a Conv2D with one group per input channel (and two filters a group)
// predicts as Keras's on the Go-written file (golden), keeps groups in its config, and its
// gradients match finite differences; groups that split the channels otherwise are refused.
func TestConv2DGroups(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return groupedConv2D(t, 6, 3) },
		InputShapes:  []keras.Shape{{5, 4, 3}},
		OutputShapes: []keras.Shape{{keras.None, 5, 4, 6}},
		Weights:      []keras.Shape{{3, 3, 1, 6}, {6}},
		BadInputs:    [][]keras.Shape{{{5, 4, 2}}},
		Golden:       "testdata/kit/conv2d_groups.json",
	})
	l := groupedConv2D(t, 4, 2)
	if err := keras.Call(l, keras.Input(keras.Shape{5, 5, 4}))[0].Err(); !errors.Is(err, keras.ErrShape) {
		t.Errorf("groups 2 of 4 channels: got %v, want ErrShape", err)
	}
	if _, err := keras.DeserializeLayer(map[string]any{"class_name": "Conv2D", "config": map[string]any{
		"name": "bad", "filters": 5.0, "kernel_size": []any{3.0, 3.0}, "groups": 2.0}}); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("groups 2 not dividing 5 filters: got %v, want ErrInvalidArgument", err)
	}
}
