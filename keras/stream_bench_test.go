package keras_test

import (
	"testing"
	"time"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
)

// BenchmarkStreamPrefetch measures Fit from a slow source (4 ms to load each batch, as a
// disk or a decoder might take) with the batches read ahead or not; "Source none" is the
// step alone, from a source that costs nothing. With read-ahead, a batch costs about
// max(load, step) instead of load + step.
//
//	go test -run '^$' -bench StreamPrefetch -benchtime 10x -count 5 ./keras
func BenchmarkStreamPrefetch(b *testing.B) {
	const batches, bs = 40, 64
	x, y := randData(batches*bs, 64, 1), randData(batches*bs, 10, 2)
	in := keras.Input(keras.Shape{64})
	h := layers.Dense(384, layers.Activation("relu")).Call(in)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Dense(10).Call(h)))
	if err != nil {
		b.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		load     time.Duration
		prefetch int
	}{{"Source none", 0, 0}, {"Source 4ms/Prefetch 0", 4 * time.Millisecond, 0},
		{"Source 4ms/Prefetch 1", 4 * time.Millisecond, 1}, {"Source 4ms/Prefetch 2", 4 * time.Millisecond, 2}} {
		b.Run(c.name, func(b *testing.B) {
			slow := func(yield func(keras.Batch, error) bool) {
				for bt, err := range batchesOf(x, y, bs, nil) {
					time.Sleep(c.load)
					if !yield(bt, err) {
						return
					}
				}
			}
			for b.Loop() {
				if _, err := m.Fit(keras.FromIterator(slow), nil, keras.Verbose(0), keras.Prefetch(c.prefetch)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*batches)/1000, "ms/batch")
		})
	}
}
