package layers_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestNumpyOp: keras.ops calls recorded as operation nodes, on a tensor and a number in
// either place, on two tensors that broadcast, and unary; each is saved as Keras writes it
// (the golden files are Keras's predictions on the Go-written models), and gradients flow to
// the inputs (the kit's probe check).
func TestNumpyOp(t *testing.T) {
	cases := []struct {
		name string
		c    kerastest.LayerCase
	}{
		{"number_first_subtract", kerastest.LayerCase{
			New:          func() keras.Layer { return layers.NumpyOpConst("Subtract", 3, true) },
			InputShapes:  []keras.Shape{{3, 4}},
			OutputShapes: []keras.Shape{{keras.None, 3, 4}},
			BadInputs:    [][]keras.Shape{{{3, 4}, {3, 4}}},
			Golden:       "testdata/kit/numpy_op_subtract_number_first.json",
		}},
		{"broadcast_multiply", kerastest.LayerCase{
			New:          func() keras.Layer { return layers.NumpyOp("Multiply") },
			InputShapes:  []keras.Shape{{1, 4}, {3, 4}},
			OutputShapes: []keras.Shape{{keras.None, 3, 4}},
			BadInputs:    [][]keras.Shape{{{1, 4}, {3, 5}}, {{3, 4}}},
			Golden:       "testdata/kit/numpy_op_multiply.json",
		}},
		{"maximum_number", kerastest.LayerCase{
			New:          func() keras.Layer { return layers.NumpyOpConst("Maximum", 0.1, false) },
			InputShapes:  []keras.Shape{{3, 4}},
			OutputShapes: []keras.Shape{{keras.None, 3, 4}},
			Golden:       "testdata/kit/numpy_op_maximum.json",
		}},
		{"true_divide_number", kerastest.LayerCase{
			New:          func() keras.Layer { return layers.NumpyOpConst("TrueDivide", 4, false) },
			InputShapes:  []keras.Shape{{5}},
			OutputShapes: []keras.Shape{{keras.None, 5}},
			Golden:       "testdata/kit/numpy_op_true_divide.json",
		}},
		{"add_number", kerastest.LayerCase{
			New:          func() keras.Layer { return layers.NumpyOpConst("Add", 3, false) },
			InputShapes:  []keras.Shape{{2, 3}},
			OutputShapes: []keras.Shape{{keras.None, 2, 3}},
			Golden:       "testdata/kit/numpy_op_add.json",
		}},
		{"divide_number", kerastest.LayerCase{
			New:          func() keras.Layer { return layers.NumpyOpConst("Divide", -2.5, false) },
			InputShapes:  []keras.Shape{{4}},
			OutputShapes: []keras.Shape{{keras.None, 4}},
			Golden:       "testdata/kit/numpy_op_divide.json",
		}},
		{"minimum_tensors", kerastest.LayerCase{
			New:          func() keras.Layer { return layers.NumpyOp("Minimum") },
			InputShapes:  []keras.Shape{{2, 3}, {2, 3}},
			OutputShapes: []keras.Shape{{keras.None, 2, 3}},
			Golden:       "testdata/kit/numpy_op_minimum.json",
		}},
		{"negative", kerastest.LayerCase{
			New:          func() keras.Layer { return layers.NumpyOp("Negative") },
			InputShapes:  []keras.Shape{{2, 3}},
			OutputShapes: []keras.Shape{{keras.None, 2, 3}},
			BadInputs:    [][]keras.Shape{{{2, 3}, {2, 3}}},
			Golden:       "testdata/kit/numpy_op_negative.json",
		}},
		{"subtract_both_broadcast", kerastest.LayerCase{
			New:          func() keras.Layer { return layers.NumpyOp("Subtract") },
			InputShapes:  []keras.Shape{{3, 1}, {1, 4}},
			OutputShapes: []keras.Shape{{keras.None, 3, 4}},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { kerastest.RunLayerTest(t, c.c) })
	}
	in := keras.Input(keras.Shape{2})
	if err := layers.NumpyOp("Power").Call(in, in).Err(); !errors.Is(err, keras.ErrUnknownName) {
		t.Errorf("Power: got %v, want ErrUnknownName", err)
	}
	if err := layers.NumpyOpConst("Negative", 1, false).Call(in).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("Negative with a number: got %v, want ErrInvalidArgument", err)
	}
}
