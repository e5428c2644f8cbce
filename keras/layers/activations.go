package layers

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kerago/kerago/keras"
	G "gorgonia.org/gorgonia"
)

// activationFunc applies an activation to x in ctx's graph.
type activationFunc func(ctx *keras.Context, x *G.Node) (*G.Node, error)

var activations = map[string]activationFunc{
	"linear":  func(_ *keras.Context, x *G.Node) (*G.Node, error) { return x, nil },
	"relu":    func(_ *keras.Context, x *G.Node) (*G.Node, error) { return reluActivation(x) },
	"sigmoid": func(_ *keras.Context, x *G.Node) (*G.Node, error) { return G.Sigmoid(x) },
	"tanh":    func(_ *keras.Context, x *G.Node) (*G.Node, error) { return G.Tanh(x) },
	// SoftMax without an explicit axis (its default, -1, is the last axis): losses use
	// LogSoftMax with the explicit last axis, so Gorgonia never merges the two nodes.
	"softmax":     func(_ *keras.Context, x *G.Node) (*G.Node, error) { return G.SoftMax(x) },
	"softplus":    func(_ *keras.Context, x *G.Node) (*G.Node, error) { return G.Softplus(x) },
	"exponential": func(_ *keras.Context, x *G.Node) (*G.Node, error) { return G.Exp(x) },
	"silu":        silu,
	"swish":       silu,
	"softsign": func(ctx *keras.Context, x *G.Node) (*G.Node, error) {
		a, err := G.Abs(x)
		if err != nil {
			return nil, err
		}
		d, err := G.Add(a, ctx.Constant(1))
		if err != nil {
			return nil, err
		}
		return G.HadamardDiv(x, d)
	},
}

func silu(_ *keras.Context, x *G.Node) (*G.Node, error) {
	s, err := G.Sigmoid(x)
	if err != nil {
		return nil, err
	}
	return G.HadamardProd(x, s)
}

// checkActivation returns an error for an unknown activation name.
func checkActivation(name string) error {
	if name == "" || activations[name] != nil {
		return nil
	}
	known := make([]string, 0, len(activations))
	for k := range activations {
		known = append(known, k)
	}
	sort.Strings(known)
	return fmt.Errorf("%w: activation %q (known: %s)", keras.ErrUnknownName, name, strings.Join(known, ", "))
}

// activate applies the named activation and, for softmax and sigmoid, records the logits so
// that losses can be computed from them.
func activate(ctx *keras.Context, name string, x *G.Node) (*G.Node, error) {
	if name == "" || name == "linear" {
		return x, nil
	}
	f := activations[name]
	if f == nil {
		return nil, checkActivation(name)
	}
	y, err := f(ctx, x)
	if err != nil {
		return nil, err
	}
	if name == "softmax" || name == "sigmoid" {
		ctx.SetLogits(y, keras.Logits{Node: x, Activation: name})
	}
	return y, nil
}

// activationConfig is how Keras 3 writes an activation in a config: the name, "linear" for
// none.
func activationConfig(name string) string {
	if name == "" {
		return "linear"
	}
	return name
}
