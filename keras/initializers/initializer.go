package initializers

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/kerago/kerago/keras/internal/errs"
	"gorgonia.org/tensor"
)

// Initializer fills a tensor in place with Keras's formula for the tensor's shape.
//
// Initialize accepts float32 and float64 tensors of any rank (some initializers need a
// particular rank: [Orthogonal] at least 2, [Identity] exactly 2). It draws random numbers
// from rng only; initializers without randomness accept a nil rng. Bad arguments given to the
// constructor and unusable tensors are reported as errors, never as panics.
type Initializer interface {
	Initialize(t *tensor.Dense, rng *rand.Rand) error
}

// Sentinel errors. Errors returned by this package wrap one of them in an [*Error], so
// errors.Is and errors.As work. Each refines one of the kinds package keras exports (named
// below), so errors.Is(err, keras.ErrUnknownName) holds for an unknown initializer too.
var (
	// ErrUnknownInitializer reports a name that is not a known initializer; a
	// keras.ErrUnknownName.
	ErrUnknownInitializer = errs.Refine(errs.UnknownName, "unknown initializer")
	// ErrInvalidArgument reports a constructor argument out of range (negative stddev,
	// unknown mode, ...); a keras.ErrInvalidArgument.
	ErrInvalidArgument = errs.Refine(errs.InvalidArgument, "invalid initializer argument")
	// ErrTensor reports a tensor that cannot be initialized: nil, not float32 or float64,
	// not contiguous, or of a rank the initializer does not support; or a nil rng. A
	// keras.ErrInvalidArgument.
	ErrTensor = errs.Refine(errs.InvalidArgument, "cannot initialize tensor")
	// ErrConfig reports a Keras config that cannot be turned into an initializer; a
	// keras.ErrFileFormat, as configs come from model files.
	ErrConfig = errs.Refine(errs.FileFormat, "invalid initializer config")
)

// Error is the error type of this package: it names the initializer (by its Keras class
// name), says what went wrong, and wraps one of the sentinel errors.
type Error struct {
	// Initializer is the Keras class name, e.g. "GlorotUniform"; empty when unknown.
	Initializer string
	// Detail says what was expected and what was received.
	Detail string
	// Err is the sentinel error this one wraps.
	Err error
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Initializer == "" {
		return "initializers: " + e.Detail
	}
	return "initializers: " + e.Initializer + ": " + e.Detail
}

// Unwrap returns the wrapped sentinel error.
func (e *Error) Unwrap() error { return e.Err }

func newError(class string, sentinel error, format string, args ...any) *Error {
	return &Error{Initializer: class, Err: sentinel, Detail: fmt.Sprintf(format, args...)}
}

// Fans returns the fan-in and fan-out Keras computes for a weight of the given shape
// (keras/src/initializers/random_initializers.py compute_fans): rank 0 gives (1, 1); rank 1
// (n) gives (n, n); rank 2 (in, out) gives (in, out); rank 3 or more multiplies shape[-2] and
// shape[-1] by the receptive field, the product of the other dimensions. An LSTM kernel
// (in, 4*units) has fan_out 4*units; a Conv1D kernel (5, 32, 64) has fans (160, 320).
func Fans(shape []int) (fanIn, fanOut int) {
	switch n := len(shape); n {
	case 0:
		return 1, 1
	case 1:
		return shape[0], shape[0]
	case 2:
		return shape[0], shape[1]
	default:
		receptive := 1
		for _, d := range shape[:n-2] {
			receptive *= d
		}
		return shape[n-2] * receptive, shape[n-1] * receptive
	}
}

// factories maps normalized names (lower case, no underscores) to constructors with Keras's
// defaults. It is filled once and read-only afterwards.
var factories = map[string]func() Initializer{
	"zeros":                 Zeros,
	"zero":                  Zeros,
	"ones":                  Ones,
	"one":                   Ones,
	"constant":              func() Initializer { return Constant(0) },
	"identity":              func() Initializer { return Identity(1) },
	"identityinitializer":   func() Initializer { return Identity(1) },
	"randomnormal":          func() Initializer { return RandomNormal(0, 0.05) },
	"normal":                func() Initializer { return RandomNormal(0, 0.05) },
	"randomuniform":         func() Initializer { return RandomUniform(-0.05, 0.05) },
	"uniform":               func() Initializer { return RandomUniform(-0.05, 0.05) },
	"truncatednormal":       func() Initializer { return TruncatedNormal(0, 0.05) },
	"variancescaling":       func() Initializer { return VarianceScaling(1, FanIn, DistributionTruncatedNormal) },
	"glorotuniform":         GlorotUniform,
	"glorotnormal":          GlorotNormal,
	"heuniform":             HeUniform,
	"henormal":              HeNormal,
	"lecununiform":          LecunUniform,
	"lecunnormal":           LecunNormal,
	"orthogonal":            func() Initializer { return Orthogonal(1) },
	"orthogonalinitializer": func() Initializer { return Orthogonal(1) },
}

