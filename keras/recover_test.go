package keras_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
)

// panicky panics in the batch-end hook of every loop, as a bug in a callback (or in
// Gorgonia, below the same loop) would.
type panicky struct{ keras.BaseCallback }

func (panicky) OnTrainBatchEnd(int, keras.Logs) error   { panic("train hook") }
func (panicky) OnTestBatchEnd(int, keras.Logs) error    { panic("test hook") }
func (panicky) OnPredictBatchEnd(int, keras.Logs) error { panic("predict hook") }

// TestLoopsRecoverPanics checks that a panic inside Fit, Evaluate or Predict comes back as an
// error of kind ErrInternal naming the call, and that the model still works afterwards.
func TestLoopsRecoverPanics(t *testing.T) {
	m := smallModel(t)
	x, y := randData(4, 3, 1), randData(4, 2, 1)
	cb := keras.Callbacks(&panicky{})
	calls := map[string]func() error{
		"Fit":      func() error { _, err := m.Fit(x, y, keras.Verbose(0), cb); return err },
		"Evaluate": func() error { _, err := m.Evaluate(x, y, keras.Verbose(0), cb); return err },
		"Predict":  func() error { _, err := m.Predict(x, keras.Verbose(0), cb); return err },
	}
	for name, call := range calls {
		err := call()
		if !errors.Is(err, keras.ErrInternal) || !strings.HasPrefix(err.Error(), "keras: "+name+": internal error: ") {
			t.Errorf("%s: got %v, want a recovered ErrInternal", name, err)
		}
	}
	if _, err := m.Fit(x, y, keras.Verbose(0)); err != nil {
		t.Errorf("fit after the panics: %v", err)
	}
}
