package keras_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

func TestModelGraphErrors(t *testing.T) {
	t.Run("layer error travels to NewModel", func(t *testing.T) {
		in := keras.Input(keras.Shape{4})
		x := layers.Dense(3, layers.Activation("bogus"), layers.Name("d")).Call(in)
		x = layers.Dense(2).Call(x)
		_, err := keras.NewModel(keras.Inputs(in), keras.Outputs(x))
		if !errors.Is(err, keras.ErrUnknownName) || !strings.Contains(err.Error(), "d (Dense)") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("shape mismatch names layer and shapes", func(t *testing.T) {
		a := keras.Input(keras.Shape{4})
		b := keras.Input(keras.Shape{5, 2})
		x := layers.Concatenate(layers.Name("cat")).Call(a, b)
		_, err := keras.NewModel(keras.Inputs(a, b), keras.Outputs(x))
		if !errors.Is(err, keras.ErrShape) || !strings.Contains(err.Error(), "cat (Concatenate)") || !strings.Contains(err.Error(), "(None, 4)") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("disconnected output", func(t *testing.T) {
		a := keras.Input(keras.Shape{4})
		b := keras.Input(keras.Shape{4})
		x := layers.Dense(2).Call(b)
		_, err := keras.NewModel(keras.Inputs(a), keras.Outputs(x))
		if !errors.Is(err, keras.ErrGraph) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("duplicate names", func(t *testing.T) {
		a := keras.Input(keras.Shape{4})
		x := layers.Dense(2, layers.Name("same")).Call(a)
		x = layers.Dense(2, layers.Name("same")).Call(x)
		_, err := keras.NewModel(keras.Inputs(a), keras.Outputs(x))
		if !errors.Is(err, keras.ErrGraph) || !strings.Contains(err.Error(), `"same" is used 2 times`) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("unused input is allowed", func(t *testing.T) {
		a := keras.Input(keras.Shape{4}, keras.Name("used"))
		b := keras.Input(keras.Shape{4}, keras.Name("unused"))
		m, err := keras.NewModel(keras.Inputs(a, b), keras.Outputs(layers.Dense(1).Call(a)))
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Layers()) != 3 {
			t.Errorf("layers %d", len(m.Layers()))
		}
	})
	t.Run("nil tensor", func(t *testing.T) {
		_, err := keras.NewModel(keras.Inputs(nil), keras.Outputs(nil))
		if err == nil {
			t.Error("no error")
		}
		x := layers.Dense(2).Call(nil)
		if x.Err() == nil {
			t.Error("calling a layer on nil did not fail")
		}
	})
	t.Run("unknown initializer", func(t *testing.T) {
		in := keras.Input(keras.Shape{4})
		x := layers.Dense(2, layers.KernelInitializer("glorot_unifrom"), layers.Name("d0")).Call(in)
		_, err := keras.NewModel(keras.Inputs(in), keras.Outputs(x))
		if err == nil || !strings.Contains(err.Error(), "d0 (Dense)") || !strings.Contains(err.Error(), "glorot_unifrom") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("bad input dtype", func(t *testing.T) {
		if err := keras.Input(keras.Shape{3}, keras.DType("complex64")).Err(); !errors.Is(err, keras.ErrDType) {
			t.Errorf("got %v", err)
		}
	})
}

func TestCompileAndDataErrors(t *testing.T) {
	in := keras.Input(keras.Shape{3}, keras.Name("x"))
	out := layers.Dense(2, layers.Name("y")).Call(in)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fit(randData(4, 3, 1), randData(4, 2, 1)); !errors.Is(err, keras.ErrNotCompiled) {
		t.Errorf("fit before compile: %v", err)
	}
	for name, c := range map[string]struct {
		opt, loss any
		opts      []keras.CompileOption
	}{
		"optimizer": {"adamw2", "mse", nil},
		"loss":      {"adam", "msee", nil},
		"metric":    {"adam", "mse", []keras.CompileOption{keras.Metrics("accuracyy")}},
		"loss key":  {"adam", map[string]string{"z": "mse"}, nil},
	} {
		if err := m.Compile(c.opt, c.loss, c.opts...); !errors.Is(err, keras.ErrUnknownName) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := m.Compile("adam", "mse"); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		x, y any
		want error
	}{
		"mismatched samples": {randData(4, 3, 1), randData(5, 2, 1), keras.ErrData},
		"wrong features":     {randData(4, 5, 1), randData(4, 2, 1), keras.ErrShape},
		"wrong targets":      {randData(4, 3, 1), randData(4, 3, 1), keras.ErrShape},
		"unknown name":       {keras.Named{"nope": randData(4, 3, 1)}, randData(4, 2, 1), keras.ErrUnknownName},
		"too many inputs":    {[]*tensor.Dense{randData(4, 3, 1), randData(4, 3, 1)}, randData(4, 2, 1), keras.ErrData},
		"nil input":          {[]*tensor.Dense{nil}, randData(4, 2, 1), keras.ErrData},
		// Integer data for a float input is converted, as Keras converts it; bool is not data.
		"bool data":      {tensor.New(tensor.WithShape(4, 3), tensor.WithBacking(make([]bool, 12))), randData(4, 2, 1), keras.ErrDType},
		"missing target": {randData(4, 3, 1), keras.Named{}, keras.ErrData},
	}
	for name, c := range cases {
		if _, err := m.Fit(c.x, c.y, keras.Verbose(0)); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", name, err, c.want)
		}
	}
	if _, err := m.Fit(randData(4, 3, 1), randData(4, 2, 1), keras.BatchSize(0)); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("batch size 0: %v", err)
	}
	if _, err := m.Predict(randData(4, 4, 1), keras.Verbose(0)); !errors.Is(err, keras.ErrShape) {
		t.Errorf("predict with wrong shape: %v", err)
	}
	// A failed call does not poison the model.
	if _, err := m.Fit(randData(4, 3, 1), randData(4, 2, 1), keras.Verbose(0)); err != nil {
		t.Errorf("fit after errors: %v", err)
	}
}

func TestSetWeightsErrors(t *testing.T) {
	m := smallModel(t)
	w := m.Weights()
	if err := m.SetWeights(w[:1]); !errors.Is(err, keras.ErrData) {
		t.Errorf("too few: %v", err)
	}
	bad := append([]*tensor.Dense{tensor.New(tensor.WithShape(9, 9), tensor.Of(tensor.Float32))}, w[1:]...)
	if err := m.SetWeights(bad); !errors.Is(err, keras.ErrShape) {
		t.Errorf("bad shape: %v", err)
	}
	if err := m.SetWeights(w); err != nil {
		t.Errorf("own weights: %v", err)
	}
	if _, err := m.GetLayer("nope"); !errors.Is(err, keras.ErrUnknownName) {
		t.Errorf("GetLayer: %v", err)
	}
}

// Views (column slices, transposes) are read through their strides, not their backing array.
func TestViewsAreReadCorrectly(t *testing.T) {
	in := keras.Input(keras.Shape{2})
	out := layers.Dense(1, layers.KernelInitializer("ones"), layers.UseBias(false)).Call(in)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	base := tensor.New(tensor.WithShape(3, 4), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}))
	view, err := base.Slice(nil, tensor.S(0, 2)) // rows (1,2), (5,6), (9,10)
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.Predict(view.(*tensor.Dense), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	got := p[0].Data().([]float32)
	for i, want := range []float32{3, 11, 19} {
		if got[i] != want {
			t.Fatalf("prediction on a column slice %v, want [3 11 19]", got)
		}
	}
	tr := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6}))
	if err := tr.T(); err != nil {
		t.Fatal(err)
	}
	p, err = m.Predict(tr, keras.Verbose(0)) // rows (1,4), (2,5), (3,6)
	if err != nil {
		t.Fatal(err)
	}
	got = p[0].Data().([]float32)
	for i, want := range []float32{5, 7, 9} {
		if got[i] != want {
			t.Fatalf("prediction on a transposed tensor %v, want [5 7 9]", got)
		}
	}
}

// A layer that cannot take integer ids says so at NewModel, not deep inside Gorgonia at Fit.
func TestIntegerInputToFloatLayer(t *testing.T) {
	in := keras.Input(keras.Shape{4}, keras.DType("int32"))
	x := layers.Dense(2, layers.Name("dense_on_ids")).Call(in)
	_, err := keras.NewModel(keras.Inputs(in), keras.Outputs(x))
	if !errors.Is(err, keras.ErrDType) || !strings.Contains(err.Error(), "dense_on_ids (Dense)") {
		t.Errorf("got %v", err)
	}
}

// Keras takes data of shape (n,) for an input of shape (None, 1).
func TestInputRankExpansion(t *testing.T) {
	in := keras.Input(keras.Shape{1})
	out := layers.Dense(1, layers.KernelInitializer("ones"), layers.UseBias(false)).Call(in)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.Predict(tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{1, 2, 3})), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if got := p[0].Data().([]float32); got[2] != 3 || !p[0].Shape().Eq([]int{3, 1}) {
		t.Errorf("got %v of shape %v", got, p[0].Shape())
	}
}
