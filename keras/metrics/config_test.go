package metrics_test

import (
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
		{metrics.NewF1Score(), "average is None"},
		{metrics.NewFBetaScore(metrics.Average("mean")), `average must be "micro", "macro" or "weighted"`},
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
	if _, err := metrics.FromConfig("AUC", map[string]any{"multi_label": true}); err == nil || !strings.Contains(err.Error(), "multi_label") {
		t.Errorf("AUC multi_label: %v", err)
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
