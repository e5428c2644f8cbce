// Package errs holds the error kinds that every kerago package shares, so that errors.Is
// works across packages: an unknown loss, metric, optimizer, initializer, activation or layer
// class are all errors.Is(err, keras.ErrUnknownName).
//
// The package is internal and a leaf (it imports only the standard library) because package
// keras imports losses, metrics, optimizers and initializers: the kinds cannot live in keras
// without an import cycle. Users see them as keras.ErrShape, keras.ErrUnknownName, ..., which
// are these same values; a sub-package's own sentinel (losses.ErrUnknownLoss) is a refinement
// made with [Refine], so errors.Is matches it and its kind alike.
package errs

// Kind is the type of every sentinel: a fixed message and, for a refinement, the broader
// kind it belongs to. Unwrap returns that kind, which is what makes errors.Is(err,
// keras.ErrUnknownName) hold for an error wrapping losses.ErrUnknownLoss, while
// errors.Is(err, losses.ErrUnknownLoss) stays false for an unknown metric.
type Kind struct {
	msg    string
	parent error
}

// Error returns the kind's message, e.g. "unknown loss".
func (k *Kind) Error() string { return k.msg }

// Unwrap returns the broader kind, or nil for a root kind.
func (k *Kind) Unwrap() error { return k.parent }

// New returns a root kind.
func New(msg string) error { return &Kind{msg: msg} }

// Refine returns a narrower kind of parent with its own message: a package's sentinel.
func Refine(parent error, msg string) error { return &Kind{msg: msg, parent: parent} }

// The root kinds. Package keras exports each under its Err name with its documentation.
var (
	Shape           = New("incompatible shape")
	DType           = New("unsupported dtype")
	UnknownName     = New("unknown name")
	Graph           = New("invalid layer graph")
	NotCompiled     = New("model is not compiled")
	Data            = New("invalid data")
	InvalidArgument = New("invalid argument")
	FileFormat      = New("malformed or unsupported model file")
	Internal        = New("internal error")
)
