package keras_test

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// counter counts every hook call.
type counter struct {
	keras.BaseCallback
	n       map[string]int
	stopAt  int // stop in OnTrainBatchEnd when batch == stopAt (if >= 0)
	failAt  string
	logKeys map[string][]string
}

func newCounter() *counter {
	return &counter{n: map[string]int{}, stopAt: -1, logKeys: map[string][]string{}}
}

func (c *counter) hit(name string, logs keras.Logs) error {
	c.n[name]++
	c.logKeys[name] = logs.SortedKeys()
	if c.failAt == name {
		return errors.New("hook failed on purpose")
	}
	return nil
}
func (c *counter) OnTrainBegin(l keras.Logs) error             { return c.hit("train_begin", l) }
func (c *counter) OnTrainEnd(l keras.Logs) error               { return c.hit("train_end", l) }
func (c *counter) OnEpochBegin(_ int, l keras.Logs) error      { return c.hit("epoch_begin", l) }
func (c *counter) OnEpochEnd(_ int, l keras.Logs) error        { return c.hit("epoch_end", l) }
func (c *counter) OnTrainBatchBegin(_ int, l keras.Logs) error { return c.hit("train_batch_begin", l) }
func (c *counter) OnTrainBatchEnd(b int, l keras.Logs) error {
	if b == c.stopAt {
		c.Model().SetStopTraining(true)
	}
	return c.hit("train_batch_end", l)
}
func (c *counter) OnTestBegin(l keras.Logs) error             { return c.hit("test_begin", l) }
func (c *counter) OnTestEnd(l keras.Logs) error               { return c.hit("test_end", l) }
func (c *counter) OnTestBatchBegin(_ int, l keras.Logs) error { return c.hit("test_batch_begin", l) }
func (c *counter) OnTestBatchEnd(_ int, l keras.Logs) error   { return c.hit("test_batch_end", l) }
func (c *counter) OnPredictBegin(l keras.Logs) error          { return c.hit("predict_begin", l) }
func (c *counter) OnPredictEnd(l keras.Logs) error            { return c.hit("predict_end", l) }
func (c *counter) OnPredictBatchBegin(_ int, l keras.Logs) error {
	return c.hit("predict_batch_begin", l)
}
func (c *counter) OnPredictBatchEnd(_ int, l keras.Logs) error { return c.hit("predict_batch_end", l) }

func randData(n, d int, seed uint64) *tensor.Dense {
	r := rand.New(rand.NewPCG(seed, 1))
	v := make([]float32, n*d)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return tensor.New(tensor.WithShape(n, d), tensor.WithBacking(v))
}

func smallModel(t *testing.T) *keras.Model {
	t.Helper()
	in := keras.Input(keras.Shape{3})
	x := layers.Dense(4, layers.Activation("relu")).Call(in)
	x = layers.Dropout(0.2).Call(x)
	out := layers.Dense(2).Call(x)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "mse", keras.Metrics("mae")); err != nil {
		t.Fatal(err)
	}
	return m
}

// The counts of Keras's own test (callbacks_test.test_callback_hooks_are_called_in_fit):
// 10 samples, batch 2, 5 epochs, 4 validation samples.
func TestHookCounts(t *testing.T) {
	m := smallModel(t)
	c := newCounter()
	_, err := m.Fit(randData(10, 3, 1), randData(10, 2, 2), keras.Epochs(5), keras.BatchSize(2), keras.Verbose(0),
		keras.ValidationData(randData(4, 3, 3), randData(4, 2, 4)), keras.Callbacks(c))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"train_begin": 1, "train_end": 1, "epoch_begin": 5, "epoch_end": 5,
		"train_batch_begin": 25, "train_batch_end": 25, "test_begin": 5, "test_end": 5,
		"test_batch_begin": 10, "test_batch_end": 10}
	for k, v := range want {
		if c.n[k] != v {
			t.Errorf("%s called %d times, Keras calls it %d times", k, c.n[k], v)
		}
	}
	if got := strings.Join(c.logKeys["epoch_end"], ","); got != "loss,mae,val_loss,val_mae" {
		t.Errorf("epoch end logs %s", got)
	}
	if got := strings.Join(c.logKeys["train_batch_end"], ","); got != "loss,mae" {
		t.Errorf("batch end logs %s", got)
	}
	if got := strings.Join(c.logKeys["test_end"], ","); got != "loss,mae" {
		t.Errorf("test end logs %s", got)
	}
	ec := newCounter()
	if _, err := m.Evaluate(randData(10, 3, 5), randData(10, 2, 6), keras.BatchSize(2), keras.Verbose(0), keras.Callbacks(ec)); err != nil {
		t.Fatal(err)
	}
	if ec.n["test_batch_end"] != 5 || ec.n["test_begin"] != 1 || ec.n["test_end"] != 1 {
		t.Errorf("evaluate hooks %v", ec.n)
	}
	pc := newCounter()
	out, err := m.Predict(randData(10, 3, 7), keras.BatchSize(2), keras.Verbose(0), keras.Callbacks(pc))
	if err != nil {
		t.Fatal(err)
	}
	if pc.n["predict_batch_end"] != 5 || pc.n["predict_begin"] != 1 || pc.n["predict_end"] != 1 {
		t.Errorf("predict hooks %v", pc.n)
	}
	if len(out) != 1 || !out[0].Shape().Eq([]int{10, 2}) {
		t.Errorf("predict returned %v", out)
	}
}

