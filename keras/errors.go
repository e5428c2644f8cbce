package keras

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/kerago/kerago/keras/internal/errs"
)

// Sentinel errors: the kinds of error, shared by every package of the module (see "Errors" in
// the package documentation). Every error the module returns wraps one of them, or a
// package's own sentinel that refines one (losses.ErrUnknownLoss is an ErrUnknownName), or
// an I/O error; test the kind with errors.Is.
var (
	// ErrShape reports incompatible shapes: a layer input, a data array or a target.
	ErrShape = errs.Shape
	// ErrDType reports an unsupported or mismatched dtype.
	ErrDType = errs.DType
	// ErrUnknownName reports an unknown identifier: layer, layer class, input, output, loss,
	// metric, optimizer, activation or initializer name.
	ErrUnknownName = errs.UnknownName
	// ErrGraph reports a malformed layer graph: a disconnected output, a duplicate layer name.
	ErrGraph = errs.Graph
	// ErrNotCompiled is returned by Fit and Evaluate on a model that was not compiled.
	ErrNotCompiled = errs.NotCompiled
	// ErrData reports unusable data: nil tensors, wrong counts, mismatched sample counts.
	ErrData = errs.Data
	// ErrInvalidArgument reports an option or argument out of range, or one a call does not
	// take.
	ErrInvalidArgument = errs.InvalidArgument
	// ErrInternal wraps a panic recovered from Gorgonia or from the module itself.
	ErrInternal = errs.Internal
)

// ArgumentError reports a bad argument or option of a call, under Keras's name for it:
// "keras: Fit: batch_size: must be positive, got 0". Err is the kind (ErrInvalidArgument,
// ErrUnknownName, ErrData, ...) or a sub-package's error, which says the kind in turn;
// Unwrap returns it. Compile, Fit, Evaluate and Predict join one ArgumentError per problem
// with errors.Join, so every bad option is reported at once.
type ArgumentError struct {
	Call string // the method: "Compile", "Fit", "Evaluate", "Predict"
	Arg  string // Keras's argument name: "batch_size", "loss", "validation_split", ...
	Msg  string // the problem; when empty, Err's message is used
	Err  error
}

// Error formats the error as "keras: Call: arg: problem".
func (e *ArgumentError) Error() string {
	msg := e.Msg
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	return fmt.Sprintf("keras: %s: %s: %s", e.Call, e.Arg, msg)
}

// Unwrap returns the kind or the underlying error.
func (e *ArgumentError) Unwrap() error { return e.Err }

// callError puts the public call (and, for validation data, the argument) in front of an
// error of the model's machinery, so that every error of Fit reads "keras: Fit: ...":
// "keras: Fit: input "x": incompatible shape: ...", "keras: Fit: dense_2 (Dense): ...". The
// inner messages start with "keras: " because they are also complete on their own; the
// prefix is not repeated. Unwrap keeps the inner error for errors.Is and errors.As.
type callError struct {
	call, arg string
	err       error
}

func (e *callError) Error() string {
	where := e.call + ": "
	if e.arg != "" {
		where += e.arg + ": "
	}
	return "keras: " + where + strings.TrimPrefix(e.err.Error(), "keras: ")
}

func (e *callError) Unwrap() error { return e.err }

// inCall wraps err, if not nil and not already wrapped, in a callError of call and arg (arg
// may be empty).
func inCall(call, arg string, err error) error {
	var ce *callError
	if err == nil || errors.As(err, &ce) {
		return err
	}
	return &callError{call: call, arg: arg, err: err}
}

// LayerError is an error that happened in one layer; it names the layer and its class.
type LayerError struct {
	Layer string // layer name, e.g. "dense_2"
	Class string // layer class, e.g. "Dense"
	Err   error
}

// Error formats the error as "keras: name (Class): message".
func (e *LayerError) Error() string {
	return fmt.Sprintf("keras: %s (%s): %v", e.Layer, e.Class, e.Err)
}

// Unwrap returns the underlying error.
func (e *LayerError) Unwrap() error { return e.Err }

// layerErr wraps err with the layer's name and class, unless it already names a layer.
func layerErr(l Layer, err error) error {
	if err == nil {
		return nil
	}
	var le *LayerError
	if errors.As(err, &le) {
		return err
	}
	return &LayerError{Layer: l.Name(), Class: l.ClassName(), Err: err}
}

// recoverErr turns a recovered panic into an error wrapping ErrInternal. It is used in a
// deferred call at every public entry point: Gorgonia panics on misuse, we never do.
func recoverErr(where string, errp *error) {
	if r := recover(); r != nil {
		*errp = panicError(where, r)
	}
}

// panicError is the error recoverErr makes of a panic r recovered in where.
func panicError(where string, r any) error {
	return fmt.Errorf("keras: %s: %w: %v\n%s", where, ErrInternal, r, debug.Stack())
}
