package keras_test

import (
	"sync"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
)

// A model serves several goroutines: they take turns batch by batch. (Run with -race.)
func TestConcurrentUse(t *testing.T) {
	keras.SetRandomSeed(9)
	in := keras.Input(keras.Shape{6})
	x := layers.Dense(8, layers.Activation("relu")).Call(in)
	out := layers.Dense(2, layers.Activation("softmax")).Call(layers.Dropout(0.1).Call(x))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("adam", "categorical_crossentropy", keras.Metrics("acc")); err != nil {
		t.Fatal(err)
	}
	xs := randData(64, 6, 1)
	ys := keras.OneHotForTest([]int{0, 1}, 64)
	want, err := m.Predict(xs, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				var err error
				switch g % 3 {
				case 0:
					var p = want
					p, err = m.Predict(xs, keras.Verbose(0), keras.BatchSize(8+g))
					if err == nil && len(p) != 1 {
						t.Errorf("predict returned %d outputs", len(p))
					}
				case 1:
					_, err = m.Evaluate(xs, ys, keras.Verbose(0), keras.BatchSize(16))
				default:
					_, err = m.Fit(xs, ys, keras.Verbose(0), keras.BatchSize(16))
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