// Keras: a callback that stops at batch 2 with 10 samples / batch 2 sees exactly 3 batches
// and the history has one epoch.
func TestStopTrainingInsideEpoch(t *testing.T) {
	m := smallModel(t)
	c := newCounter()
	c.stopAt = 2
	h, err := m.Fit(randData(10, 3, 1), randData(10, 2, 2), keras.Epochs(5), keras.BatchSize(2), keras.Verbose(0), keras.Callbacks(c))
	if err != nil {
		t.Fatal(err)
	}
	if c.n["train_batch_end"] != 3 || len(h.History["loss"]) != 1 || c.n["train_end"] != 1 {
		t.Errorf("batches %d, epochs %d, train_end %d", c.n["train_batch_end"], len(h.History["loss"]), c.n["train_end"])
	}
}

func TestHookErrorStopsFit(t *testing.T) {
	m := smallModel(t)
	c := newCounter()
	c.failAt = "epoch_end"
	_, err := m.Fit(randData(10, 3, 1), randData(10, 2, 2), keras.Epochs(5), keras.BatchSize(5), keras.Verbose(0), keras.Callbacks(c))
	if err == nil || !strings.Contains(err.Error(), "on purpose") {
		t.Fatalf("Fit returned %v", err)
	}
	if c.n["epoch_end"] != 1 || c.n["train_end"] != 1 {
		t.Errorf("epoch_end %d train_end %d", c.n["epoch_end"], c.n["train_end"])
	}
}

func TestPartialBatchAndSteps(t *testing.T) {
	m := smallModel(t)
	c := newCounter()
	// 10 samples, batch 4: steps 4, 4, 2 — the last partial batch is trained.
	if _, err := m.Fit(randData(10, 3, 1), randData(10, 2, 2), keras.Epochs(1), keras.BatchSize(4), keras.Verbose(0), keras.Callbacks(c)); err != nil {
		t.Fatal(err)
	}
	if c.n["train_batch_end"] != 3 || c.Params().Steps != 3 {
		t.Errorf("steps %d (params %d), want 3", c.n["train_batch_end"], c.Params().Steps)
	}
	// 100 samples with ValidationSplit(0.2), batch 32: 80 training samples, 3 steps.
	c2 := newCounter()
	h, err := m.Fit(randData(100, 3, 1), randData(100, 2, 2), keras.Epochs(1), keras.BatchSize(32), keras.Verbose(0),
		keras.ValidationSplit(0.2), keras.Callbacks(c2))
	if err != nil {
		t.Fatal(err)
	}
	if c2.Params().Steps != 3 || c2.n["test_batch_end"] != 1 {
		t.Errorf("steps %d, validation batches %d", c2.Params().Steps, c2.n["test_batch_end"])
	}
	if _, ok := h.History["val_loss"]; !ok {
		t.Errorf("no val_loss in %v", h.History)
	}
}

func TestInitialEpoch(t *testing.T) {
	m := smallModel(t)
	h, err := m.Fit(randData(10, 3, 1), randData(10, 2, 2), keras.Epochs(5), keras.InitialEpoch(2), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epoch) != 3 || h.Epoch[0] != 2 || h.Epoch[2] != 4 {
		t.Errorf("epochs %v, Keras runs [2 3 4]", h.Epoch)
	}
}

func TestShuffleReproducible(t *testing.T) {
	run := func() []float64 {
		keras.SetRandomSeed(7)
		m := smallModel(t)
		h, err := m.Fit(randData(50, 3, 1), randData(50, 2, 2), keras.Epochs(3), keras.BatchSize(8), keras.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		return h.History["loss"]
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different losses: %v vs %v", a, b)
		}
	}
}

func TestVerboseOutput(t *testing.T) {
	m := smallModel(t)
	var sb strings.Builder
	p := keras.NewProgbarLogger(2)
	p.Out = &sb
	if _, err := m.Fit(randData(10, 3, 1), randData(10, 2, 2), keras.Epochs(2), keras.BatchSize(4), keras.Verbose(0), keras.Callbacks(p)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(sb.String()), "\n")
	if len(lines) != 4 || lines[0] != "Epoch 1/2" || !strings.HasPrefix(lines[1], "3/3 - ") || !strings.Contains(lines[1], " - loss: ") {
		t.Errorf("verbose 2 output:\n%s", sb.String())
	}
}
