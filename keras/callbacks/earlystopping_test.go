package callbacks

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
)

// Each case is worked out by hand from Keras 3's algorithm (KERAS.md §4.3): wait counts
// epochs since the best, training stops when wait >= patience at an epoch > 0.
func TestEarlyStoppingScripted(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name     string
		opts     []Option
		seq      []float64
		run      int     // epochs run
		stopped  int     // StoppedEpoch
		restored float64 // weights held at the end (epoch+1 of the epoch they come from)
	}{
		{"patience 0 stops at the first worse epoch", nil,
			[]float64{1.0, 0.9, 0.95, 0.8}, 3, 2, 3},
		{"patience 0 never stops at epoch 0", []Option{Monitor("loss")},
			[]float64{1.0, 1.0, 1.0}, 2, 1, 2},
		{"patience 1", []Option{Patience(1)},
			[]float64{1.0, 0.9, 0.95, 0.85, 0.86, 0.87}, 3, 2, 3},
		{"patience 2 restarts on improvement", []Option{Patience(2)},
			[]float64{1.0, 1.1, 0.9, 0.95, 0.91, 0.92, 0.5}, 5, 4, 5},
		{"patience 3", []Option{Patience(3)},
			[]float64{1.0, 0.8, 0.9, 0.85, 0.81, 0.82, 0.1}, 5, 4, 5},
		{"ties do not improve in max mode", []Option{Monitor("val_acc"), Mode("max"), Patience(2)},
			[]float64{0.5, 0.6, 0.6, 0.6, 0.7}, 4, 3, 4},
		{"ties do not improve in min mode", []Option{Patience(1)},
			[]float64{0.5, 0.5, 0.5}, 2, 1, 2},
		{"auto mode: acc goes up", []Option{Monitor("val_acc"), Patience(1)},
			[]float64{0.5, 0.6, 0.55, 0.58, 0.9}, 3, 2, 3},
		{"min_delta: 0.95 does not beat 1.0 by more than 0.1", []Option{MinDelta(0.1), Patience(1)},
			[]float64{1.0, 0.95, 0.85}, 2, 1, 2},
		{"min_delta: steps of 0.15 improve", []Option{MinDelta(0.1), Patience(1)},
			[]float64{1.0, 0.85, 0.7, 0.55, 0.5}, 5, 4, 5},
		{"baseline never beaten: stops after patience, restores the best", []Option{Baseline(0.5), Patience(2), RestoreBestWeights(true)},
			[]float64{0.8, 0.9, 0.85, 0.4}, 2, 1, 1},
		{"baseline never beaten but improving: no stop after an improvement", []Option{Baseline(0.5), Patience(2)},
			[]float64{0.8, 0.7, 0.6, 0.55}, 4, 0, 4},
		{"baseline beaten restarts the wait", []Option{Baseline(0.75), Patience(2)},
			[]float64{0.8, 0.7, 0.72, 0.71, 0.73}, 4, 3, 4},
		{"start_from_epoch ignores the warm-up", []Option{StartFromEpoch(2)},
			[]float64{0.1, 0.5, 1.0, 1.1, 0.9}, 4, 3, 4},
		{"restore the best when stopping", []Option{Patience(2), RestoreBestWeights(true)},
			[]float64{1.0, 0.7, 0.8, 0.9, 0.1}, 4, 3, 2},
		{"restore the best when training runs out", []Option{Patience(10), RestoreBestWeights(true)},
			[]float64{1.0, 0.7, 0.8, 0.75}, 4, 0, 2},
		{"NaN never improves", []Option{Patience(1)},
			[]float64{1.0, nan, 0.9}, 2, 1, 2},
		{"missing monitor: never stops", []Option{Monitor("val_missing"), Mode("min")},
			[]float64{1.0, 2.0, 3.0}, 3, 0, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := testModel(t, 0.01)
			es := EarlyStopping(c.opts...)
			es.Warn = nil
			key := "val_loss"
			if es.mon.name != "val_missing" {
				key = es.mon.name
			}
			run, err := script(t, es, m, key, c.seq, 0)
			if err != nil {
				t.Fatal(err)
			}
			if run != c.run || es.StoppedEpoch() != c.stopped {
				t.Errorf("ran %d epochs, stopped at %d; want %d, %d", run, es.StoppedEpoch(), c.run, c.stopped)
			}
			if got := weightMark(m); got != c.restored {
				t.Errorf("the model holds the weights of epoch %v, want %v", got, c.restored)
			}
		})
	}
}

