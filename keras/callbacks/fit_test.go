package callbacks

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"gorgonia.org/tensor"
)

// binaryData returns n samples of 2 features in [-1, 1] (a fixed pattern) and the label
// x0 + x1 > 0 (flipped when flip is set, so that learning the one set worsens the other).
func binaryData(n int, flip bool) (x, y *tensor.Dense) {
	x = fill(func(i int) float32 { return float32(math.Sin(float64(i)*1.7 + 0.3)) }, n, 2)
	xs := x.Data().([]float32)
	y = fill(func(i int) float32 {
		pos := xs[2*i]+xs[2*i+1] > 0
		if pos != flip {
			return 1
		}
		return 0
	}, n, 1)
	return x, y
}

func cloneWeights(m *keras.Model) []*tensor.Dense {
	var out []*tensor.Dense
	for _, w := range m.Weights() {
		out = append(out, w.Clone().(*tensor.Dense))
	}
	return out
}

func equalWeights(a, b []*tensor.Dense) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i].Data().([]float32), b[i].Data().([]float32)
		for j := range x {
			if x[j] != y[j] {
				return false
			}
		}
	}
	return true
}

// Keras's test: a callback that stops at batch 2 (10 samples, batch 2) sees exactly 3
// batches, and the history has one epoch.
func TestFitStopInsideEpoch(t *testing.T) {
	m := testModel(t, 0.1)
	x, y := binaryData(10, false)
	seen := 0
	stop := Lambda(LambdaHooks{OnTrainBatchEnd: func(batch int, _ keras.Logs) error {
		seen++
		if batch == 2 {
			m.SetStopTraining(true)
		}
		return nil
	}})
	h, err := m.Fit(x, y, keras.Epochs(5), keras.BatchSize(2), keras.Verbose(0), keras.Callbacks(stop))
	if err != nil {
		t.Fatal(err)
	}
	if seen != 3 || len(h.History["loss"]) != 1 || len(h.Epoch) != 1 {
		t.Errorf("%d batches, %d epochs in history; want 3 and 1", seen, len(h.History["loss"]))
	}
}

// NaN inputs make the loss NaN at the first batch: TerminateOnNaN stops training after it,
// the epoch still ends (validation included) and the history holds its NaN loss.
func TestFitTerminateOnNaN(t *testing.T) {
	m := testModel(t, 0.1)
	x, y := binaryData(12, false)
	x.Data().([]float32)[0] = float32(math.NaN())
	ton := TerminateOnNaN()
	var out bytes.Buffer
	ton.Out = &out
	batches := 0
	count := Lambda(LambdaHooks{OnTrainBatchEnd: func(int, keras.Logs) error { batches++; return nil }})
	xv, yv := binaryData(4, false)
	h, err := m.Fit(x, y, keras.Epochs(3), keras.BatchSize(4), keras.Shuffle(false), keras.Verbose(0),
		keras.Callbacks(ton, count), keras.ValidationData(xv, yv))
	if err != nil {
		t.Fatal(err)
	}
	if batches != 1 || len(h.History["loss"]) != 1 || !math.IsNaN(h.History["loss"][0]) {
		t.Errorf("%d batches, history %v; want 1 batch and one NaN loss", batches, h.History)
	}
	if _, ok := h.History["val_loss"]; !ok {
		t.Errorf("the stopped epoch was not validated: %v", h.History)
	}
	if out.String() != "Batch 0: Invalid loss, terminating training\n" {
		t.Errorf("printed %q", out.String())
	}

	// With RaiseError, Fit returns the error at once.
	m = testModel(t, 0.1)
	ton = TerminateOnNaN(RaiseError(true))
	h, err = m.Fit(x, y, keras.Epochs(3), keras.BatchSize(4), keras.Shuffle(false), keras.Verbose(0), keras.Callbacks(ton))
	if !errors.Is(err, ErrInvalidLoss) || !strings.Contains(err.Error(), "batch 0") {
		t.Fatalf("error %v, want ErrInvalidLoss at batch 0", err)
	}
	if h != nil && len(h.Epoch) != 0 {
		t.Errorf("history %v after an immediate stop", h.Epoch)
	}
}

