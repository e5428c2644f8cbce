package keras

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// Sentinel errors. Every error the package returns wraps one of them (or an error from a
// sub-package), so callers can test the kind with errors.Is.
var (
	// ErrShape reports incompatible shapes: a layer input, a data array or a target.
	ErrShape = errors.New("incompatible shape")
	// ErrDType reports an unsupported or mismatched dtype.
	ErrDType = errors.New("unsupported dtype")
	// ErrUnknownName reports an unknown identifier: layer, input, output, loss, metric, optimizer,
	// activation or initializer name.
	ErrUnknownName = errors.New("unknown name")
	// ErrGraph reports a malformed layer graph: a disconnected output, a duplicate layer name.
	ErrGraph = errors.New("invalid layer graph")
	// ErrNotCompiled is returned by Fit and Evaluate on a model that was not compiled.
	ErrNotCompiled = errors.New("model is not compiled")
	// ErrData reports unusable data: nil tensors, wrong counts, mismatched sample counts.
	ErrData = errors.New("invalid data")
	// ErrInvalidArgument reports an option or argument out of range.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrInternal wraps a panic recovered from Gorgonia or from the package itself.
	ErrInternal = errors.New("internal error")
)

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
		*errp = fmt.Errorf("keras: %s: %w: %v\n%s", where, ErrInternal, r, debug.Stack())
	}
}
