package keras_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/callbacks"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// Which option each call takes, checked by the compiler: Keras's fit takes all of them,
// evaluate and predict only batch_size, verbose and callbacks.
var (
	_ keras.FitOption      = keras.Epochs(1)
	_ keras.FitOption      = keras.InitialEpoch(0)
	_ keras.FitOption      = keras.Shuffle(true)
	_ keras.FitOption      = keras.ValidationSplit(0.2)
	_ keras.FitOption      = keras.ValidationData(nil, nil)
	_ keras.FitOption      = keras.BatchSize(1)
	_ keras.FitOption      = keras.Verbose(0)
	_ keras.FitOption      = keras.Callbacks()
	_ keras.EvaluateOption = keras.BatchSize(1)
	_ keras.EvaluateOption = keras.Verbose(0)
	_ keras.EvaluateOption = keras.Callbacks()
	_ keras.PredictOption  = keras.BatchSize(1)
	_ keras.PredictOption  = keras.Verbose(0)
	_ keras.PredictOption  = keras.Callbacks()
)

// TestFitOnlyOptionsDoNotCompile builds small programs against this module in a temporary
// module (as docs/snippets_test.go does) and checks that passing an option only Fit takes
// to Evaluate or Predict is a compile error, while the shared options compile.
func TestFitOnlyOptionsDoNotCompile(t *testing.T) {
	cases := []struct {
		name, call string
		ok         bool
	}{
		{"predict_epochs", "model.Predict(x, keras.Epochs(10))", false},
		{"predict_validation_split", "model.Predict(x, keras.ValidationSplit(0.2))", false},
		{"evaluate_shuffle", "model.Evaluate(x, y, keras.Shuffle(false))", false},
		{"evaluate_initial_epoch", "model.Evaluate(x, y, keras.InitialEpoch(2))", false},
		{"evaluate_validation_data", "model.Evaluate(x, y, keras.ValidationData(x, y))", false},
		{"predict_fit_slice", "opts := []keras.FitOption{keras.BatchSize(1)}; model.Predict(x, opts...)", false},
		{"shared", "model.Predict(x, keras.BatchSize(32), keras.Verbose(0), keras.Callbacks()); model.Evaluate(x, y, keras.BatchSize(32), keras.Verbose(0), keras.Callbacks()); model.Fit(x, y, keras.Epochs(2), keras.BatchSize(32), keras.Verbose(0), keras.Callbacks(), keras.Shuffle(true))", true},
	}
	snippets := make([]testenv.Snippet, len(cases))
	for i, c := range cases {
		snippets[i] = testenv.Snippet{Name: c.name, Body: c.call}
	}
	failed, out := testenv.CompileSnippets(t, "..", []string{
		"github.com/kerago/kerago/keras",
		"gorgonia.org/tensor",
	}, "func f(model *keras.Model, x, y *tensor.Dense)", snippets)
	for _, c := range cases {
		switch {
		case c.ok && failed[c.name]:
			t.Errorf("%s: %s does not compile:\n%s", c.name, c.call, out)
		case !c.ok && !failed[c.name]:
			t.Errorf("%s: %s compiles; Evaluate and Predict must not take an option only Fit takes", c.name, c.call)
		}
	}
	if !strings.Contains(out, "as keras.PredictOption value") {
		t.Errorf("the compiler's message does not name keras.PredictOption:\n%s", out)
	}
}

