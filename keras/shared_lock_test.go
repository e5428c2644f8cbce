package keras_test

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// hammer runs train in one goroutine and each of others in a goroutine of its own, looping
// until train returns, and reports every error. Models that share weights must exclude each
// other: run with -race, a missing exclusion is a DATA RACE and fails the test.
func hammer(t *testing.T, train func() error, others ...func() error) {
	t.Helper()
	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, len(others)+1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		if err := train(); err != nil {
			errs <- err
		}
	}()
	for _, f := range others {
		wg.Add(1)
		go func(f func() error) {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if err := f(); err != nil {
					errs <- err
					return
				}
			}
		}(f)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// predictCallback calls Predict on another model at each epoch's end: callbacks run between
// steps, outside every lock, so this must not deadlock.
type predictCallback struct {
	keras.BaseCallback
	m  *keras.Model
	xs *tensor.Dense
}

func (c *predictCallback) OnEpochEnd(int, keras.Logs) error {
	_, err := c.m.Predict(c.xs, keras.Verbose(0))
	return err
}

// A nested model used alone (Predict, SetWeights, Weights, Summary) while its outer model
// trains shares the outer model's weights; both must take one lock.
func TestSharedLockNestedModelWhileOuterFits(t *testing.T) {
	keras.SetRandomSeed(3)
	ei := keras.Input(keras.Shape{6})
	encoder, err := keras.NewModel(keras.Inputs(ei), keras.Outputs(layers.Dense(4, layers.Activation("relu")).Call(ei)), keras.ModelName("encoder"))
	if err != nil {
		t.Fatal(err)
	}
	x := keras.Input(keras.Shape{6})
	outer, err := keras.NewModel(keras.Inputs(x), keras.Outputs(layers.Dense(2).Call(encoder.Call(x))), keras.ModelName("outer"))
	if err != nil {
		t.Fatal(err)
	}
	if err := outer.Compile("adam", "mse"); err != nil {
		t.Fatal(err)
	}
	xs, ys := randData(64, 6, 1), randData(64, 2, 2)
	start := encoder.Weights()
	hammer(t,
		func() error {
			_, err := outer.Fit(xs, ys, keras.Verbose(0), keras.BatchSize(8), keras.Epochs(4),
				keras.Callbacks(&predictCallback{m: encoder, xs: xs}))
			return err
		},
		func() error { _, err := encoder.Predict(xs, keras.Verbose(0), keras.BatchSize(16)); return err },
		func() error { return encoder.SetWeights(start) },
		func() error { encoder.Weights(); return nil },
	)
	// The encoder's cached inference programs read the weights the outer model trained: a
	// fresh copy of the encoder with those weights predicts the same numbers.
	got, err := encoder.Predict(xs, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	ci := keras.Input(keras.Shape{6})
	fresh, err := keras.NewModel(keras.Inputs(ci), keras.Outputs(layers.Dense(4, layers.Activation("relu")).Call(ci)))
	if err != nil {
		t.Fatal(err)
	}
	if err := fresh.SetWeights(encoder.Weights()); err != nil {
		t.Fatal(err)
	}
	want, err := fresh.Predict(xs, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	g, w := got[0].Data().([]float32), want[0].Data().([]float32)
	for i := range w {
		if g[i] != w[i] {
			t.Fatalf("encoder predicts %v at %d after the outer model trained; a copy with its weights predicts %v", g[i], i, w[i])
		}
	}
}

// One layer object called in two models: training one while the other predicts.
func TestSharedLockLayerInTwoModels(t *testing.T) {
	keras.SetRandomSeed(4)
	shared := layers.Dense(5, layers.Activation("tanh"))
	a := keras.Input(keras.Shape{3})
	predictor, err := keras.NewModel(keras.Inputs(a), keras.Outputs(shared.Call(a)))
	if err != nil {
		t.Fatal(err)
	}
	b := keras.Input(keras.Shape{3})
	trainer, err := keras.NewModel(keras.Inputs(b), keras.Outputs(layers.Dense(1).Call(shared.Call(b))))
	if err != nil {
		t.Fatal(err)
	}
	if err := trainer.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	xs, ys := randData(48, 3, 5), randData(48, 1, 6)
	hammer(t,
		func() error {
			_, err := trainer.Fit(xs, ys, keras.Verbose(0), keras.BatchSize(8), keras.Epochs(4))
			return err
		},
		func() error { _, err := predictor.Predict(xs, keras.Verbose(0)); return err },
		func() error { _, err := predictor.Predict(xs, keras.Verbose(0), keras.BatchSize(7)); return err },
	)
}

// A model over a sub-graph of another model's layers, and a model built from the layers of a
// loaded model: each shares weights with the model it came from.
func TestSharedLockSubGraphAndLoadedModel(t *testing.T) {
	keras.SetRandomSeed(5)
	in := keras.Input(keras.Shape{4})
	hidden := layers.Dense(6, layers.Activation("relu")).Call(in)
	full, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Dense(1).Call(hidden)))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := keras.NewModel(keras.Inputs(in), keras.Outputs(hidden))
	if err != nil {
		t.Fatal(err)
	}
	if err := full.Compile("adam", "mse"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "full.keras")
	if err := full.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := keras.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	li := keras.Input(keras.Shape{4})
	fromLoaded, err := keras.NewModel(keras.Inputs(li), keras.Outputs(keras.CallOne(loaded.Layers()[1], li)))
	if err != nil {
		t.Fatal(err)
	}
	xs, ys := randData(40, 4, 7), randData(40, 1, 8)
	ws := sub.Weights()
	t.Run("sub-graph", func(t *testing.T) {
		hammer(t,
			func() error {
				_, err := full.Fit(xs, ys, keras.Verbose(0), keras.BatchSize(8), keras.Epochs(3))
				return err
			},
			func() error { _, err := sub.Predict(xs, keras.Verbose(0)); return err },
			func() error { return sub.SetWeights(ws) },
		)
	})
	t.Run("loaded", func(t *testing.T) {
		hammer(t,
			func() error {
				_, err := loaded.Fit(xs, ys, keras.Verbose(0), keras.BatchSize(8), keras.Epochs(3))
				return err
			},
			func() error { _, err := fromLoaded.Predict(xs, keras.Verbose(0)); return err },
		)
	})
}
