package layers_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// TestGlobalPoolingOutputShapes checks (batch, channels) and the KeepDims shapes.
func TestGlobalPoolingOutputShapes(t *testing.T) {
	runConvShapeCases(t, []convShapeCase{
		{"max 1-D", keras.Shape{none, 8}, func() caller { return layers.GlobalMaxPooling1D() }, keras.Shape{none, 8}, 0},
		{"average 1-D keepdims", keras.Shape{5, 8}, func() caller { return layers.GlobalAveragePooling1D(layers.KeepDims(true)) }, keras.Shape{none, 1, 8}, 0},
		{"max 2-D", keras.Shape{4, 4, 3}, func() caller { return layers.GlobalMaxPooling2D() }, keras.Shape{none, 3}, 0},
		{"average 2-D keepdims", keras.Shape{none, none, 3}, func() caller { return layers.GlobalAveragePooling2D(layers.KeepDims(true)) }, keras.Shape{none, 1, 1, 3}, 0},
	})
}

// TestGlobalPoolingErrors checks rank mistakes (foreign options do not compile).
func TestGlobalPoolingErrors(t *testing.T) {
	runConvErrCases(t, []convErrCase{
		{"1-D on images", keras.Shape{4, 4, 3}, func() caller { return layers.GlobalMaxPooling1D() }, keras.ErrShape, []string{"rank 3"}},
		{"2-D on sequences", keras.Shape{4, 3}, func() caller { return layers.GlobalAveragePooling2D() }, keras.ErrShape, []string{"rank 4"}},
	})
}

// TestGlobalMaxPooling1DKerasExample is KERAS.md §3.6's example:
// arange(24).reshape(2,3,4) → [[8,9,10,11],[20,21,22,23]].
func TestGlobalMaxPooling1DKerasExample(t *testing.T) {
	in := keras.Input(keras.Shape{3, 4})
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.GlobalMaxPooling1D().Call(in)))
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 24)
	for i := range x {
		x[i] = float32(i)
	}
	out, err := m.Predict(tensor.New(tensor.WithShape(2, 3, 4), tensor.WithBacking(x)), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{8, 9, 10, 11, 20, 21, 22, 23}
	got := out[0].Data().([]float32)
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

// TestGlobalPoolingGradients checks the gradient through each global pooling (into a Dense
// layer in front).
func TestGlobalPoolingGradients(t *testing.T) {
	cases := []struct {
		name string
		in   keras.Shape
		l    func() caller
	}{
		{"max 1-D", keras.Shape{6, 3}, func() caller { return layers.GlobalMaxPooling1D() }},
		{"average 1-D keepdims", keras.Shape{6, 3}, func() caller { return layers.GlobalAveragePooling1D(layers.KeepDims(true)) }},
		{"max 2-D keepdims", keras.Shape{3, 4, 2}, func() caller { return layers.GlobalMaxPooling2D(layers.KeepDims(true)) }},
		{"average 2-D", keras.Shape{3, 4, 2}, func() caller { return layers.GlobalAveragePooling2D() }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			convCheckModelGradients(t, c.in, 3, func(x *keras.Tensor) *keras.Tensor {
				return c.l().Call(layers.Dense(2, layers.BiasInitializer("ones")).Call(x))
			})
		})
	}
}

// TestGlobalAveragePooling1DMask: behind Embedding(MaskZero(true)) the average covers only
// the non-zero ids, as Keras 3's does; without MaskZero it covers every step.
func TestGlobalAveragePooling1DMask(t *testing.T) {
	ids := []int{3, 1, 0, 0, 5, 2, 4, 0}
	for _, maskZero := range []bool{true, false} {
		t.Run(fmt.Sprintf("MaskZero(%v)", maskZero), func(t *testing.T) {
			in := keras.Input(keras.Shape{keras.None}, keras.DType("int32"))
			emb := layers.Embedding(6, 3, layers.MaskZero(maskZero))
			m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.GlobalAveragePooling1D().Call(emb.Call(in))))
			if err != nil {
				t.Fatal(err)
			}
			out, err := m.Predict(tensor.New(tensor.WithShape(2, 4), tensor.WithBacking(append([]int(nil), ids...))), keras.Verbose(0))
			if err != nil {
				t.Fatal(err)
			}
			table := emb.Variables()[0].Value.Data().([]float32)
			got := out[0].Data().([]float32)
			for b := 0; b < 2; b++ {
				for c := 0; c < 3; c++ {
					var sum float64
					n := 0
					for _, id := range ids[b*4 : b*4+4] {
						if maskZero && id == 0 {
							continue
						}
						sum += float64(table[id*3+c])
						n++
					}
					if want := sum / float64(n); math.Abs(float64(got[b*3+c])-want) > 1e-6 {
						t.Errorf("output[%d][%d] = %v, want %v", b, c, got[b*3+c], want)
					}
				}
			}
		})
	}
}

// TestGlobalAveragePooling1DMaskGradients checks the embeddings' gradient through the masked
// average.
func TestGlobalAveragePooling1DMaskGradients(t *testing.T) {
	keras.SetRandomSeed(4)
	in := keras.Input(keras.Shape{keras.None}, keras.DType("int32"))
	x := layers.Embedding(6, 3, layers.MaskZero(true), layers.DType("float64")).Call(in)
	out := layers.Dense(2).Call(layers.GlobalAveragePooling1D().Call(x))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	ids := tensor.New(tensor.WithShape(3, 4), tensor.WithBacking([]int{3, 1, 0, 0, 5, 2, 4, 0, 1, 1, 2, 0}))
	kerastest.CheckGradients(t, m, ids, convTargets(3, 2), kerastest.GradCheckOptions{Tol: 1e-6})
}

// TestGlobalPoolingKit runs the four global pooling layers through the layer kit against
// Keras 3, two of them with keepdims.
func TestGlobalPoolingKit(t *testing.T) {
	cases := []struct {
		name   string
		new    func() keras.Layer
		in     keras.Shape
		out    keras.Shape
		bad    keras.Shape
		golden string
	}{
		{"max_1d", func() keras.Layer { return layers.GlobalMaxPooling1D() }, keras.Shape{5, 3}, keras.Shape{none, 3}, keras.Shape{5, 3, 2}, "global_max_pooling1d"},
		{"average_1d_keepdims", func() keras.Layer { return layers.GlobalAveragePooling1D(layers.KeepDims(true)) },
			keras.Shape{5, 3}, keras.Shape{none, 1, 3}, keras.Shape{3}, "global_average_pooling1d_keepdims"},
		{"max_2d_keepdims", func() keras.Layer { return layers.GlobalMaxPooling2D(layers.KeepDims(true)) },
			keras.Shape{3, 4, 2}, keras.Shape{none, 1, 1, 2}, keras.Shape{3, 4}, "global_max_pooling2d_keepdims"},
		{"average_2d", func() keras.Layer { return layers.GlobalAveragePooling2D() }, keras.Shape{3, 4, 2}, keras.Shape{none, 2}, keras.Shape{3, 4}, "global_average_pooling2d"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kerastest.RunLayerTest(t, kerastest.LayerCase{
				New:          c.new,
				InputShapes:  []keras.Shape{c.in},
				OutputShapes: []keras.Shape{c.out},
				BadInputs:    [][]keras.Shape{{c.bad}},
				Golden:       "testdata/kit/" + c.golden + ".json",
			})
		})
	}
}