func TestEveryBadOptionIsReported(t *testing.T) {
	x, y := randData(8, 3, 1), randData(8, 2, 1)
	type want struct {
		kind error
		msg  string
	}
	cases := []struct {
		name string
		call func(m *keras.Model) error
		want []want
	}{
		{"fit", func(m *keras.Model) error {
			_, err := m.Fit(x, y, keras.BatchSize(0), keras.Epochs(-1), keras.Verbose(5),
				keras.InitialEpoch(-2), keras.ValidationSplit(math.NaN()), keras.Callbacks(nil), nil,
				keras.ValidationData(nil, y))
			return err
		}, []want{
			{keras.ErrInvalidArgument, "keras: Fit: options: option 6 is nil"},
			{keras.ErrInvalidArgument, "keras: Fit: batch_size: must be positive, got 0"},
			{keras.ErrInvalidArgument, "keras: Fit: verbose: must be 0, 1 or 2, got 5"},
			{keras.ErrInvalidArgument, "keras: Fit: callbacks[0]: is nil"},
			{keras.ErrInvalidArgument, "keras: Fit: epochs: must not be negative, got -1"},
			{keras.ErrInvalidArgument, "keras: Fit: initial_epoch: must not be negative, got -2"},
			{keras.ErrInvalidArgument, "keras: Fit: validation_split: must be in [0, 1), got NaN"},
			{keras.ErrData, "keras: Fit: validation_data: x is nil"},
		}},
		{"fit validation split 1", func(m *keras.Model) error {
			_, err := m.Fit(x, y, keras.ValidationSplit(1))
			return err
		}, []want{{keras.ErrInvalidArgument, "keras: Fit: validation_split: must be in [0, 1), got 1"}}},
		{"fit validation split leaves nothing", func(m *keras.Model) error {
			_, err := m.Fit(x, y, keras.ValidationSplit(0.95), keras.Verbose(0))
			return err
		}, []want{{keras.ErrInvalidArgument, "keras: Fit: validation_split: 0.95 of 8 samples leaves no training or no validation samples"}}},
		{"fit bad validation data", func(m *keras.Model) error {
			_, err := m.Fit(x, y, keras.ValidationData(randData(8, 5, 1), y), keras.Verbose(0))
			return err
		}, []want{{keras.ErrShape, `keras: Fit: validation_data: input "features": incompatible shape: expected data of shape (None, 3), got (8, 5)`}}},
		{"fit bad data", func(m *keras.Model) error {
			_, err := m.Fit(randData(8, 5, 1), y, keras.Verbose(0))
			return err
		}, []want{{keras.ErrShape, `keras: Fit: input "features": incompatible shape: expected data of shape (None, 3), got (8, 5)`}}},
		{"fit class index out of range", func(m *keras.Model) error {
			if err := m.Compile("sgd", "sparse_categorical_crossentropy"); err != nil {
				return err
			}
			classes := tensor.New(tensor.WithShape(8), tensor.WithBacking([]int32{0, 1, 1, 0, 7, 1, 0, 0}))
			_, err := m.Fit(x, classes, keras.Verbose(0))
			return err
		}, []want{{keras.ErrData, `keras: Fit: target "out": invalid data: class index 7 is outside [0, 2)`}}},
		{"predict bad data", func(m *keras.Model) error {
			_, err := m.Predict([]*tensor.Dense{x, x}, keras.Verbose(0))
			return err
		}, []want{{keras.ErrData, `keras: Predict: invalid data: the model has 1 inputs ([features]), got 2 tensors`}}},
		{"fit bad callback option", func(m *keras.Model) error {
			_, err := m.Fit(x, y, keras.BatchSize(0), keras.Callbacks(callbacks.EarlyStopping(callbacks.Patience(-1), callbacks.Mode("sideways"))))
			return err
		}, []want{
			{keras.ErrInvalidArgument, "keras: Fit: batch_size: must be positive, got 0"},
			{keras.ErrInvalidArgument, `keras: Fit: callbacks[0]: callbacks: EarlyStopping: invalid argument: Mode("sideways")`},
			{keras.ErrInvalidArgument, "keras: Fit: callbacks[0]: callbacks: EarlyStopping: invalid argument: Patience(-1)"},
		}},
		{"evaluate", func(m *keras.Model) error {
			_, err := m.Evaluate(x, y, keras.BatchSize(-3), keras.Verbose(-1))
			return err
		}, []want{
			{keras.ErrInvalidArgument, "keras: Evaluate: batch_size: must be positive, got -3"},
			{keras.ErrInvalidArgument, "keras: Evaluate: verbose: must be 0, 1 or 2, got -1"},
		}},
		{"predict", func(m *keras.Model) error {
			var unset keras.LoopOption
			_, err := m.Predict(x, keras.BatchSize(0), nil, keras.Callbacks(nil, nil), unset)
			return err
		}, []want{
			{keras.ErrInvalidArgument, "keras: Predict: options: option 1 is nil"},
			{keras.ErrInvalidArgument, "keras: Predict: options: option 3 is nil"},
			{keras.ErrInvalidArgument, "keras: Predict: batch_size: must be positive, got 0"},
			{keras.ErrInvalidArgument, "keras: Predict: callbacks[0]: is nil"},
			{keras.ErrInvalidArgument, "keras: Predict: callbacks[1]: is nil"},
		}},
		{"compile", func(m *keras.Model) error {
			return m.Compile("adm", "msee", keras.Metrics("acc", "mae", "x"), keras.LossWeights("heavy"), nil)
		}, []want{
			{keras.ErrInvalidArgument, "keras: Compile: options: option 2 is nil"},
			{keras.ErrUnknownName, `keras: Compile: optimizer: optimizers: Get: unknown optimizer "adm"`},
			{keras.ErrUnknownName, `keras: Compile: loss of output "out": unknown loss "msee"`},
			{keras.ErrInvalidArgument, "keras: Compile: loss_weights: must be float64, []float64 or map[string]float64, got string"},
			{keras.ErrUnknownName, `keras: Compile: metric of output "out": unknown metric "x"`},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := keras.Input(keras.Shape{3}, keras.Name("features"))
			out := layers.Dense(2, layers.Name("out")).Call(layers.Dense(4).Call(in))
			m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
			if err != nil {
				t.Fatal(err)
			}
			if c.name != "compile" {
				if err := m.Compile("sgd", "mse"); err != nil {
					t.Fatal(err)
				}
			}
			err = c.call(m)
			if err == nil {
				t.Fatal("no error")
			}
			var parts []error
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				parts = j.Unwrap()
			} else {
				parts = []error{err}
			}
			if len(parts) != len(c.want) {
				t.Fatalf("%d errors, want %d:\n%v", len(parts), len(c.want), err)
			}
			for i, w := range c.want {
				if !errors.Is(parts[i], w.kind) {
					t.Errorf("error %d %q is not %v", i, parts[i], w.kind)
				}
				if got := parts[i].Error(); !strings.HasPrefix(got, w.msg) {
					t.Errorf("error %d:\n got %s\nwant %s", i, got, w.msg)
				}
			}
			// The model still works after a call that failed on its options.
			if _, err := m.Predict(x, keras.Verbose(0)); err != nil {
				t.Errorf("predict after the failed call: %v", err)
			}
		})
	}
}

func TestNotCompiledIsReportedWithTheBadOptions(t *testing.T) {
	in := keras.Input(keras.Shape{3})
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Dense(2).Call(in)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Fit(randData(4, 3, 1), randData(4, 2, 1), keras.BatchSize(0))
	if !errors.Is(err, keras.ErrNotCompiled) || !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("got %v, want both ErrNotCompiled and ErrInvalidArgument", err)
	}
	var ae *keras.ArgumentError
	if !errors.As(err, &ae) || ae.Call != "Fit" || ae.Arg != "batch_size" {
		t.Errorf("errors.As found %+v", ae)
	}
	if _, err := m.Evaluate(randData(4, 3, 1), randData(4, 2, 1), keras.Verbose(0)); !errors.Is(err, keras.ErrNotCompiled) {
		t.Errorf("evaluate: %v", err)
	}
}