// RestoreBestWeights restores at train end even when another callback stopped training.
func TestEarlyStoppingRestoresWhenAnotherCallbackStops(t *testing.T) {
	m := testModel(t, 0.01)
	es := EarlyStopping(Patience(5), RestoreBestWeights(true))
	stopper := Lambda(LambdaHooks{OnEpochEnd: func(epoch int, _ keras.Logs) error {
		if epoch == 3 {
			m.SetStopTraining(true)
		}
		return nil
	}})
	both := multi{es, stopper}
	run, err := script(t, both, m, "val_loss", []float64{0.9, 0.5, 0.7, 0.8, 0.1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if run != 4 || es.StoppedEpoch() != 0 || weightMark(m) != 2 {
		t.Errorf("ran %d, stopped %d, weights of epoch %v; want 4, 0 (not this callback), 2", run, es.StoppedEpoch(), weightMark(m))
	}
}

// multi dispatches to several callbacks, as Fit does.
type multi []keras.Callback

func (l multi) SetModel(m *keras.Model) {
	for _, c := range l {
		c.SetModel(m)
	}
}
func (l multi) each(f func(keras.Callback) error) error {
	for _, c := range l {
		if err := f(c); err != nil {
			return err
		}
	}
	return nil
}
func (l multi) OnTrainBegin(g keras.Logs) error {
	return l.each(func(c keras.Callback) error { return c.OnTrainBegin(g) })
}
func (l multi) OnTrainEnd(g keras.Logs) error {
	return l.each(func(c keras.Callback) error { return c.OnTrainEnd(g) })
}
func (l multi) OnEpochBegin(e int, g keras.Logs) error {
	return l.each(func(c keras.Callback) error { return c.OnEpochBegin(e, g) })
}
func (l multi) OnEpochEnd(e int, g keras.Logs) error {
	return l.each(func(c keras.Callback) error { return c.OnEpochEnd(e, g) })
}
func (l multi) OnTrainBatchBegin(b int, g keras.Logs) error {
	return l.each(func(c keras.Callback) error { return c.OnTrainBatchBegin(b, g) })
}
func (l multi) OnTrainBatchEnd(b int, g keras.Logs) error {
	return l.each(func(c keras.Callback) error { return c.OnTrainBatchEnd(b, g) })
}
func (l multi) OnTestBegin(keras.Logs) error              { return nil }
func (l multi) OnTestEnd(keras.Logs) error                { return nil }
func (l multi) OnTestBatchBegin(int, keras.Logs) error    { return nil }
func (l multi) OnTestBatchEnd(int, keras.Logs) error      { return nil }
func (l multi) OnPredictBegin(keras.Logs) error           { return nil }
func (l multi) OnPredictEnd(keras.Logs) error             { return nil }
func (l multi) OnPredictBatchBegin(int, keras.Logs) error { return nil }
func (l multi) OnPredictBatchEnd(int, keras.Logs) error   { return nil }

func TestEarlyStoppingVerboseMessages(t *testing.T) {
	m := testModel(t, 0.01)
	es := EarlyStopping(Patience(1), Verbose(1), RestoreBestWeights(true))
	var out bytes.Buffer
	es.Out = &out
	if _, err := script(t, es, m, "val_loss", []float64{0.5, 0.4, 0.6, 0.7}, 0); err != nil {
		t.Fatal(err)
	}
	want := "Epoch 3: early stopping\nRestoring model weights from the end of the best epoch: 2.\n"
	if out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
}

// One callback serves several Fit calls: OnTrainBegin resets the best and the wait.
func TestEarlyStoppingReuse(t *testing.T) {
	m := testModel(t, 0.01)
	es := EarlyStopping(Patience(1))
	if run, _ := script(t, es, m, "val_loss", []float64{0.1, 0.2, 0.3}, 0); run != 2 {
		t.Fatalf("first run: %d epochs", run)
	}
	if run, _ := script(t, es, m, "val_loss", []float64{0.9, 0.8, 0.7}, 0); run != 3 || es.StoppedEpoch() != 0 {
		t.Errorf("second run: %d epochs, stopped at %d; the best of the first run leaked", run, es.StoppedEpoch())
	}
	if b, ok := es.Best(); !ok || b != 0.7 || es.BestEpoch() != 2 || es.Wait() != 0 {
		t.Errorf("best %v %v at %d, wait %d", b, ok, es.BestEpoch(), es.Wait())
	}
}

func TestEarlyStoppingErrors(t *testing.T) {
	cases := []struct {
		name string
		cb   *EarlyStoppingCallback
		want string
	}{
		{"negative patience", EarlyStopping(Patience(-1)), "Patience(-1)"},
		{"unknown mode", EarlyStopping(Mode("maximum")), `Mode("maximum")`},
		{"option of another callback", EarlyStopping(Factor(0.5)), "Factor"},
		{"empty monitor", EarlyStopping(Monitor("")), "Monitor"},
		{"negative start", EarlyStopping(StartFromEpoch(-2)), "StartFromEpoch(-2)"},
		{"NaN min_delta", EarlyStopping(MinDelta(math.NaN())), "MinDelta"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.cb.Err()
			var ce *Error
			if !errors.Is(err, keras.ErrInvalidArgument) || !errors.As(err, &ce) || ce.Callback != "EarlyStopping" || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Err() = %v, want an *Error wrapping ErrInvalidArgument naming %s", err, c.want)
			}
			if got := c.cb.OnTrainBegin(keras.Logs{}); got == nil {
				t.Errorf("OnTrainBegin accepted the bad option")
			}
		})
	}
	// Several problems are reported together.
	if err := EarlyStopping(Patience(-1), Mode("up")).Err(); !strings.Contains(err.Error(), "Patience") || !strings.Contains(err.Error(), "Mode") {
		t.Errorf("Err() = %v, want both problems", err)
	}
}

// In auto mode the direction comes from the compiled metric; an unknown one is an error at
// the first epoch end, as Keras's ValueError.
func TestEarlyStoppingAutoDirection(t *testing.T) {
	cases := []struct {
		monitor string
		max     bool
		err     bool
	}{
		{"val_loss", false, false}, {"loss", false, false}, {"acc", true, false}, {"val_accuracy", true, false},
		{"val_mse", false, false}, {"mae", false, false},
		{"val_auc", false, true}, // not compiled
		{"val_foo", false, true}, {"learning_rate", false, true},
	}
	for _, c := range cases {
		t.Run(c.monitor, func(t *testing.T) {
			m := testModel(t, 0.01)
			es := EarlyStopping(Monitor(c.monitor))
			es.SetModel(m)
			es.Warn = nil
			err := es.OnEpochEnd(0, keras.Logs{c.monitor: 1})
			if c.err {
				if !errors.Is(err, keras.ErrInvalidArgument) || !strings.Contains(err.Error(), `Mode("max")`) {
					t.Errorf("error %v, want one suggesting Mode", err)
				}
				return
			}
			if err != nil || es.mon.max != c.max {
				t.Errorf("err %v, max %v; want max %v", err, es.mon.max, c.max)
			}
		})
	}
}
