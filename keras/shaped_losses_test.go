package keras_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/losses"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

const shapedFitScript = "testdata/metrics3/shaped_fit.py"

type shapedFitRun struct {
	X               [][]float32 `json:"x"`
	Y               [][]float32 `json:"y"`
	Evaluate        float64     `json:"evaluate"`
	History         []float64   `json:"history"`
	SampleWeight    []float64   `json:"sample_weight"`
	WeightedEval    float64     `json:"weighted_evaluate"`
	WeightedHistory []float64   `json:"weighted_history"`
}

// TestShapedTargetLossesTrainAsKeras loads two models Keras compiled with losses whose
// targets are not shaped like the output — CTC (labels (batch, 3) for logits (batch, 6, 5))
// and Circle (labels (batch,) for embeddings (batch, 3)) — evaluates them as Keras did from
// their saved compile_config, then trains them 2 epochs as Keras did, without and with
// sample weights (one per sample): the losses and History must be Keras's.
func TestShapedTargetLossesTrainAsKeras(t *testing.T) {
	var g struct {
		CTC    shapedFitRun `json:"ctc"`
		Circle struct {
			shapedFitRun
			Y []float32 `json:"y"`
		} `json:"circle"`
	}
	testenv.ReadJSON(t, "testdata/metrics3/shaped_fit.json", &g, shapedFitScript)
	ctcX := matrix(g.CTC.X)
	ctcX.Reshape(len(g.CTC.X), 6, 4)
	circleY := tensor.New(tensor.WithShape(len(g.Circle.Y)), tensor.WithBacking(g.Circle.Y))
	for _, c := range []struct {
		name, file string
		x, y       *tensor.Dense
		loss       losses.Loss
		lr         float64
		run        shapedFitRun
	}{
		{"ctc", "testdata/metrics3/ctc.keras", ctcX, matrix(g.CTC.Y), losses.CTC{}, 0.1, g.CTC},
		{"circle", "testdata/metrics3/circle.keras", matrix(g.Circle.X), circleY, losses.Circle{Gamma: 16}, 0.05, g.Circle.shapedFitRun},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := keras.LoadModel(c.file)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := m.Evaluate(c.x, c.y, keras.BatchSize(8), keras.Verbose(0))
			if err != nil {
				t.Fatal(err)
			}
			if !closeTo(ev["loss"], c.run.Evaluate) {
				t.Errorf("loss from the saved compile_config: %.7g, Keras %.7g", ev["loss"], c.run.Evaluate)
			}
			wev, err := m.Evaluate(c.x, c.y, keras.BatchSize(8), keras.Verbose(0), keras.SampleWeight(c.run.SampleWeight))
			if err != nil {
				t.Fatal(err)
			}
			if !closeTo(wev["loss"], c.run.WeightedEval) {
				t.Errorf("sample-weighted loss: %.7g, Keras %.7g", wev["loss"], c.run.WeightedEval)
			}
			init := m.Weights()
			for _, weighted := range []bool{false, true} {
				if err := m.SetWeights(init); err != nil {
					t.Fatal(err)
				}
				if err := m.Compile(optimizers.SGD(optimizers.LearningRate(c.lr)), c.loss); err != nil {
					t.Fatal(err)
				}
				opts := []keras.FitOption{keras.BatchSize(8), keras.Epochs(2), keras.Shuffle(false), keras.Verbose(0)}
				want := c.run.History
				if weighted {
					opts, want = append(opts, keras.SampleWeight(c.run.SampleWeight)), c.run.WeightedHistory
				}
				h, err := m.Fit(c.x, c.y, opts...)
				if err != nil {
					t.Fatal(err)
				}
				for i, w := range want {
					if got := h.History["loss"][i]; math.Abs(got-w) > 1e-4*math.Max(1, math.Abs(w)) {
						t.Errorf("weighted %v: epoch %d loss %.7g, Keras %.7g", weighted, i+1, got, w)
					}
				}
			}
		})
	}
}

// A CTC target of the wrong rank is a shape error naming the output, before any training.
func TestShapedTargetErrors(t *testing.T) {
	m, err := keras.LoadModel("testdata/metrics3/ctc.keras")
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 6, 4), tensor.Of(tensor.Float32))
	y := tensor.New(tensor.WithShape(2), tensor.Of(tensor.Float32))
	_, err = m.Fit(x, y, keras.Verbose(0))
	if !errors.Is(err, keras.ErrShape) {
		t.Fatalf("got %v, want an ErrShape", err)
	}
	long := tensor.New(tensor.WithShape(2, 8), tensor.WithBacking([]float32{1, 2, 3, 4, 1, 2, 3, 4, 1, 0, 0, 0, 0, 0, 0, 0}))
	_, err = m.Fit(x, long, keras.Verbose(0))
	if want := `keras: Fit: target "logits": ctc: invalid data: sample 0 has 8 labels, more than the 6 steps`; !errors.Is(err, keras.ErrData) || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("8 labels for 6 steps: %v, want %q", err, want)
	}
}
