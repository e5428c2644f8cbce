package metrics_test

import (
	"errors"
	"math"
	"testing"

	"github.com/kerago/kerago/keras/metrics"
	"gorgonia.org/tensor"
)

func dense(shape []int, v ...float32) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// Keras resolves "acc" from the shapes at the first update (KERAS.md §2.1).
func TestAccuracyResolution(t *testing.T) {
	cases := []struct {
		name string
		yt   *tensor.Dense
		yp   *tensor.Dense
		want float64
	}{
		// binary: last dim 1, threshold 0.5
		{"binary", dense([]int{4, 1}, 1, 0, 1, 0), dense([]int{4, 1}, 0.9, 0.6, 0.4, 0.1), 0.5},
		// categorical: one-hot targets, argmax
		{"categorical", dense([]int{3, 3}, 0, 1, 0, 1, 0, 0, 0, 0, 1), dense([]int{3, 3}, 0.1, 0.8, 0.1, 0.2, 0.7, 0.1, 0.3, 0.3, 0.4), 2.0 / 3},
		// sparse: targets of rank one less
		{"sparse", dense([]int{3}, 1, 0, 2), dense([]int{3, 3}, 0.1, 0.8, 0.1, 0.2, 0.7, 0.1, 0.3, 0.3, 0.4), 2.0 / 3},
		// sparse: targets (n, 1) against predictions with several classes
		{"sparse column", dense([]int{3, 1}, 1, 1, 2), dense([]int{3, 3}, 0.1, 0.8, 0.1, 0.2, 0.7, 0.1, 0.3, 0.3, 0.4), 1},
		// argmax ties go to the first class, as in Keras
		{"ties", dense([]int{2}, 0, 1), dense([]int{2, 2}, 0.5, 0.5, 0.5, 0.5), 0.5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, name := range []string{"acc", "accuracy"} {
				m, err := metrics.Get(name)
				if err != nil {
					t.Fatal(err)
				}
				if err := m.Update(c.yt, c.yp); err != nil {
					t.Fatal(err)
				}
				if got := m.Result(); math.Abs(got-c.want) > 1e-12 {
					t.Errorf("%s = %v, want %v", name, got, c.want)
				}
				if m.Name() != name {
					t.Errorf("logs under %q, want the name given, %q", m.Name(), name)
				}
			}
		})
	}
}

// Results are means over every sample seen, whatever the batch sizes.
func TestMeanOverBatches(t *testing.T) {
	m, _ := metrics.Get("mse")
	// Batch 1: errors 1 and 2 per sample (mean over last axis); batch 2: one sample, error 4.
	if err := m.Update(dense([]int{2, 2}, 0, 0, 0, 0), dense([]int{2, 2}, 1, 1, 1, -1.7320508)); err != nil {
		t.Fatal(err)
	}
	if err := m.Update(dense([]int{1, 2}, 0, 0), dense([]int{1, 2}, 2, 2)); err != nil {
		t.Fatal(err)
	}
	if got, want := m.Result(), (1+2+4)/3.0; math.Abs(got-want) > 1e-6 {
		t.Errorf("mse = %v, want %v", got, want)
	}
	m.Reset()
	if m.Result() != 0 {
		t.Error("Reset did not clear")
	}
	mae, _ := metrics.Get("mae")
	_ = mae.Update(dense([]int{2, 1}, 1, 2), dense([]int{2, 1}, 0, 4))
	if got := mae.Result(); got != 1.5 {
		t.Errorf("mae = %v", got)
	}
	if err := mae.Update(dense([]int{2, 1}, 1, 2), dense([]int{3, 1}, 0, 4, 1)); err == nil {
		t.Error("mismatched sizes did not fail")
	}
}

func TestUnknownMetric(t *testing.T) {
	if _, err := metrics.Get("acuracy"); !errors.Is(err, metrics.ErrUnknownMetric) {
		t.Errorf("got %v", err)
	}
}
