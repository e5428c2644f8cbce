package callbacks

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/kerago/kerago/keras"
)

// ErrInvalidLoss is wrapped by the error of TerminateOnNaN(RaiseError(true)).
var ErrInvalidLoss = errors.New("invalid loss")

// TerminateOnNaNCallback stops training when the loss becomes NaN or infinite. Make one
// with [TerminateOnNaN].
type TerminateOnNaNCallback struct {
	keras.BaseCallback
	// Out receives the message printed when it stops training (default os.Stdout).
	Out io.Writer

	err        error
	raiseError bool
}

var _ keras.Callback = (*TerminateOnNaNCallback)(nil)

// TerminateOnNaN returns Keras 3's TerminateOnNaN callback: after every training batch whose
// running loss is NaN or ±Inf it prints "Batch N: Invalid loss, terminating training" and
// stops training; the current epoch still ends (with its validation and epoch hooks), so the
// History holds that epoch's invalid loss.
//
// Option: [RaiseError] (false; with true, Fit stops at once and returns an error instead).
func TerminateOnNaN(opts ...Option) *TerminateOnNaNCallback {
	o := (&options{}).apply(opts)
	return &TerminateOnNaNCallback{Out: os.Stdout, raiseError: o.raiseError,
		err: checkTaken("TerminateOnNaN", o, "RaiseError")}
}

// Err returns the problem with the options given, if any; Fit returns it too.
func (c *TerminateOnNaNCallback) Err() error { return c.err }

// OnTrainBegin reports a bad option.
func (c *TerminateOnNaNCallback) OnTrainBegin(keras.Logs) error { return c.err }

// OnTrainBatchEnd checks the loss.
func (c *TerminateOnNaNCallback) OnTrainBatchEnd(batch int, logs keras.Logs) error {
	if c.err != nil {
		return c.err
	}
	loss, ok := logs["loss"]
	if !ok || !(math.IsNaN(loss) || math.IsInf(loss, 0)) {
		return nil
	}
	if c.raiseError {
		return &Error{Callback: "TerminateOnNaN", Err: fmt.Errorf("%w: NaN or Inf loss encountered at batch %d. Loss value: %s. Terminating training immediately.", ErrInvalidLoss, batch, pyRepr(loss))}
	}
	fmt.Fprintf(c.Out, "Batch %d: Invalid loss, terminating training\n", batch)
	if m := c.Model(); m != nil {
		m.SetStopTraining(true)
	}
	return nil
}