// The model trains on the label x0 > 0 and is validated on x0 + x1 > 0: validation loss
// falls for a few epochs, then rises as the model sharpens on x0 alone. EarlyStopping stops
// after its patience and restores the weights of the epoch with the lowest validation loss.
func TestFitEarlyStoppingRestoreBestWeights(t *testing.T) {
	keras.SetRandomSeed(3)
	m := testModel(t, 0.5)
	x, _ := binaryData(64, false)
	xs := x.Data().([]float32)
	y := fill(func(i int) float32 {
		if xs[2*i] > 0 {
			return 1
		}
		return 0
	}, 64, 1)
	xv, yv := binaryData(64, false)
	var perEpoch [][]*tensor.Dense
	snap := Lambda(LambdaHooks{OnEpochEnd: func(int, keras.Logs) error {
		perEpoch = append(perEpoch, cloneWeights(m))
		return nil
	}})
	es := EarlyStopping(Patience(2), RestoreBestWeights(true), Verbose(1))
	var out bytes.Buffer
	es.Out = &out
	h, err := m.Fit(x, y, keras.Epochs(30), keras.BatchSize(16), keras.Verbose(0),
		keras.Callbacks(snap, es), keras.ValidationData(xv, yv))
	if err != nil {
		t.Fatal(err)
	}
	vl := h.History["val_loss"]
	best := 0
	for i, v := range vl {
		if v < vl[best] {
			best = i
		}
	}
	t.Logf("val_loss %v, best epoch %d, stopped at %d", vl, best, es.StoppedEpoch())
	if best == 0 {
		t.Fatalf("validation loss %v never fell: the test proves little", vl)
	}
	if len(vl) != best+3 || es.StoppedEpoch() != best+2 {
		t.Errorf("ran %d epochs with the best at %d: want a stop %d epochs (patience 2) after it", len(vl), best, 2)
	}
	if !equalWeights(m.Weights(), perEpoch[best]) {
		t.Errorf("the model does not hold the weights of epoch %d", best)
	}
	if equalWeights(m.Weights(), perEpoch[len(perEpoch)-1]) {
		t.Errorf("the model still holds the last epoch's weights")
	}
	want := "Epoch " + strconv.Itoa(best+3) + ": early stopping\nRestoring model weights from the end of the best epoch: " + strconv.Itoa(best+1) + ".\n"
	if out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
}

// ReduceLROnPlateau and LearningRateScheduler add learning_rate to the epoch logs, so the
// History records the rate in use during every epoch.
func TestFitLearningRateInHistory(t *testing.T) {
	x, y := binaryData(32, false)
	xv, yv := binaryData(32, true)
	t.Run("ReduceLROnPlateau", func(t *testing.T) {
		m := testModel(t, 0.5)
		r := ReduceLROnPlateau(Patience(0), Factor(0.5), MinDelta(0))
		h, err := m.Fit(x, y, keras.Epochs(5), keras.BatchSize(8), keras.Verbose(0), keras.Callbacks(r), keras.ValidationData(xv, yv))
		if err != nil {
			t.Fatal(err)
		}
		vl, lrs := h.History["val_loss"], h.History["learning_rate"]
		lr := 0.5
		for i := range vl {
			if lrs[i] != lr {
				t.Errorf("epoch %d: learning_rate %v, want %v (val_loss %v)", i, lrs[i], lr, vl)
			}
			if i > 0 && !(vl[i] < minOf(vl[:i])) {
				lr *= 0.5
			}
		}
		if lr == 0.5 {
			t.Errorf("validation loss %v never stalled: the test proves nothing", vl)
		}
	})
	t.Run("LearningRateScheduler", func(t *testing.T) {
		m := testModel(t, 0.5)
		s := LearningRateScheduler(func(epoch int, lr float64) float64 { return 0.1 / float64(epoch+1) })
		h, err := m.Fit(x, y, keras.Epochs(4), keras.BatchSize(8), keras.Verbose(0), keras.Callbacks(s))
		if err != nil {
			t.Fatal(err)
		}
		for i, got := range h.History["learning_rate"] {
			if got != 0.1/float64(i+1) {
				t.Errorf("epoch %d: learning_rate %v", i, got)
			}
		}
		if len(h.History["learning_rate"]) != 4 || m.Optimizer().LearningRate() != 0.025 {
			t.Errorf("history %v, optimizer at %v", h.History["learning_rate"], m.Optimizer().LearningRate())
		}
		// A schedule returning a negative rate stops training with an error.
		bad := LearningRateScheduler(func(epoch int, lr float64) float64 { return -lr })
		if _, err := m.Fit(x, y, keras.Epochs(2), keras.Verbose(0), keras.Callbacks(bad)); !errors.Is(err, keras.ErrInvalidArgument) {
			t.Errorf("negative rate: %v", err)
		}
	})
}

