package metrics_test

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras/metrics"
)

// TestConfigRoundTrip rebuilds each configurable metric from its own Keras config.
func TestConfigRoundTrip(t *testing.T) {
	ms := []metrics.Metric{
		metrics.NewPrecision(metrics.Thresholds(0.3), metrics.Name("p3")),
		metrics.NewRecall(metrics.TopK(2), metrics.ClassID(1)),
		metrics.NewAUC(metrics.NumThresholds(50), metrics.Curve("PR")),
		metrics.NewF1Score(metrics.Average("macro"), metrics.Threshold(0.4)),
		metrics.NewFBetaScore(metrics.Average("weighted"), metrics.Beta(2)),
		metrics.NewMeanIoU(metrics.NumClasses(3), metrics.SparseYPred(false)),
		metrics.NewTopKCategoricalAccuracy(metrics.K(2)),
		metrics.NewBinaryAccuracy(metrics.Threshold(0.7)),
		metrics.NewTruePositives(metrics.Thresholds(0.2)),
		metrics.NewAUC(metrics.MultiLabel(true), metrics.NumLabels(3), metrics.LabelWeights(1, 2, 0.5), metrics.FromLogits(true)),
		metrics.NewAUC(metrics.Thresholds(0.6, 0.2)),
		metrics.NewIoU(metrics.NumClasses(4), metrics.TargetClassIDs(0, 3), metrics.IgnoreClass(2), metrics.SparseYTrue(false)),
		metrics.NewBinaryIoU(metrics.TargetClassIDs(1), metrics.Threshold(0.4)),
		metrics.NewOneHotIoU(metrics.NumClasses(3), metrics.TargetClassIDs(1), metrics.SparseYPred(true)),
		metrics.NewOneHotMeanIoU(metrics.NumClasses(5), metrics.Name("ohm")),
		metrics.NewPrecisionAtRecall(0.7, metrics.NumThresholds(40), metrics.ClassID(2)),
		metrics.NewRecallAtPrecision(0.25),
		metrics.NewSensitivityAtSpecificity(0.5, metrics.NumThresholds(1)),
		metrics.NewSpecificityAtSensitivity(0.9),
		metrics.NewR2Score(metrics.ClassAggregation("variance_weighted_average"), metrics.NumRegressors(3)),
		metrics.NewR2Score(metrics.ClassAggregation("")),
		metrics.NewPearsonCorrelation(),
		metrics.NewConcordanceCorrelation(metrics.Name("ccc")),
		metrics.NewF1Score(),
	}
	for _, m := range ms {
		cf := m.(metrics.Configurable)
		t.Run(cf.ClassName(), func(t *testing.T) {
			back, err := metrics.FromConfig(cf.ClassName(), cf.Config())
			if err != nil {
				t.Fatal(err)
			}
			if got := back.(metrics.Configurable).Config(); !reflect.DeepEqual(got, cf.Config()) {
				t.Errorf("config %v, want %v", got, cf.Config())
			}
			if back.Name() != m.Name() {
				t.Errorf("name %q, want %q", back.Name(), m.Name())
			}
		})
	}
}

