package losses

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kerago/kerago/keras/internal/errs"
	"github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
)

// ErrUnknownLoss is wrapped by Get's error for a name that is not a Keras loss. It is a
// keras.ErrUnknownName: errors.Is matches either.
var ErrUnknownLoss = errs.Refine(errs.UnknownName, "unknown loss")

// Loss builds a loss expression.
type Loss interface {
	// Name is the Keras function name: "mean_squared_error", "categorical_crossentropy" ...
	Name() string
	// Build returns a scalar node: the loss of pred against the targets y, reduced over the
	// batch. y has pred's shape (for sparse losses it is one-hot encoded before it is fed).
	// logits, when not nil, is the pre-activation of pred and activation names the function
	// ("softmax" or "sigmoid") that made pred from it.
	Build(y, pred, logits *G.Node, activation string) (*G.Node, error)
}

// SparseLoss is implemented by losses whose targets are class indices; the model feeds them
// one-hot encoded to Build.
type SparseLoss interface {
	Loss
	SparseTargets() bool
}

// Epsilon is Keras's fuzz factor (keras.config.epsilon()), used to clip probabilities.
const Epsilon = 1e-7

type registryEntry struct {
	canonical string
	make      func() Loss
}

var registry = map[string]registryEntry{}

func register(make func() Loss, names ...string) {
	canonical := make().Name()
	for _, n := range names {
		registry[n] = registryEntry{canonical, make}
	}
}

func init() {
	register(func() Loss { return MeanSquaredError{} }, "mse", "mean_squared_error", "MeanSquaredError")
	register(func() Loss { return MeanAbsoluteError{} }, "mae", "mean_absolute_error", "MeanAbsoluteError")
	register(func() Loss { return BinaryCrossentropy{} }, "binary_crossentropy", "bce", "BinaryCrossentropy")
	register(func() Loss { return CategoricalCrossentropy{} }, "categorical_crossentropy", "cce", "CategoricalCrossentropy")
	register(func() Loss { return SparseCategoricalCrossentropy{} }, "sparse_categorical_crossentropy", "scce", "SparseCategoricalCrossentropy")
}

// Get returns the loss with a Keras name ("mse", "binary_crossentropy", ...).
func Get(name string) (Loss, error) {
	if e, ok := registry[name]; ok {
		return e.make(), nil
	}
	known := make([]string, 0, len(registry))
	for k := range registry {
		if strings.ToLower(k) == k {
			known = append(known, k)
		}
	}
	sort.Strings(known)
	return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownLoss, name, strings.Join(known, ", "))
}

// constant returns a scalar constant of n's dtype.
func constant(n *G.Node, v float64) *G.Node {
	if n.Dtype().Name() == "float64" {
		return G.NewConstant(v)
	}
	return G.NewConstant(float32(v))
}

// meanOverBatch averages a per-element tensor over its last axis and then over every other
// axis: Keras's per-sample mean followed by sum_over_batch_size. With equal sizes that is the
// plain mean.
func meanAll(x *G.Node) (*G.Node, error) { return ops.MeanAll(x) }

// sumLast sums over the last axis, then averages the rest.
func sumLastThenMean(x *G.Node) (*G.Node, error) {
	s, err := G.Sum(x, x.Dims()-1)
	if err != nil {
		return nil, err
	}
	return ops.MeanAll(s)
}

func checkShapes(name string, y, pred *G.Node) error {
	if !y.Shape().Eq(pred.Shape()) {
		return fmt.Errorf("%s: targets have shape %v, predictions %v", name, y.Shape(), pred.Shape())
	}
	return nil
}