// knownNames are the Keras names listed in error messages.
var knownNames = []string{
	"constant", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "identity",
	"lecun_normal", "lecun_uniform", "normal", "ones", "orthogonal", "random_normal",
	"random_uniform", "truncated_normal", "uniform", "variance_scaling", "zeros",
}

func normalize(name string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "_", "")
}

// Get returns a new initializer with Keras's defaults for a Keras name: the snake_case names
// ("glorot_uniform", "he_normal", "orthogonal", "zeros", ...), the class names
// ("GlorotUniform", "Orthogonal", "OrthogonalInitializer", ...) and Keras's aliases
// ("uniform" = RandomUniform(-0.05, 0.05) as Embedding uses, "normal" = RandomNormal(0, 0.05),
// "one", "zero"). Matching ignores case and underscores. An unknown name gives an error
// wrapping [ErrUnknownInitializer] that lists the known names.
func Get(name string) (Initializer, error) {
	if f, ok := factories[normalize(name)]; ok {
		return f(), nil
	}
	names := append([]string(nil), knownNames...)
	sort.Strings(names)
	return nil, newError("", ErrUnknownInitializer, "unknown initializer %q; known initializers: %s",
		name, strings.Join(names, ", "))
}

// target checks t and returns its backing slice: exactly one of f32, f64 is non-nil.
func target(class string, t *tensor.Dense) (f32 []float32, f64 []float64, err error) {
	if t == nil {
		return nil, nil, newError(class, ErrTensor, "tensor is nil")
	}
	n := 1
	for _, d := range t.Shape() {
		n *= d
	}
	if n == 0 && (t.Dtype() == tensor.Float32 || t.Dtype() == tensor.Float64) {
		return nil, nil, nil // nothing to fill
	}
	switch t.Dtype() {
	case tensor.Float32:
		f32 = t.Float32s()
		if len(f32) != n {
			return nil, nil, newError(class, ErrTensor, "tensor of shape %v is a view into a larger array; pass a contiguous tensor", t.Shape())
		}
	case tensor.Float64:
		f64 = t.Float64s()
		if len(f64) != n {
			return nil, nil, newError(class, ErrTensor, "tensor of shape %v is a view into a larger array; pass a contiguous tensor", t.Shape())
		}
	default:
		return nil, nil, newError(class, ErrTensor, "tensor has dtype %v, want float32 or float64", t.Dtype())
	}
	if t.RequiresIterator() {
		return nil, nil, newError(class, ErrTensor, "tensor of shape %v is not contiguous (transposed or sliced); pass a contiguous tensor", t.Shape())
	}
	return f32, f64, nil
}

// fillWith sets every element from next, in row-major order.
func fillWith(f32 []float32, f64 []float64, next func() float64) {
	for i := range f32 {
		f32[i] = float32(next())
	}
	for i := range f64 {
		f64[i] = next()
	}
}

// seed is the optional integer seed of a random initializer (Keras's seed argument, set from
// a config). With a seed, every Initialize call draws from a new generator seeded with it and
// ignores the rng argument, so it gives the same values each time, as a seeded Keras
// initializer does.
type seed struct {
	value *int64
}

// source returns the generator to draw from.
func (s seed) source(class string, rng *rand.Rand) (*rand.Rand, error) {
	if s.value != nil {
		v := uint64(*s.value)
		return rand.New(rand.NewPCG(v, v^0x9e3779b97f4a7c15)), nil
	}
	if rng == nil {
		return nil, newError(class, ErrTensor, "rng is nil; pass a *rand.Rand")
	}
	return rng, nil
}

// config returns the "seed" config entry.
func (s seed) config() any {
	if s.value == nil {
		return nil
	}
	return *s.value
}

// truncatedNormal draws from N(0, 1) restricted to [-2, 2] by redrawing, as Keras's
// truncated_normal does.
func truncatedNormal(rng *rand.Rand) float64 {
	for {
		if z := rng.NormFloat64(); z >= -2 && z <= 2 {
			return z
		}
	}
}
