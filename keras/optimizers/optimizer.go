package optimizers

import (
	"fmt"
	"strings"

	"github.com/kerago/kerago/keras/internal/errs"
	"gorgonia.org/tensor"
)

// Optimizer updates model parameters in place from their gradients, one training step per
// call to Apply, as a Keras 3 optimizer does.
//
// An Optimizer is bound to one list of parameters, by identity: the first Apply (or
// [Builder.Build], which keras's Compile calls) binds it, and every later Apply must pass the
// same *tensor.Dense values in the same order. Other tensors, even of the same shapes, are an
// error wrapping [ErrMismatch]: one optimizer cannot serve two models (Keras 3 raises "Unknown
// variable" there). SetVariables restores a state by position and lets the next Apply bind
// the tensors it is given.
//
// The optimizers of this package are safe for concurrent use (see the package doc); an
// implementation of one's own used with keras's callbacks should be too, since callbacks read
// and set the learning rate between steps while other goroutines may be training.
type Optimizer interface {
	// Name is the Keras identifier, e.g. "adam", "sgd", "rmsprop", "adagrad".
	Name() string
	// LearningRate returns the current learning rate.
	LearningRate() float64
	// SetLearningRate sets the learning rate used from the next Apply on. A negative, NaN or
	// infinite value makes Apply fail until a valid one is set.
	SetLearningRate(lr float64)
	// Apply performs one update step: every params[i] is updated in place from grads[i]
	// (same shape and dtype, float32 or float64 *tensor.Dense). It is called once per
	// training step, always with the same params (the same tensors) in the same order; state
	// (moments) is created lazily on the first call, sized from params. After the first call
	// it does not allocate. Errors (length mismatch, shape or dtype mismatch, nil tensors, a sticky
	// construction error) are returned, never panics; on error no parameter is changed.
	// Empty params and grads are a no-op, as in Keras.
	Apply(params, grads []*tensor.Dense) error
	// Iterations is the number of successful Apply calls so far (Keras's
	// optimizer.iterations).
	Iterations() int64
	// Config returns the Keras 3 get_config() dict of the optimizer (name, learning_rate and
	// the hyper-parameters under their Keras key names).
	Config() map[string]any
	// Variables returns copies of the optimizer variables in Keras 3 order for saving
	// (optimizer/vars/0..N): index 0 is the iteration count (int64 scalar), index 1 the
	// learning rate (float64 scalar, so that it round-trips exactly; Keras itself writes
	// float32 and casts float64 on load), then the slot variables in Keras's order (see each
	// constructor). Before the first Apply only the first two exist.
	Variables() []*tensor.Dense
	// SetVariables restores variables in the layout Variables returns, so a saved optimizer
	// resumes exactly. It may be called before the first Apply (the slots are then checked
	// against the parameters by that Apply). Slot values are converted to the parameter
	// dtype, as Keras does on load. A float32 learning rate (as Keras writes it) is read as
	// the shortest decimal that rounds to it, so 0.001 stays 0.001.
	SetVariables(vars []*tensor.Dense) error
}

// Builder is implemented by optimizers that can be bound to their parameters before the first
// Apply, and bound again to another list: every optimizer of this package. keras's
// Model.Compile calls Build with the model's trainable weights, so that recompiling a model
// with the same optimizer after changing which weights are trainable keeps the state of the
// weights still trained (and the iteration count) and starts fresh state for the others.
type Builder interface {
	// Build binds the optimizer to params (see [Optimizer]). Binding a built optimizer to
	// another list keeps the slot variables of the tensors it had, creates fresh ones for the
	// new tensors and drops the rest; the iteration count and learning rate are kept. Errors
	// wrap [ErrMismatch] and change nothing.
	Build(params []*tensor.Dense) error
}

// Sentinel errors. Errors returned by this package wrap one of them in an [*Error], so
// errors.Is and errors.As work. Each refines one of the kinds package keras exports (named
// below), so errors.Is(err, keras.ErrUnknownName) holds for an unknown optimizer too.
var (
	// ErrUnknownOptimizer reports a name that is not a known optimizer identifier; a
	// keras.ErrUnknownName.
	ErrUnknownOptimizer = errs.Refine(errs.UnknownName, "unknown optimizer")
	// ErrInvalidOption reports an option value out of range, or an option that the
	// optimizer does not take; a keras.ErrInvalidArgument.
	ErrInvalidOption = errs.Refine(errs.InvalidArgument, "invalid option")
	// ErrMismatch reports params and grads that do not fit each other or the optimizer
	// state: different lengths, shapes or dtypes, nil or non-contiguous tensors, or params
	// other than the tensors the optimizer is bound to. A keras.ErrInvalidArgument.
	ErrMismatch = errs.Refine(errs.InvalidArgument, "params and grads mismatch")
	// ErrVariables reports variables given to SetVariables that do not fit the optimizer; a
	// keras.ErrInvalidArgument.
	ErrVariables = errs.Refine(errs.InvalidArgument, "invalid optimizer variables")
	// ErrConfig reports a Keras config that cannot be turned into an optimizer; a
	// keras.ErrFileFormat, as configs come from model files.
	ErrConfig = errs.Refine(errs.FileFormat, "invalid optimizer config")
)

// Error is the error type of this package: it names the optimizer and the operation, says
// what went wrong, and wraps one of the sentinel errors.
type Error struct {
	// Optimizer is the Keras identifier of the optimizer involved ("adam", ...), if any.
	Optimizer string
	// Op is the operation that failed: "Apply", "SetVariables", "option", "Get", "FromConfig".
	Op string
	// Detail says what was expected and what was received.
	Detail string
	// Err is the sentinel error this one wraps.
	Err error
}

// Error implements the error interface.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("optimizers: ")
	if e.Optimizer != "" {
		b.WriteString(e.Optimizer)
		b.WriteString(": ")
	}
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(e.Detail)
	return b.String()
}

// Unwrap returns the wrapped sentinel error.
func (e *Error) Unwrap() error { return e.Err }

func newError(opt, op string, sentinel error, format string, args ...any) *Error {
	return &Error{Optimizer: opt, Op: op, Err: sentinel, Detail: fmt.Sprintf(format, args...)}
}

// knownNames lists the identifiers Get accepts, in the order error messages show them.
var knownNames = []string{"adadelta", "adagrad", "adam", "adamax", "adamw", "ftrl", "lion", "nadam", "rmsprop", "sgd"}

// Get resolves a Keras optimizer identifier, case-insensitively ("sgd", "adam", "adamw",
// "adamax", "nadam", "lion", "rmsprop", "adagrad", "adadelta", "ftrl"), to a new optimizer with Keras's default hyper-parameters. An unknown name gives
// an error wrapping [ErrUnknownOptimizer] that lists the known ones.
func Get(name string) (Optimizer, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "sgd":
		return SGD(), nil
	case "adam":
		return Adam(), nil
	case "adamw":
		return AdamW(), nil
	case "adamax":
		return Adamax(), nil
	case "lion":
		return Lion(), nil
	case "ftrl":
		return Ftrl(), nil
	case "nadam":
		return Nadam(), nil
	case "adadelta":
		return Adadelta(), nil
	case "rmsprop":
		return RMSprop(), nil
	case "adagrad":
		return Adagrad(), nil
	}
	return nil, newError("", "Get", ErrUnknownOptimizer,
		"unknown optimizer %q; known optimizers: %s", name, strings.Join(knownNames, ", "))
}
