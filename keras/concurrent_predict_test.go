package keras_test

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// servedModel builds the same small network every time it is called with the same seed:
// Dense, BatchNormalization (inference reads its moving statistics), Dropout (off in
// inference) and a softmax head, compiled for training.
func servedModel(t *testing.T, seed int64) *keras.Model {
	t.Helper()
	keras.SetRandomSeed(seed)
	in := keras.Input(keras.Shape{12})
	x := layers.Dense(32, layers.Activation("relu")).Call(in)
	x = layers.BatchNormalization().Call(x)
	x = layers.Dropout(0.3).Call(x)
	out := layers.Dense(4, layers.Activation("softmax")).Call(x)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("adam", "categorical_crossentropy"); err != nil {
		t.Fatal(err)
	}
	return m
}

// predictAt runs Predict with the given batch size and returns the output's numbers.
func predictAt(m *keras.Model, x *tensor.Dense, batch int) ([]float32, error) {
	out, err := m.Predict(x, keras.Verbose(0), keras.BatchSize(batch))
	if err != nil {
		return nil, err
	}
	return out[0].Data().([]float32), nil
}

// sameBits reports whether a and b hold the same float32 numbers bit for bit.
func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// Many goroutines predicting on one model at batch 1 and 32 get, bit for bit, what one
// goroutine gets: each runs on a realisation of its own over the shared weights.
func TestConcurrentPredictMatchesSingleThreaded(t *testing.T) {
	m := servedModel(t, 21)
	x := randData(64, 12, 5)
	if _, err := m.Fit(x, keras.OneHotForTest([]int{0, 1, 2, 3}, 64), keras.Verbose(0), keras.Epochs(2), keras.BatchSize(16)); err != nil {
		t.Fatal(err) // moves BatchNormalization's statistics off their initial values
	}
	want := map[int][]float32{}
	for _, bs := range []int{1, 32} {
		ref, err := predictAt(m, x, bs)
		if err != nil {
			t.Fatal(err)
		}
		want[bs] = ref
	}
	predictConcurrently(t, m, x, want, 8)
}

// snapshots records the model's weights before training and after every training step.
type snapshots struct {
	keras.BaseCallback
	ws [][]*tensor.Dense
}

func (s *snapshots) OnTrainBegin(keras.Logs) error {
	s.ws = append(s.ws, s.Model().Weights())
	return nil
}

func (s *snapshots) OnTrainBatchEnd(int, keras.Logs) error {
	s.ws = append(s.ws, s.Model().Weights())
	return nil
}

// Predict runs while Fit trains the same model on another goroutine: no race (run with
// -race), and every whole-batch prediction (one inference step) is bit for bit that of the
// weights after some training step, never a mixture of two; once Fit returns, the
// predictions are those of a fresh model holding the trained weights.
func TestConcurrentPredictWhileFit(t *testing.T) {
	m := servedModel(t, 22)
	x := randData(64, 12, 6)
	y := keras.OneHotForTest([]int{0, 1, 2, 3}, 64)
	snap := &snapshots{}
	done := make(chan error)
	go func() {
		_, err := m.Fit(x, y, keras.Verbose(0), keras.Epochs(4), keras.BatchSize(8), keras.Callbacks(snap))
		done <- err
	}()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	stop := make(chan struct{})
	var whole [][]float32 // batch-64 predictions made during Fit
	var mu sync.Mutex
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(bs int) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				got, err := predictAt(m, x, bs)
				if err != nil {
					errs <- err
					return
				}
				for _, v := range got {
					if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
						errs <- fmt.Errorf("batch %d: prediction %v during Fit", bs, v)
						return
					}
				}
				if bs == 64 {
					mu.Lock()
					whole = append(whole, got)
					mu.Unlock()
				}
			}
		}([]int{1, 16, 64}[g])
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	fresh := servedModel(t, 99)
	var refs [][]float32
	for _, ws := range snap.ws {
		if err := fresh.SetWeights(ws); err != nil {
			t.Fatal(err)
		}
		ref, err := predictAt(fresh, x, 64)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
	}
	for i, got := range whole {
		matched := false
		for _, ref := range refs {
			if sameBits(got, ref) {
				matched = true
				break
			}
		}
		if !matched {
			t.Errorf("prediction %d during Fit matches the weights of none of the %d steps", i, len(refs)-1)
		}
	}
	t.Logf("%d whole-batch predictions during Fit, checked against %d weight snapshots", len(whole), len(refs))
	for _, bs := range []int{1, 16, 64} {
		want, err := predictAt(fresh, x, bs) // fresh holds the last snapshot: the trained weights
		if err != nil {
			t.Fatal(err)
		}
		got, err := predictAt(m, x, bs)
		if err != nil {
			t.Fatal(err)
		}
		if !sameBits(got, want) {
			t.Errorf("batch %d: after Fit, predictions differ from a fresh model with the trained weights", bs)
		}
	}
}

