package layers_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// TestCategoryEncoding: each output mode against Keras on ids with repeats, an id at the top
// of the range and ids outside it (5 and -1 set no entry); one_hot on (batch, 1) drops the
// axis of 1, on (batch, n) adds one.
func TestCategoryEncoding(t *testing.T) {
	ids := tensor.New(tensor.WithShape(3, 3), tensor.WithBacking([]float32{1, 1, 3, 0, 5, 2, -1, 4, 4}))
	for _, mode := range []string{"multi_hot", "count", "one_hot"} {
		t.Run(mode, func(t *testing.T) {
			out := keras.Shape{none, 5}
			if mode == "one_hot" {
				out = keras.Shape{none, 3, 5}
			}
			kerastest.RunLayerTest(t, kerastest.LayerCase{
				New:          func() keras.Layer { return layers.CategoryEncoding(5, mode) },
				InputShapes:  []keras.Shape{{3}},
				Inputs:       []*tensor.Dense{ids},
				OutputShapes: []keras.Shape{out},
				BadInputs:    [][]keras.Shape{{{3}, {3}}},
				Golden:       "testdata/kit/category_encoding_" + mode + ".json",
				NoGradients:  "token ids are not differentiable",
			})
		})
	}
	column := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float32{0, 3, 2, 7}))
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.CategoryEncoding(4, "one_hot") },
		InputShapes:  []keras.Shape{{1}},
		Inputs:       []*tensor.Dense{column},
		OutputShapes: []keras.Shape{{none, 4}},
		Golden:       "testdata/kit/category_encoding_one_hot_column.json",
		NoGradients:  "token ids are not differentiable",
	})
}

// TestCategoryEncodingInt32: int32 ids give the float encoding; bad arguments and ranks are
// refused naming the layer.
func TestCategoryEncodingInt32(t *testing.T) {
	x := keras.Input(keras.Shape{2}, keras.DType("int32"))
	m, err := keras.NewModel([]*keras.Tensor{x}, keras.Outputs(layers.CategoryEncoding(3, "count").Call(x)))
	if err != nil {
		t.Fatal(err)
	}
	y, err := m.Predict(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]int32{2, 2, 0, 1})))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := y[0].Data().([]float32), []float32{0, 0, 2, 1, 1, 0}; !equalFloat32s(got, want) {
		t.Errorf("counts %v, want %v", got, want)
	}
	for _, l := range []*layers.CategoryEncodingLayer{layers.CategoryEncoding(0, "count"), layers.CategoryEncoding(3, "tf_idf")} {
		if err := l.Call(keras.Input(keras.Shape{2})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
			t.Errorf("got %v, want ErrInvalidArgument", err)
		}
	}
	if err := layers.CategoryEncoding(3, "multi_hot").Call(keras.Input(keras.Shape{2, 2})).Err(); !errors.Is(err, keras.ErrShape) {
		t.Errorf("multi_hot on rank 3: got %v, want ErrShape", err)
	}
}
