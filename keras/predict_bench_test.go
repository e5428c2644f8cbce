package keras_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// Predict throughput of one model shared by 1, 2, 4 and 8 goroutines, at batch 1 (a request
// per call, as a service sees them) and batch 32, reported as predictions per second:
//
//	go test -run '^$' -bench 'PredictConcurrent' -benchtime 2s ./keras/
func BenchmarkPredictConcurrent(b *testing.B) {
	keras.SetRandomSeed(3)
	in := keras.Input(keras.Shape{64})
	x := layers.Dense(256, layers.Activation("relu")).Call(in)
	x = layers.Dense(256, layers.Activation("relu")).Call(x)
	out := layers.Dense(10, layers.Activation("softmax")).Call(x)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		b.Fatal(err)
	}
	for _, batch := range []int{1, 32} {
		for _, workers := range []int{1, 2, 4, 8} {
			b.Run(fmt.Sprintf("batch%d/goroutines%d", batch, workers), func(b *testing.B) {
				xs := make([]*tensor.Dense, workers)
				r := rand.New(rand.NewPCG(uint64(batch), uint64(workers)))
				for g := range xs {
					v := make([]float32, batch*64)
					for i := range v {
						v[i] = r.Float32()
					}
					xs[g] = tensor.New(tensor.WithShape(batch, 64), tensor.WithBacking(v))
					// Build the realisations outside the timing.
					if _, err := m.Predict(xs[g], keras.Verbose(0), keras.BatchSize(batch)); err != nil {
						b.Fatal(err)
					}
				}
				var left atomic.Int64
				left.Store(int64(b.N))
				var wg sync.WaitGroup
				b.ResetTimer()
				for g := 0; g < workers; g++ {
					wg.Add(1)
					go func(x *tensor.Dense) {
						defer wg.Done()
						for left.Add(-1) >= 0 {
							if _, err := m.Predict(x, keras.Verbose(0), keras.BatchSize(batch)); err != nil {
								b.Error(err)
								return
							}
						}
					}(xs[g])
				}
				wg.Wait()
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "pred/s")
			})
		}
	}
}
