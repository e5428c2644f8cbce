package keras_test

import (
	"fmt"
	"math"
	"sync"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/datasets"
	"github.com/kerago/kerago/keras/layers"
)

// exampleDigitsMLP returns the guide's digits MLP built from seed, compiled with Adam, and
// the first rows of the digits.
func exampleDigitsMLP(seed int64, rows int) (*keras.Model, any, any) {
	keras.SetRandomSeed(seed)
	in := keras.Input(keras.Shape{64})
	x := layers.Dense(32, layers.Activation("relu")).Call(in)
	out := layers.Dense(10, layers.Activation("softmax")).Call(x)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err == nil {
		err = m.Compile("adam", "categorical_crossentropy")
	}
	xs, ys, derr := datasets.DigitsPrepared(0)
	if err != nil || derr != nil {
		panic(fmt.Sprint(err, derr))
	}
	xs, _, _ = datasets.Split(xs, rows)
	ys, _, _ = datasets.Split(ys, rows)
	return m, xs, ys
}

// sameWeights reports whether two models' weights agree to 1e-5.
func closeWeights(a, b *keras.Model) bool {
	wa, wb := a.Weights(), b.Weights()
	for i := range wa {
		va, vb := wa[i].Data().([]float32), wb[i].Data().([]float32)
		for j := range va {
			if math.Abs(float64(va[j]-vb[j])) > 1e-5 {
				return false
			}
		}
	}
	return true
}

// Data-parallel training on one machine: each batch of 64 is split over 2 replicas in 2
// goroutines, their gradients summed and one Adam step applied, so the model trains as one
// replica on the whole batch.
func ExampleDataParallel() {
	one, x, y := exampleDigitsMLP(7, 640)
	if _, err := one.Fit(x, y, keras.BatchSize(64), keras.Verbose(0)); err != nil {
		fmt.Println(err)
		return
	}
	two, _, _ := exampleDigitsMLP(7, 640)
	_, err := two.Fit(x, y, keras.BatchSize(64), keras.Verbose(0),
		keras.Distribution(keras.DataParallel(2)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("2 replicas train as 1:", closeWeights(one, two))
	// Output:
	// 2 replicas train as 1: true
}

// Ranks of a multi-process job, simulated with goroutines: each rank trains a model of its
// own; rank 0's weights are broadcast at the start and the gradients summed every step, so
// the ranks end equal. With OpenMPI, each process passes the communicator of package
// keras/mpi (build tag mpi) instead, and only rank 0 prints and writes files.
func ExampleNewLocalGroup() {
	group := keras.NewLocalGroup(2)
	models := make([]*keras.Model, 2)
	var x, y any
	for r := range models {
		models[r], x, y = exampleDigitsMLP(int64(r), 640) // different seeds: rank 0's weights win
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for r, comm := range group {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[r] = models[r].Fit(x, y, keras.BatchSize(64), keras.Verbose(0),
				keras.Distribution(keras.DataParallel(1, keras.WithCommunicator(comm))))
		}()
	}
	wg.Wait()
	fmt.Println("errors:", errs[0], errs[1])
	fmt.Println("ranks agree:", closeWeights(models[0], models[1]))
	// Output:
	// errors: <nil> <nil>
	// ranks agree: true
}
