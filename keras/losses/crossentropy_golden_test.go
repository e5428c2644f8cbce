package losses_test

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/losses"
)

const (
	crossentropyGolden      = "testdata/crossentropy_golden.json"
	crossentropyRegenerate  = "KERAS_BACKEND=jax python3 keras/losses/testdata/crossentropy_golden.py"
	crossentropyGoldenCases = 9
)

type crossentropyCase struct {
	Name string `json:"name"`
	Loss struct {
		ClassName string         `json:"class_name"`
		Config    map[string]any `json:"config"`
	} `json:"loss"`
	Y    json.RawMessage `json:"y"`
	Pred [][]float64     `json:"pred"`
	Want float64         `json:"want"`
}

// The cross-entropies with from_logits and label_smoothing, built from the loss objects Keras
// 3 serialises, give Keras's values on logit rows hundreds apart; and each loss writes back
// the config Keras wrote.
func TestCrossentropiesMatchKerasGolden(t *testing.T) {
	cases := testenv.GoldenCases[crossentropyCase](t, crossentropyGolden, crossentropyGoldenCases, crossentropyRegenerate)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			l, err := losses.FromConfig(c.Loss.ClassName, c.Loss.Config)
			if err != nil {
				t.Fatal(err)
			}
			rows, cols := len(c.Pred), len(c.Pred[0])
			var pred []float64
			for _, r := range c.Pred {
				pred = append(pred, r...)
			}
			y := targetsOf(t, c.Y, l, rows, cols)
			got := evalLoss(t, l, y, pred, []int{rows, cols}, "", nil)
			if math.Abs(got-c.Want) > 2e-6*math.Max(1, math.Abs(c.Want)) {
				t.Errorf("%s = %.9g, Keras gives %.9g", c.Name, got, c.Want)
			}
			// A softmax output whose logits are known gives the same value as from_logits.
			// With Gorgonia's LogSoftMax, rows far below the batch's first came out NaN here.
			if sm, ok := softmaxOutputLoss(l); ok {
				probs := softmaxRows(pred, cols)
				if got := evalLoss(t, sm, y, probs, []int{rows, cols}, "softmax", pred); math.Abs(got-c.Want) > 2e-6*math.Max(1, math.Abs(c.Want)) {
					t.Errorf("%s of a softmax output = %.9g, Keras gives %.9g from the logits", c.Name, got, c.Want)
				}
			}
			cfg := l.(losses.Configurable).Config()
			raw, err := json.Marshal(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var back map[string]any
			if err := json.Unmarshal(raw, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, c.Loss.Config) {
				t.Errorf("config %v, Keras wrote %v", back, c.Loss.Config)
			}
		})
	}
}

// targetsOf decodes a case's targets: a matrix, or for a sparse loss class ids, one-hot
// encoded as the model feeds them.
func targetsOf(t *testing.T, raw json.RawMessage, l losses.Loss, rows, cols int) []float64 {
	t.Helper()
	if s, ok := l.(losses.SparseLoss); ok && s.SparseTargets() {
		var ids []int
		if err := json.Unmarshal(raw, &ids); err != nil {
			t.Fatal(err)
		}
		y := make([]float64, rows*cols)
		for i, k := range ids {
			y[i*cols+k] = 1
		}
		return y
	}
	var m [][]float64
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var y []float64
	for _, r := range m {
		y = append(y, r...)
	}
	return y
}

// Arguments kerago does not compute are errors naming them, not silently different losses.
func TestFromConfigRejectsUnsupportedArguments(t *testing.T) {
	for _, c := range []struct {
		class string
		cfg   map[string]any
	}{
		{"CategoricalCrossentropy", map[string]any{"reduction": "average"}},
		{"CategoricalCrossentropy", map[string]any{"axis": 1.0}},
		{"CategoricalCrossentropy", map[string]any{"label_smoothing": 1.5}},
		{"SparseCategoricalCrossentropy", map[string]any{"ignore_class": 0.0}},
		{"SparseCategoricalCrossentropy", map[string]any{"label_smoothing": 0.1}},
		{"MeanSquaredError", map[string]any{"from_logits": true}},
		{"BinaryCrossentropy", map[string]any{"from_logits": "yes"}},
		{"Circle", map[string]any{"gamma": "big"}},
		{"Circle", map[string]any{"remove_diagonal": 1.0}},
		{"NoSuchLoss", map[string]any{}},
		{"Huber", map[string]any{"delta": -1.0}},
		{"Dice", map[string]any{"axis": "all"}},
		{"BinaryFocalCrossentropy", map[string]any{"axis": 1.0}},
		{"CategoricalGeneralizedCrossEntropy", map[string]any{"q": 1.0}},
	} {
		if _, err := losses.FromConfig(c.class, c.cfg); err == nil {
			t.Errorf("%s %v: no error", c.class, c.cfg)
		}
	}
}

// softmaxOutputLoss returns, for a categorical loss from logits without label smoothing, the
// same loss on probabilities.
func softmaxOutputLoss(l losses.Loss) (losses.Loss, bool) {
	switch l := l.(type) {
	case losses.CategoricalCrossentropy:
		return losses.CategoricalCrossentropy{}, l.FromLogits && l.LabelSmoothing == 0
	case losses.SparseCategoricalCrossentropy:
		return losses.SparseCategoricalCrossentropy{}, l.FromLogits
	}
	return nil, false
}

// softmaxRows is a float64 softmax of each row of cols values.
func softmaxRows(z []float64, cols int) []float64 {
	out := make([]float64, len(z))
	for r := 0; r < len(z); r += cols {
		m := math.Inf(-1)
		for _, v := range z[r : r+cols] {
			m = math.Max(m, v)
		}
		s := 0.0
		for i, v := range z[r : r+cols] {
			out[r+i] = math.Exp(v - m)
			s += out[r+i]
		}
		for i := range cols {
			out[r+i] /= s
		}
	}
	return out
}