// SetWeights and LoadWeights exclude the inference steps only while they copy: every
// prediction (one step, the whole batch) is bit for bit that of one weight set or the other,
// never a mixture, and Evaluate runs alongside.
func TestConcurrentPredictWithWeightChanges(t *testing.T) {
	m := servedModel(t, 23)
	x := randData(32, 12, 7)
	y := keras.OneHotForTest([]int{0, 1, 2, 3}, 32)
	a := m.Weights()
	wantA, err := predictAt(m, x, 32)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fit(x, y, keras.Verbose(0), keras.Epochs(3), keras.BatchSize(8)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "b.weights.h5")
	if err := m.SaveWeights(path); err != nil {
		t.Fatal(err)
	}
	wantB, err := predictAt(m, x, 32)
	if err != nil {
		t.Fatal(err)
	}
	if sameBits(wantA, wantB) {
		t.Fatal("training did not change the predictions: the test would show nothing")
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	stop := make(chan struct{})
	seen := make([][2]int, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if g == 3 {
					if _, err := m.Evaluate(x, y, keras.Verbose(0), keras.BatchSize(8)); err != nil {
						errs <- err
						return
					}
					continue
				}
				got, err := predictAt(m, x, 32)
				if err != nil {
					errs <- err
					return
				}
				switch {
				case sameBits(got, wantA):
					seen[g][0]++
				case sameBits(got, wantB):
					seen[g][1]++
				default:
					errs <- fmt.Errorf("goroutine %d: a prediction matches neither weight set", g)
					return
				}
			}
		}(g)
	}
	for i := 0; i < 10; i++ {
		if err := m.SetWeights(a); err != nil {
			t.Fatal(err)
		}
		if err := m.LoadWeights(path); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.SetWeights(a); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, err := predictAt(m, x, 32)
	if err != nil {
		t.Fatal(err)
	}
	if !sameBits(got, wantA) {
		t.Error("after SetWeights, predictions are not those of the weights set")
	}
	t.Logf("predictions per weight set (A, B) per goroutine: %v", seen[:3])
}

// A weight whose tensor is replaced (Variable.Value is exported) rather than copied into is
// read by the next Predict: realisations built over the old array are rebuilt.
func TestPredictSeesReplacedWeightTensor(t *testing.T) {
	m := servedModel(t, 24)
	x := randData(16, 12, 8)
	if _, err := predictAt(m, x, 16); err != nil { // builds and pools a realisation
		t.Fatal(err)
	}
	v := m.Variables()[0]
	w := v.Value.Clone().(*tensor.Dense)
	for i, f := range w.Data().([]float32) {
		w.Data().([]float32)[i] = f*0.5 + 0.01
	}
	ref := servedModel(t, 98)
	ws := m.Weights()
	ws[0] = w
	if err := ref.SetWeights(ws); err != nil {
		t.Fatal(err)
	}
	want, err := predictAt(ref, x, 16)
	if err != nil {
		t.Fatal(err)
	}
	v.Value = w
	got, err := predictAt(m, x, 16)
	if err != nil {
		t.Fatal(err)
	}
	if !sameBits(got, want) {
		t.Error("Predict still reads the weight tensor that was replaced")
	}
}

// Sequence models too: an Embedding with a padding mask (its mask table is one tensor shared
// by every realisation) into an LSTM, predicted from several goroutines with int token ids,
// equals the single-threaded predictions bit for bit.
func TestConcurrentPredictSequenceModel(t *testing.T) {
	keras.SetRandomSeed(25)
	in := keras.Input(keras.Shape{7}, keras.DType("int32"))
	x := layers.Embedding(20, 8, layers.MaskZero(true)).Call(in)
	x = layers.LSTM(6).Call(x)
	out := layers.Dense(3, layers.Activation("softmax")).Call(x)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int, 16*7)
	for i := range ids {
		ids[i] = (i*7 + i/5) % 20
		if i%7 > 4 {
			ids[i] = 0 // padding
		}
	}
	x16 := tensor.New(tensor.WithShape(16, 7), tensor.WithBacking(ids))
	want := map[int][]float32{}
	for _, bs := range []int{1, 16} {
		if want[bs], err = predictAt(m, x16, bs); err != nil {
			t.Fatal(err)
		}
	}
	predictConcurrently(t, m, x16, want, 6)
}

// predictConcurrently runs Predict from n goroutines, three times each, at the batch sizes
// that want holds (taken in turn), and reports every prediction that is not bit for bit the
// single-threaded one in want.
func predictConcurrently(t *testing.T, m *keras.Model, x *tensor.Dense, want map[int][]float32, n int) {
	t.Helper()
	sizes := make([]int, 0, len(want))
	for bs := range want {
		sizes = append(sizes, bs)
	}
	slices.Sort(sizes)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for g := 0; g < n; g++ {
		wg.Add(1)
		go func(bs int) {
			defer wg.Done()
			for i := 0; i < 3; i++ {
				got, err := predictAt(m, x, bs)
				if err != nil {
					errs <- err
					return
				}
				if !sameBits(got, want[bs]) {
					errs <- fmt.Errorf("batch %d: concurrent predictions differ from the single-threaded ones", bs)
					return
				}
			}
		}(sizes[g%len(sizes)])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
