package keras_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

const sparseAdvice = "labels look like integer class ids: use sparse_categorical_crossentropy, or one-hot encode them (datasets.OneHot)"

// Integer labels given to categorical_crossentropy fail with ErrShape and a message that
// says what to do; other shape errors do not get the advice.
func TestSparseLabelsHint(t *testing.T) {
	classifier := func(t *testing.T, loss string) *keras.Model {
		t.Helper()
		in := keras.Input(keras.Shape{4}, keras.Name("x"))
		out := layers.Dense(3, layers.Activation("softmax"), layers.Name("probs")).Call(in)
		m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Compile("sgd", loss); err != nil {
			t.Fatal(err)
		}
		return m
	}
	x := randData(6, 4, 7)
	cases := []struct {
		name   string
		loss   string
		y      *tensor.Dense
		advice bool
	}{
		{"int64 ids (n,)", "categorical_crossentropy", tensor.New(tensor.WithShape(6), tensor.WithBacking([]int64{0, 2, 1, 1, 0, 2})), true},
		{"int ids (n,1)", "categorical_crossentropy", tensor.New(tensor.WithShape(6, 1), tensor.WithBacking([]int{0, 2, 1, 1, 0, 2})), true},
		{"float32 ids (n,)", "categorical_crossentropy", tensor.New(tensor.WithShape(6), tensor.WithBacking([]float32{0, 2, 1, 1, 0, 2})), true},
		{"float64 ids (n,1)", "categorical_crossentropy", tensor.New(tensor.WithShape(6, 1), tensor.WithBacking([]float64{0, 2, 1, 1, 0, 2})), true},
		{"not whole numbers", "categorical_crossentropy", tensor.New(tensor.WithShape(6), tensor.WithBacking([]float32{0, 2.5, 1, 1, 0, 2})), false},
		{"ids out of range", "categorical_crossentropy", tensor.New(tensor.WithShape(6), tensor.WithBacking([]int64{0, 3, 1, 1, 0, 2})), false},
		{"wrong one-hot width", "categorical_crossentropy", tensor.New(tensor.WithShape(6, 2), tensor.WithBacking(make([]float32, 12))), false},
		{"another loss", "mean_squared_error", tensor.New(tensor.WithShape(6), tensor.WithBacking([]float32{0, 2, 1, 1, 0, 2})), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := classifier(t, c.loss)
			for _, run := range []struct {
				name string
				f    func() error
			}{
				{"Fit", func() error {
					_, err := m.Fit(x, c.y, keras.Epochs(1), keras.BatchSize(3), keras.Verbose(0))
					return err
				}},
				{"Evaluate", func() error { _, err := m.Evaluate(x, c.y, keras.Verbose(0)); return err }},
			} {
				err := run.f()
				if !errors.Is(err, keras.ErrShape) {
					t.Fatalf("%s: err = %v, want ErrShape", run.name, err)
				}
				if !strings.Contains(err.Error(), `target "probs"`) {
					t.Errorf("%s: %v does not name the output", run.name, err)
				}
				if got := strings.Contains(err.Error(), sparseAdvice); got != c.advice {
					t.Errorf("%s: advice given %v, want %v: %v", run.name, got, c.advice, err)
				}
			}
		})
	}
	// Following the advice works.
	m := classifier(t, "sparse_categorical_crossentropy")
	if _, err := m.Fit(x, cases[0].y, keras.Epochs(1), keras.BatchSize(3), keras.Verbose(0)); err != nil {
		t.Fatalf("sparse_categorical_crossentropy on the same labels: %v", err)
	}
}