// TestBadOptions checks that bad arguments are reported by Err, naming the argument.
func TestBadOptions(t *testing.T) {
	cases := []struct {
		m    metrics.Metric
		want string
	}{
		{metrics.NewFBetaScore(metrics.Average("mean")), `average must be "micro", "macro", "weighted" or "" (Keras's None), got "mean"`},
		{metrics.NewIoU(metrics.NumClasses(3)), "target_class_ids is required"},
		{metrics.NewIoU(metrics.NumClasses(3), metrics.TargetClassIDs(3)), "target class id 3 is out of range [0, 3)"},
		{metrics.NewPrecisionAtRecall(1.5), "recall must be in [0, 1], got 1.5"},
		{metrics.NewSpecificityAtSensitivity(0.5, metrics.NumThresholds(0)), "num_thresholds must be > 0"},
		{metrics.NewR2Score(metrics.ClassAggregation("mean")), "class_aggregation must be"},
		{metrics.NewR2Score(metrics.NumRegressors(-1)), "num_regressors must be >= 0"},
		{metrics.NewAUC(metrics.NumLabels(3)), "num_labels is needed only when multi_label is true"},
		{metrics.NewAUC(metrics.MultiLabel(true), metrics.NumLabels(4096), metrics.NumThresholds(1<<20)), "exceeds the limit 4194304 counts"},
		{metrics.NewAUC(metrics.MultiLabel(true), metrics.NumLabels(2), metrics.LabelWeights(1)), "1 label_weights for num_labels 2"},
		{metrics.NewAUC(metrics.NumThresholds(1)), "num_thresholds must be > 1"},
		{metrics.NewAUC(metrics.Curve("roc")), `curve must be "ROC" or "PR"`},
		{metrics.NewPrecision(metrics.Thresholds(1.5)), "threshold 1.5 is not in [0, 1]"},
		{metrics.NewMeanIoU(), "num_classes must be at least 2"},
		{metrics.NewTopKCategoricalAccuracy(metrics.K(0)), "k must be at least 1"},
		{metrics.NewRecall(nil), "option 0 is nil"},
		{metrics.NewAUC(metrics.NumThresholds(1 << 40)), "num_thresholds 1099511627776 exceeds the limit 1048576"},
		{metrics.NewMeanIoU(metrics.NumClasses(1 << 31)), "num_classes 2147483648 exceeds the limit 4096"},
	}
	for _, c := range cases {
		err := c.m.(interface{ Err() error }).Err()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Err() = %v, want it to say %q", c.m.Name(), err, c.want)
		}
	}
	if _, err := metrics.FromConfig("AUC", map[string]any{"multi_label": "yes"}); err == nil || !strings.Contains(err.Error(), "multi_label is string, not a bool") {
		t.Errorf("AUC multi_label: %v", err)
	}
	if _, err := metrics.FromConfig("PearsonCorrelation", map[string]any{"axis": 0.0}); err == nil || !strings.Contains(err.Error(), "axis=0 is not supported") {
		t.Errorf("PearsonCorrelation axis 0: %v", err)
	}
	if _, err := metrics.FromConfig("PrecisionAtRecall", map[string]any{}); err == nil || !strings.Contains(err.Error(), "recall is required") {
		t.Errorf("PrecisionAtRecall without recall: %v", err)
	}
	if _, err := metrics.Get("kld"); err == nil {
		t.Error(`Get("kld") succeeded; Keras 3 refuses it`)
	}
}

// TestCloneHasOwnState checks that a clone starts empty and does not share counts.
func TestCloneHasOwnState(t *testing.T) {
	a := metrics.NewAUC()
	yt, yp := dense([]int{4, 1}, 1, 0, 1, 0), dense([]int{4, 1}, 0.9, 0.2, 0.3, 0.6)
	if err := a.Update(yt, yp); err != nil {
		t.Fatal(err)
	}
	before := a.Result()
	c := metrics.Clone(a)
	if c.Result() != 0 {
		t.Errorf("clone starts at %v", c.Result())
	}
	if err := c.Update(yt, dense([]int{4, 1}, 0.1, 0.9, 0.2, 0.8)); err != nil {
		t.Fatal(err)
	}
	if a.Result() != before {
		t.Errorf("updating the clone changed the original: %v, was %v", a.Result(), before)
	}
}

// TestDirections checks the directions Keras gives its metrics (Metric._direction).
func TestDirections(t *testing.T) {
	want := map[string]string{"acc": "up", "top_k_categorical_accuracy": "up", "cosine_similarity": "up",
		"mse": "down", "bce": "down", "kl_divergence": "down", "precision": "up", "auc": "up",
		"true_positives": ""}
	for name, dir := range want {
		m, err := metrics.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.(metrics.Direction).Direction(); got != dir {
			t.Errorf("%s: direction %q, Keras %q", name, got, dir)
		}
	}
}

// TestVectorResults checks that the metrics whose Keras result is one value per class
// refuse to be logged as a scalar (Get, ScalarErr) but give their values through Results.
func TestVectorResults(t *testing.T) {
	if _, err := metrics.Get("f1_score"); err == nil || !strings.Contains(err.Error(), "one value per class") {
		t.Errorf(`Get("f1_score"): %v`, err)
	}
	f := metrics.NewF1Score()
	if err := metrics.ScalarErr(f); err == nil {
		t.Error("ScalarErr(F1Score()) is nil")
	}
	if err := metrics.ScalarErr(metrics.NewF1Score(metrics.Average("macro"))); err != nil {
		t.Errorf("macro F1Score: %v", err)
	}
	// Class 0: tp 1 fn 1 → F1 2/3; class 1: tp 1 fp 1 → 2/3; class 2: never predicted or true → 0.
	yt := dense([]int{3, 3}, 1, 0, 0, 1, 0, 0, 0, 1, 0)
	yp := dense([]int{3, 3}, 0.9, 0.1, 0, 0.2, 0.7, 0.1, 0.1, 0.8, 0.1)
	if err := f.Update(yt, yp); err != nil {
		t.Fatal(err)
	}
	got := f.Results()
	want := []float64{2.0 / 3, 2.0 / 3, 0}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-6 {
			t.Errorf("F1 of class %d = %v, want %v", i, got[i], want[i])
		}
	}
	if !math.IsNaN(f.Result()) {
		t.Errorf("Result of a vector metric = %v, want NaN", f.Result())
	}
}
