package keras_test

import (
	"fmt"
	"sync"

	"github.com/kerago/kerago/keras"
	"gorgonia.org/tensor"
)

// Ranks that each read their own shard: every rank ranges the same source of 64-row
// batches but keeps only its rows of each (Stream.Shard), and AutoShardDataset(false) tells
// Fit so. BatchSize(32) is each rank's batch; the 2 ranks together train on the 64 rows of
// each batch, as one process does with BatchSize(64).
func ExampleAutoShardDataset() {
	one, x, y := exampleDigitsMLP(7, 640)
	if _, err := one.Fit(x, y, keras.BatchSize(64), keras.Shuffle(false), keras.Verbose(0)); err != nil {
		fmt.Println(err)
		return
	}
	xs, ys := x.(*tensor.Dense), y.(*tensor.Dense)
	rows := func(t *tensor.Dense, from, to int) *tensor.Dense {
		per := t.Shape()[1]
		return tensor.New(tensor.WithShape(to-from, per), tensor.WithBacking(t.Data().([]float32)[from*per:to*per]))
	}
	source := func(yield func(keras.Batch, error) bool) {
		for at := 0; at < xs.Shape()[0]; at += 64 {
			if !yield(keras.Batch{X: rows(xs, at, at+64), Y: rows(ys, at, at+64)}, nil) {
				return
			}
		}
	}
	group := keras.NewLocalGroup(2)
	models := make([]*keras.Model, 2)
	for r := range models {
		models[r], _, _ = exampleDigitsMLP(int64(7+r), 640) // rank 0 is built as one; rank 0's weights win
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for r, comm := range group {
		wg.Add(1)
		go func() {
			defer wg.Done()
			shard := keras.FromIterator(source).Shard(comm.Rank(), comm.Size())
			_, errs[r] = models[r].Fit(shard, nil, keras.BatchSize(32), keras.Verbose(0),
				keras.Distribution(keras.DataParallel(1, keras.WithCommunicator(comm), keras.AutoShardDataset(false))))
		}()
	}
	wg.Wait()
	fmt.Println("errors:", errs[0], errs[1])
	fmt.Println("rank 0 trains as one process:", closeWeights(one, models[0]))
	fmt.Println("ranks agree:", closeWeights(models[0], models[1]))
	// Output:
	// errors: <nil> <nil>
	// rank 0 trains as one process: true
	// ranks agree: true
}
