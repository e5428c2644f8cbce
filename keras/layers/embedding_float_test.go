package layers_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// Keras's Embedding casts float ids to int32 (truncating), so a model whose token Input keeps
// the default float32 dtype (the guide's ticket model) predicts and trains. One set of layers
// is called on a float32 Input and on an int32 Input: the two models share the weights, so
// float ids must give exactly what their truncated integer ids give, before and after the
// float model trains.
func TestEmbeddingFloatIDs(t *testing.T) {
	keras.SetRandomSeed(3)
	emb := layers.Embedding(10, 3, layers.Name("words"))
	pool := layers.GlobalAveragePooling1D()
	head := layers.Dense(1)
	floatIn := keras.Input(keras.Shape{keras.None}) // float32, as keras.Input((None,)) is
	intIn := keras.Input(keras.Shape{keras.None}, keras.DType("int32"))
	mFloat, err := keras.NewModel(keras.Inputs(floatIn), keras.Outputs(head.Call(pool.Call(emb.Call(floatIn)))))
	if err != nil {
		t.Fatal(err)
	}
	mInt, err := keras.NewModel(keras.Inputs(intIn), keras.Outputs(head.Call(pool.Call(emb.Call(intIn)))))
	if err != nil {
		t.Fatal(err)
	}
	floatIDs := tensor.New(tensor.WithShape(4, 3), tensor.WithBacking([]float32{1, 2.7, 9, 0, 4, 5.5, 3, 3, 8.99, -0.5, 7, 6}))
	intIDs := int32s([]int{4, 3}, 1, 2, 9, 0, 4, 5, 3, 3, 8, 0, 7, 6)
	same := func(stage string) {
		t.Helper()
		pf, err := mFloat.Predict(floatIDs, keras.Verbose(0))
		if err != nil {
			t.Fatalf("%s: Predict with float ids: %v", stage, err)
		}
		pi, err := mInt.Predict(intIDs, keras.Verbose(0))
		if err != nil {
			t.Fatalf("%s: Predict with int ids: %v", stage, err)
		}
		// Integer data for the float Input is converted, as Keras converts it.
		pc, err := mFloat.Predict(intIDs, keras.Verbose(0))
		if err != nil {
			t.Fatalf("%s: Predict with int data for the float input: %v", stage, err)
		}
		f, i, c := pf[0].Float32s(), pi[0].Float32s(), pc[0].Float32s()
		for k := range i {
			if f[k] != i[k] || c[k] != i[k] {
				t.Fatalf("%s: float ids give %v, int data for the float input %v, int ids %v", stage, f, c, i)
			}
		}
	}
	same("fresh")

	if err := mFloat.Compile(optimizers.Adam(optimizers.LearningRate(0.05)), "mse"); err != nil {
		t.Fatal(err)
	}
	y := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float32{1, -1, 0.5, 2}))
	before := mFloat.Weights()[0].Clone().(*tensor.Dense)
	h, err := mFloat.Fit(floatIDs, y, keras.Epochs(30), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	loss := h.History["loss"]
	if !(loss[len(loss)-1] < loss[0]/2) {
		t.Errorf("training on float ids: loss %v → %v, want it at least halved", loss[0], loss[len(loss)-1])
	}
	if after := mFloat.Weights()[0]; equalFloat32s(before.Float32s(), after.Float32s()) {
		t.Error("Fit left the embeddings unchanged")
	}
	same("trained")
}

func equalFloat32s(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Float ids are checked like integer ones: one outside [0, input_dim) after truncation, or
// NaN, is an error naming the layer, in Fit and in Predict.
func TestEmbeddingFloatIDsOutOfRange(t *testing.T) {
	in := keras.Input(keras.Shape{keras.None})
	out := layers.Dense(1).Call(layers.GlobalAveragePooling1D().Call(layers.Embedding(10, 2, layers.Name("tokens")).Call(in)))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	y := tensor.New(tensor.WithShape(2, 1), tensor.Of(tensor.Float32))
	for _, c := range []struct {
		name string
		ids  []float32
		msg  string
	}{
		{"id equal to input_dim", []float32{1, 2, 3, 4, 10, 5}, "token id 10 at index [1 1]"},
		{"below -1", []float32{1, -1, 3, 4, 5, 6}, "token id -1 at index [0 1]"},
		{"NaN", []float32{1, 2, float32(math.NaN()), 4, 5, 6}, "token id NaN at index [0 2]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ids := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(c.ids))
			_, fitErr := m.Fit(ids, y, keras.Verbose(0), keras.Shuffle(false))
			_, predErr := m.Predict(ids, keras.Verbose(0))
			for _, err := range []error{fitErr, predErr} {
				var le *keras.LayerError
				if !errors.Is(err, keras.ErrData) || !errors.As(err, &le) || le.Layer != "tokens" || !strings.Contains(err.Error(), c.msg) {
					t.Errorf("error %v, want ErrData from layer tokens with %q", err, c.msg)
				}
			}
		})
	}
}

// TestEmbeddingComputedIDsOutOfRange: ids another layer computes are not fed, so the check
// before the step cannot see them; the cast checks them when the graph runs. An id beyond the
// table was read out of bounds (a silent wrong row) and a negative one made Gorgonia panic in
// its own goroutine, killing the program; both are now an error naming the layer and the id.
func TestEmbeddingComputedIDsOutOfRange(t *testing.T) {
	in := keras.Input(keras.Shape{2})
	ids := layers.Rescaling(100, 0).Call(in) // ids = 100·x, computed in the graph
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Embedding(5, 2, layers.Name("lookup")).Call(ids)))
	if err != nil {
		t.Fatal(err)
	}
	x := func(v ...float32) *tensor.Dense { return tensor.New(tensor.WithShape(1, 2), tensor.WithBacking(v)) }
	if _, err := m.Predict(x(0.01, 0.049), keras.Verbose(0)); err != nil {
		t.Fatalf("ids 1 and 4.9 of 5: %v", err)
	}
	for _, c := range []struct {
		x    *tensor.Dense
		want string
	}{
		{x(0.01, 0.2), "token id 20 at index [0 1]"},
		{x(0.01, -0.02), "token id -2 at index [0 1]"},
		{x(float32(math.NaN()), 0.01), "token id NaN at index [0 0]"},
	} {
		_, err := m.Predict(c.x, keras.Verbose(0))
		// Gorgonia's TapeMachine wraps an op's error in a type without Unwrap, so errors.Is
		// cannot see keras.ErrData here; the message still says it.
		if err == nil || !strings.Contains(err.Error(), "Embedding lookup: invalid data: "+c.want) {
			t.Errorf("ids 100·%v: error %v, want one naming layer lookup, invalid data and %q", c.x.Data(), err, c.want)
		}
	}
}