func minOf(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = math.Min(m, x)
	}
	return m
}

// CSVLogger's rows read back as the History's values, validation columns included.
func TestFitCSVLogger(t *testing.T) {
	m := testModel(t, 0.1)
	x, y := binaryData(20, false)
	path := filepath.Join(t.TempDir(), "log.csv")
	h, err := m.Fit(x, y, keras.Epochs(3), keras.BatchSize(8), keras.Verbose(0),
		keras.Callbacks(CSVLogger(path)), keras.ValidationSplit(0.25))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n")
	header := "epoch,acc,accuracy,loss,mae,mse,val_acc,val_accuracy,val_loss,val_mae,val_mse"
	if len(lines) != 4 || lines[0] != header {
		t.Fatalf("file:\n%s", b)
	}
	cols := strings.Split(header, ",")
	for e, line := range lines[1:] {
		cells := strings.Split(line, ",")
		if cells[0] != strconv.Itoa(e) {
			t.Errorf("row %d starts with %s", e, cells[0])
		}
		for i, c := range cols[1:] {
			v, err := strconv.ParseFloat(cells[i+1], 64)
			if err != nil || v != h.History[c][e] || cells[i+1] != pyRepr(h.History[c][e]) {
				t.Errorf("row %d %s = %q, history %v", e, c, cells[i+1], h.History[c][e])
			}
		}
	}
}

// A bad option, an unwritable checkpoint path: Fit returns the callback's error.
func TestFitReturnsCallbackErrors(t *testing.T) {
	x, y := binaryData(8, false)
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	cases := []struct {
		name   string
		cb     keras.Callback
		epochs int // epochs recorded before the error
		target error
	}{
		{"bad option", EarlyStopping(Patience(-1)), 0, keras.ErrInvalidArgument},
		{"unknown monitor direction", EarlyStopping(Monitor("val_auc")), 0, keras.ErrInvalidArgument},
		{"unwritable checkpoint", ModelCheckpoint(filepath.Join(file, "m.keras")), 0, nil},
		{"unwritable CSV", CSVLogger(filepath.Join(file, "log.csv")), 0, nil},
		{"lambda error", Lambda(LambdaHooks{OnEpochEnd: func(e int, _ keras.Logs) error {
			if e == 1 {
				return io.ErrUnexpectedEOF
			}
			return nil
		}}), 1, io.ErrUnexpectedEOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := testModel(t, 0.1)
			h, err := m.Fit(x, y, keras.Epochs(3), keras.Verbose(0), keras.Callbacks(c.cb))
			var ce *Error
			if err == nil || (c.target != nil && !errors.Is(err, c.target)) || (c.target == nil && !errors.As(err, &ce)) {
				t.Fatalf("Fit error %v", err)
			}
			if h != nil && len(h.Epoch) != c.epochs {
				t.Errorf("%d epochs recorded, want %d", len(h.Epoch), c.epochs)
			}
		})
	}
}

