package ops

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kerago/kerago/keras"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
)

// activations are the Keras activations by name. "linear" (and "") is the identity.
var activations = map[string]func(o *Builder, x *G.Node) *G.Node{
	"linear":      func(_ *Builder, x *G.Node) *G.Node { return x },
	"relu":        (*Builder).Relu,
	"sigmoid":     (*Builder).Sigmoid,
	"tanh":        (*Builder).Tanh,
	"softmax":     (*Builder).Softmax,
	"softplus":    (*Builder).Softplus,
	"exponential": (*Builder).Exp,
	"silu":        (*Builder).Silu,
	"swish":       (*Builder).Silu,
	"softsign":    (*Builder).Softsign,
	"gelu":        (*Builder).Gelu,
	// MobileNetV3 uses these two.
	"hard_sigmoid": (*Builder).HardSigmoid,
	"hard_silu":    (*Builder).HardSilu,
	"hard_swish":   (*Builder).HardSilu,
}

// Activations returns the names Activation accepts, sorted.
func Activations() []string {
	names := make([]string, 0, len(activations))
	for k := range activations {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// CheckActivation returns an error wrapping keras.ErrUnknownName for a name Activation does
// not know; "" (none) is accepted. Constructors call it so a typo fails at the layer call.
func CheckActivation(name string) error {
	if name == "" || activations[name] != nil {
		return nil
	}
	return fmt.Errorf("%w: activation %q (known: %s)", keras.ErrUnknownName, name, strings.Join(Activations(), ", "))
}

// Activation applies the activation of the given Keras name ("" and "linear" are the
// identity). For softmax and sigmoid it records x as the logits of the result, so a
// cross-entropy loss on this output is computed from the logits, stably (see
// [keras.Context.SetLogits]).
func (o *Builder) Activation(name string, x *G.Node) *G.Node {
	if !o.ok("Activation", x) {
		return nil
	}
	f := activations[name]
	if name == "" {
		return x
	}
	if f == nil {
		o.fail("Activation", CheckActivation(name))
		return nil
	}
	y := f(o, x)
	if y != nil && (name == "softmax" || name == "sigmoid") {
		o.ctx.SetLogits(y, keras.Logits{Node: x, Activation: name})
	}
	return y
}

// unary applies a Gorgonia element-wise function.
func (o *Builder) unary(op string, f func(*G.Node) (*G.Node, error), x *G.Node) *G.Node {
	if !o.ok(op, x) {
		return nil
	}
	y, err := f(x)
	return o.node(op, y, err, x)
}

// Relu returns max(x, 0), as one op with a hand-written gradient (internal/ops.Relu; its
// gradient at 0 is 0, as in JAX).
func (o *Builder) Relu(x *G.Node) *G.Node { return o.unary("Relu", internalops.Relu, x) }

// Sigmoid returns 1 / (1 + exp(-x)), as one op with a hand-written gradient that computes
// what Gorgonia's Sigmoid does without allocating per run (internal/ops.Sigmoid).
func (o *Builder) Sigmoid(x *G.Node) *G.Node { return o.unary("Sigmoid", internalops.Sigmoid, x) }

// Tanh returns tanh(x).
func (o *Builder) Tanh(x *G.Node) *G.Node { return o.unary("Tanh", G.Tanh, x) }

// Softplus returns log(1 + exp(x)).
func (o *Builder) Softplus(x *G.Node) *G.Node { return o.unary("Softplus", G.Softplus, x) }

// Exp returns exp(x).
func (o *Builder) Exp(x *G.Node) *G.Node { return o.unary("Exp", G.Exp, x) }

// Abs returns |x|.
func (o *Builder) Abs(x *G.Node) *G.Node { return o.unary("Abs", G.Abs, x) }

// Silu returns x·sigmoid(x) (Keras's silu, also called swish).
func (o *Builder) Silu(x *G.Node) *G.Node { return o.Mul(x, o.Sigmoid(x)) }

// Gelu returns x·Φ(x) = x/2·(1 + erf(x/√2)), Keras 3's gelu with its default
// approximate=False, as one op with a hand-written gradient (internal/ops.Gelu): Gorgonia has
// no erf.
func (o *Builder) Gelu(x *G.Node) *G.Node { return o.unary("Gelu", internalops.Gelu, x) }

// HardSigmoid returns relu6(x + 3) / 6, Keras 3's hard_sigmoid: 0 below −3, 1 above 3 and
// x/6 + 1/2 between. relu6(y) is written relu(y) − relu(y − 6), which needs no constant tensor
// of x's shape and has relu's gradient (0 at the kinks).
func (o *Builder) HardSigmoid(x *G.Node) *G.Node {
	return o.Scale(o.Sub(o.Relu(o.Shift(x, 3)), o.Relu(o.Shift(x, -3))), 1.0/6)
}

// HardSilu returns x·hard_sigmoid(x), Keras 3's hard_silu (also called hard_swish).
func (o *Builder) HardSilu(x *G.Node) *G.Node { return o.Mul(x, o.HardSigmoid(x)) }

// Softsign returns x / (|x| + 1).
func (o *Builder) Softsign(x *G.Node) *G.Node {
	if !o.ok("Softsign", x) {
		return nil
	}
	a := o.Abs(x)
	if a == nil {
		return nil
	}
	d, err := G.Add(a, o.ctx.Constant(1))
	if o.node("Softsign", d, err, x) == nil {
		return nil
	}
	return o.Div(x, d)
}

// LeakyRelu returns x where x ≥ 0 and slope·x elsewhere, for any slope, as one op with a
// hand-written gradient (internal/ops.LeakyRelu): 1 where x ≥ 0, 0 included, and slope
// elsewhere, as Keras 3's leaky_relu (jnp.where(x >= 0, x, slope * x)) differentiates.
func (o *Builder) LeakyRelu(x *G.Node, slope float64) *G.Node {
	return o.unary("LeakyRelu", func(x *G.Node) (*G.Node, error) { return internalops.LeakyRelu(x, slope) }, x)
}

// ThresholdedRelu returns x where x > threshold and 0 elsewhere (threshold ≥ 0), the positive
// part of Keras's relu with a threshold, as one op with a hand-written gradient (1 where
// x > threshold, else 0). A threshold of 0 is Relu.
func (o *Builder) ThresholdedRelu(x *G.Node, threshold float64) *G.Node {
	return o.unary("ThresholdedRelu", func(x *G.Node) (*G.Node, error) { return internalops.ThresholdedRelu(x, threshold) }, x)
}

// Elu returns x where x > 0 and alpha·(exp(x) − 1) elsewhere, as Keras's elu: written as
// relu(x) + alpha·(exp(−relu(−x)) − 1), so exp only ever sees x ≤ 0 and cannot overflow.
func (o *Builder) Elu(x *G.Node, alpha float64) *G.Node {
	return o.Add(o.Relu(x), o.Scale(o.Shift(o.Exp(o.Neg(o.Relu(o.Neg(x)))), -1), alpha))
}

// Softmax returns the softmax of x along its last axis.
func (o *Builder) Softmax(x *G.Node) *G.Node { return o.unary("Softmax", softmax, x) }

// softmax is the one place the kit computes a softmax: kerago's own row-wise op over the last
// axis (keras/internal/ops). Gorgonia's SoftMax kernels start every row's maximum from the
// batch's first element, so a row's result depends on the rest of its batch
// (docs/gorgonia.md).
func softmax(x *G.Node) (*G.Node, error) { return internalops.Softmax(x) }
