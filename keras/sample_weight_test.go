package keras_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// TestWeightingArgumentErrors checks that bad weighting arguments are errors naming the
// argument and the problem, as Keras refuses them, never a panic.
func TestWeightingArgumentErrors(t *testing.T) {
	g := readWeighting(t)
	x, y := matrix(g.X), matrix(g.Y)
	m, err := keras.LoadModel("testdata/weighting/model.keras")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "categorical_crossentropy", keras.WeightedMetrics("acc")); err != nil {
		t.Fatal(err)
	}
	two, err := keras.LoadModel("testdata/weighting/two_outputs.keras")
	if err != nil {
		t.Fatal(err)
	}
	if err := two.Compile("sgd", []string{"binary_crossentropy", "categorical_crossentropy"}); err != nil {
		t.Fatal(err)
	}
	quiet := keras.Verbose(0)
	steps := keras.Input(keras.Shape{5, 3})
	seq, err := keras.NewModel(keras.Inputs(steps), keras.Outputs(layers.Dense(2, layers.Activation("softmax"), layers.Name("tags")).Call(steps)))
	if err != nil {
		t.Fatal(err)
	}
	if err := seq.Compile("sgd", "categorical_crossentropy"); err != nil {
		t.Fatal(err)
	}
	xs := tensor.New(tensor.WithShape(4, 5, 3), tensor.Of(tensor.Float32))
	ys := tensor.New(tensor.WithShape(4, 5, 2), tensor.Of(tensor.Float32))
	cases := []struct {
		name string
		run  func() error
		kind error
		msg  string
	}{
		{"validation_freq 0", func() error { _, err := m.Fit(x, y, quiet, keras.ValidationFreq(0)); return err },
			keras.ErrInvalidArgument, "keras: Fit: validation_freq: must be at least 1, got 0"},
		{"both weights", func() error {
			_, err := m.Fit(x, y, quiet, keras.SampleWeight(g.SampleWeight), keras.ClassWeight(map[int]float64{0: 2}))
			return err
		}, keras.ErrInvalidArgument, "keras: Fit: class_weight: cannot be given together with sample_weight"},
		{"short weights", func() error { _, err := m.Fit(x, y, quiet, keras.SampleWeight([]float64{1, 2})); return err },
			keras.ErrShape, "keras: Fit: sample_weight: has 2 weights for 40 samples"},
		{"weights of wrong shape", func() error {
			_, err := m.Evaluate(x, y, quiet, keras.SampleWeight(tensor.New(tensor.WithShape(40, 2), tensor.Of(tensor.Float32))))
			return err
		}, keras.ErrShape, `keras: Evaluate: sample_weight: has 2 weights per sample, which fit outputs of shape (batch, 2, features); output "probs" has shape (None, 3)`},
		{"weights for other samples", func() error {
			_, err := m.Evaluate(x, y, quiet, keras.SampleWeight(tensor.New(tensor.WithShape(3, 2), tensor.Of(tensor.Float32))))
			return err
		}, keras.ErrShape, "keras: Evaluate: sample_weight: has shape (3, 2); want (40,) or (40, 1): one weight per sample, or (40, steps) per time step"},
		{"weights of wrong type", func() error { _, err := m.Evaluate(x, y, quiet, keras.SampleWeight("heavy")); return err },
			keras.ErrInvalidArgument, "keras: Evaluate: sample_weight: must be []float64, []float32 or *tensor.Dense, got string"},
		{"class weights on two outputs", func() error {
			_, err := two.Fit(x, []*tensor.Dense{matrix(g.YA), y}, quiet, keras.ClassWeight(map[int]float64{1: 2}))
			return err
		}, keras.ErrInvalidArgument, "keras: Fit: class_weight: is only supported for models with a single output; this one has 2"},
		{"F1Score without average", func() error { return m.Compile("sgd", "mse", keras.Metrics("f1_score")) },
			keras.ErrInvalidArgument, `keras: Compile: metric of output "probs": metrics: f1_score: invalid metric argument: its result is one value per class`},
		{"weighted metric list too long for two outputs", func() error {
			return two.Compile("sgd", "mse", keras.WeightedMetrics("acc", "mse", "mae"))
		}, keras.ErrInvalidArgument, "keras: Compile: weighted_metrics: 3 entries for a model with 2 outputs"},
		{"unknown output", func() error {
			return two.Compile("sgd", "mse", keras.OutputWeightedMetrics(map[string][]string{"out_c": {"acc"}}))
		}, keras.ErrUnknownName, `keras: Compile: weighted_metrics: no output named "out_c"`},
		{"sequence output", func() error {
			_, err := seq.Fit(xs, ys, quiet, keras.SampleWeight([]float64{1, 2, 3, 4}))
			return err
		}, keras.ErrShape, `keras: Fit: sample_weight: output "tags" has shape (None, 5, 2): one weight per sample fits outputs of shape (batch, features) only, as in Keras 3; give one weight per time step, shape (n, 5)`},
		{"kld is not a Keras 3 metric", func() error { return m.Compile("sgd", "mse", keras.Metrics("kld")) },
			keras.ErrUnknownName, `keras: Compile: metric of output "probs": unknown metric "kld"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, c.kind) {
				t.Errorf("%v is not %v", err, c.kind)
			}
			if !strings.HasPrefix(err.Error(), c.msg) {
				t.Errorf("error\n got %s\nwant %s...", err, c.msg)
			}
		})
	}
}

// TestValidationEpochsAndWeights checks ValidationEpochs (Keras's list validation_freq) and
// ValidationSampleWeight: weights of all 2 make the weighted validation loss twice the
// unweighted one, as Keras's sum(w·loss)/batch does, and weighted metric means unchanged.
func TestValidationEpochsAndWeights(t *testing.T) {
	g := readWeighting(t)
	x, y := matrix(g.X), matrix(g.Y)
	m, err := keras.LoadModel("testdata/weighting/model.keras")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "categorical_crossentropy", keras.WeightedMetrics("acc")); err != nil {
		t.Fatal(err)
	}
	twos := make([]float64, 40)
	for i := range twos {
		twos[i] = 2
	}
	h, err := m.Fit(x, y, keras.Verbose(0), keras.Epochs(4), keras.BatchSize(8), keras.Shuffle(false),
		keras.ValidationData(x, y), keras.ValidationSampleWeight(twos), keras.ValidationEpochs(1, 3))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(h.History["val_loss"]); n != 2 {
		t.Fatalf("val_loss has %d values, want 2 (epochs 1 and 3)", n)
	}
	plain, err := m.Evaluate(x, y, keras.Verbose(0), keras.BatchSize(8))
	if err != nil {
		t.Fatal(err)
	}
	weighted, err := m.Evaluate(x, y, keras.Verbose(0), keras.BatchSize(8), keras.SampleWeight(twos))
	if err != nil {
		t.Fatal(err)
	}
	if !closeTo(weighted["loss"], 2*plain["loss"]) || !closeTo(weighted["acc"], plain["acc"]) {
		t.Errorf("weights 2: loss %v acc %v; unweighted loss %v acc %v", weighted["loss"], weighted["acc"], plain["loss"], plain["acc"])
	}
	if _, err := m.Fit(x, y, keras.Verbose(0), keras.ValidationSampleWeight(twos)); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("ValidationSampleWeight without ValidationData: %v", err)
	}
}
