package metrics_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/metrics"
	"gorgonia.org/tensor"
)

type goldenBatch struct {
	YTrue     any       `json:"y_true"`
	YPred     any       `json:"y_pred"`
	Weights   []float64 `json:"sample_weight"`
	TrueShape []int     `json:"true_shape"`
	PredShape []int     `json:"pred_shape"`
}

type goldenCase struct {
	Name       string         `json:"name"`
	Class      string         `json:"class"`
	Config     map[string]any `json:"config"`
	Batches    []goldenBatch  `json:"batches"`
	Want       any            `json:"want"` // a number, or a list for a vector result
	KerasClass string         `json:"keras_class"`
}

// flatten returns the numbers of a nested JSON array, in row-major order.
func flatten(v any, out []float32) []float32 {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			out = flatten(e, out)
		}
	case float64:
		out = append(out, float32(x))
	}
	return out
}

// construct builds a metric from a Keras class and its constructor arguments, through this
// package's constructors and options.
func construct(t *testing.T, class string, cfg map[string]any) metrics.Metric {
	t.Helper()
	var opts []metrics.Option
	var value float64
	for k, v := range cfg {
		switch k {
		case "k":
			opts = append(opts, metrics.K(int(v.(float64))))
		case "thresholds":
			var ts []float64
			if f, ok := v.(float64); ok {
				ts = []float64{f}
			} else {
				for _, f := range v.([]any) {
					ts = append(ts, f.(float64))
				}
			}
			opts = append(opts, metrics.Thresholds(ts...))
		case "top_k":
			opts = append(opts, metrics.TopK(int(v.(float64))))
		case "class_id":
			opts = append(opts, metrics.ClassID(int(v.(float64))))
		case "num_thresholds":
			opts = append(opts, metrics.NumThresholds(int(v.(float64))))
		case "curve":
			opts = append(opts, metrics.Curve(v.(string)))
		case "summation_method":
			opts = append(opts, metrics.SummationMethod(v.(string)))
		case "average":
			opts = append(opts, metrics.Average(v.(string)))
		case "threshold":
			opts = append(opts, metrics.Threshold(v.(float64)))
		case "beta":
			opts = append(opts, metrics.Beta(v.(float64)))
		case "num_classes":
			opts = append(opts, metrics.NumClasses(int(v.(float64))))
		case "sparse_y_pred":
			opts = append(opts, metrics.SparseYPred(v.(bool)))
		case "target_class_ids":
			var ids []int
			for _, f := range flatten(v, nil) {
				ids = append(ids, int(f))
			}
			opts = append(opts, metrics.TargetClassIDs(ids...))
		case "ignore_class":
			opts = append(opts, metrics.IgnoreClass(int(v.(float64))))
		case "multi_label":
			opts = append(opts, metrics.MultiLabel(v.(bool)))
		case "num_labels":
			opts = append(opts, metrics.NumLabels(int(v.(float64))))
		case "label_weights":
			var w []float64
			for _, f := range v.([]any) {
				w = append(w, f.(float64))
			}
			opts = append(opts, metrics.LabelWeights(w...))
		case "from_logits":
			opts = append(opts, metrics.FromLogits(v.(bool)))
		case "class_aggregation":
			a, _ := v.(string) // null is Keras's None
			opts = append(opts, metrics.ClassAggregation(a))
		case "num_regressors":
			opts = append(opts, metrics.NumRegressors(int(v.(float64))))
		case "recall", "precision", "specificity", "sensitivity":
			value = v.(float64) // the constrained metrics' positional argument
		default:
			t.Fatalf("golden config key %q has no option", k)
		}
	}
	var m metrics.Metric
	switch class {
	case "TopKCategoricalAccuracy":
		m = metrics.NewTopKCategoricalAccuracy(opts...)
	case "SparseTopKCategoricalAccuracy":
		m = metrics.NewSparseTopKCategoricalAccuracy(opts...)
	case "Precision":
		m = metrics.NewPrecision(opts...)
	case "Recall":
		m = metrics.NewRecall(opts...)
	case "AUC":
		m = metrics.NewAUC(opts...)
	case "F1Score":
		m = metrics.NewF1Score(opts...)
	case "FBetaScore":
		m = metrics.NewFBetaScore(opts...)
	case "MeanIoU":
		m = metrics.NewMeanIoU(opts...)
	case "IoU":
		m = metrics.NewIoU(opts...)
	case "BinaryIoU":
		m = metrics.NewBinaryIoU(opts...)
	case "OneHotIoU":
		m = metrics.NewOneHotIoU(opts...)
	case "OneHotMeanIoU":
		m = metrics.NewOneHotMeanIoU(opts...)
	case "PrecisionAtRecall":
		m = metrics.NewPrecisionAtRecall(value, opts...)
	case "RecallAtPrecision":
		m = metrics.NewRecallAtPrecision(value, opts...)
	case "SensitivityAtSpecificity":
		m = metrics.NewSensitivityAtSpecificity(value, opts...)
	case "SpecificityAtSensitivity":
		m = metrics.NewSpecificityAtSensitivity(value, opts...)
	case "R2Score":
		m = metrics.NewR2Score(opts...)
	default:
		t.Fatalf("golden class %q has no constructor", class)
	}
	if err := m.(interface{ Err() error }).Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestKerasGolden checks every metric against Keras 3's result on two batches, with and
// without sample weights (testdata/metrics_golden.py writes the values).
func TestKerasGolden(t *testing.T) {
	cases := testenv.GoldenCases[goldenCase](t, "testdata/metrics_golden.json", 142, "testdata/metrics_golden.py")
	for i, c := range cases {
		label := c.Name
		if c.Class != "" {
			label = fmt.Sprintf("%s%v", c.Class, c.Config)
		}
		if c.Batches[0].Weights != nil {
			label += "/weighted"
		}
		t.Run(fmt.Sprintf("%02d_%s", i, label), func(t *testing.T) {
			var m metrics.Metric
			if c.Class == "" {
				var err error
				if m, err = metrics.Get(c.Name); err != nil {
					t.Fatal(err)
				}
			} else {
				m = construct(t, c.Class, c.Config)
			}
			feed := func() {
				t.Helper()
				for _, b := range c.Batches {
					yt := tensor.New(tensor.WithShape(b.TrueShape...), tensor.WithBacking(flatten(b.YTrue, nil)))
					yp := tensor.New(tensor.WithShape(b.PredShape...), tensor.WithBacking(flatten(b.YPred, nil)))
					var err error
					if b.Weights != nil {
						err = m.(metrics.WeightedMetric).UpdateWeighted(yt, yp, b.Weights)
					} else {
						err = m.Update(yt, yp)
					}
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			result := func() []float64 {
				if v, ok := m.(metrics.Vector); ok && v.IsVector() {
					return v.Results()
				}
				return []float64{m.Result()}
			}
			want := []float64{}
			for _, f := range flatten(c.Want, nil) {
				want = append(want, float64(f))
			}
			if f, ok := c.Want.(float64); ok {
				want = []float64{f}
			}
			m.Reset()
			feed()
			got := result()
			if len(got) != len(want) {
				t.Fatalf("%s: got %d values %v, Keras %d %v", c.Name, len(got), got, len(want), want)
			}
			for i := range got {
				if math.Abs(got[i]-want[i]) > 1e-5*math.Max(1, math.Abs(want[i])) {
					t.Errorf("%s: value %d: got %.7g, Keras %.7g", c.Name, i, got[i], want[i])
				}
			}
			// The state is the batches' alone: after Reset the same batches give the same result.
			m.Reset()
			feed()
			if again := result(); fmt.Sprint(again) != fmt.Sprint(got) {
				t.Errorf("after Reset: %v, first run %v", again, got)
			}
			if cf, ok := m.(metrics.Configurable); ok && cf.ClassName() != c.KerasClass {
				t.Errorf("class %q, Keras %q", cf.ClassName(), c.KerasClass)
			}
		})
	}
}