// Keras's hook counts (callbacks_test.test_callback_hooks_are_called_in_fit): 10 samples,
// batch 2, 5 epochs, 4 validation samples.
func TestFitLambdaHookCounts(t *testing.T) {
	m := testModel(t, 0.1)
	x, y := binaryData(10, false)
	xv, yv := binaryData(4, false)
	n := map[string]int{}
	inc := func(k string) func(keras.Logs) error { return func(keras.Logs) error { n[k]++; return nil } }
	inc1 := func(k string) func(int, keras.Logs) error { return func(int, keras.Logs) error { n[k]++; return nil } }
	l := Lambda(LambdaHooks{
		OnTrainBegin: inc("train_begin"), OnTrainEnd: inc("train_end"),
		OnEpochBegin: inc1("epoch_begin"), OnEpochEnd: inc1("epoch_end"),
		OnTrainBatchBegin: inc1("train_batch_begin"), OnTrainBatchEnd: inc1("train_batch_end"),
		OnTestBegin: inc("test_begin"), OnTestEnd: inc("test_end"),
		OnTestBatchBegin: inc1("test_batch_begin"), OnTestBatchEnd: inc1("test_batch_end"),
		OnPredictBegin: inc("predict_begin"), OnPredictEnd: inc("predict_end"),
		OnPredictBatchBegin: inc1("predict_batch_begin"), OnPredictBatchEnd: inc1("predict_batch_end"),
	})
	if _, err := m.Fit(x, y, keras.Epochs(5), keras.BatchSize(2), keras.Verbose(0), keras.Callbacks(l), keras.ValidationData(xv, yv)); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"train_begin": 1, "train_end": 1, "epoch_begin": 5, "epoch_end": 5,
		"train_batch_begin": 25, "train_batch_end": 25, "test_begin": 5, "test_end": 5,
		"test_batch_begin": 10, "test_batch_end": 10}
	for k, v := range want {
		if n[k] != v {
			t.Errorf("%s called %d times, want %d", k, n[k], v)
		}
	}
	if _, err := m.Predict(x, keras.BatchSize(2), keras.Verbose(0), keras.Callbacks(l)); err != nil {
		t.Fatal(err)
	}
	if n["predict_begin"] != 1 || n["predict_batch_end"] != 5 || n["predict_end"] != 1 {
		t.Errorf("predict hooks %v", n)
	}
}

// A History or ProgbarLogger among the callbacks replaces the one Fit would add, as in
// Keras: Fit returns the given History, and only one bar is printed.
func TestFitUsesGivenHistoryAndProgbar(t *testing.T) {
	m := testModel(t, 0.1)
	x, y := binaryData(8, false)
	hist := History()
	bar := ProgbarLogger()
	var out bytes.Buffer
	bar.Out, bar.Dynamic = &out, false
	// Catch anything printed to the real stdout (a second, default bar).
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	h, err := m.Fit(x, y, keras.Epochs(2), keras.BatchSize(4), keras.Verbose(2), keras.Callbacks(hist, bar))
	os.Stdout = stdout
	w.Close()
	extra, _ := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if h != hist || len(hist.History["loss"]) != 2 {
		t.Errorf("Fit returned %p, given %p; history %v", h, hist, hist.History)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 || lines[0] != "Epoch 1/2" || !strings.HasPrefix(lines[1], "2/2 - ") {
		t.Errorf("the given bar printed %q", out.String())
	}
	if len(extra) != 0 {
		t.Errorf("a second bar printed %q", extra)
	}
	// A second Fit with the same History keeps its values and restarts the epochs, as Keras 3.
	if _, err := m.Fit(x, y, keras.Epochs(1), keras.Verbose(0), keras.Callbacks(hist)); err != nil {
		t.Fatal(err)
	}
	if len(hist.History["loss"]) != 3 || len(hist.Epoch) != 1 {
		t.Errorf("after a second Fit: %d losses, epochs %v", len(hist.History["loss"]), hist.Epoch)
	}
}
