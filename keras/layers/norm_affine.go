package layers

import (
	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// normAffine is the learned per-channel affine map that LayerNormalization and
// GroupNormalization apply after normalising: y·gamma + beta over the last axis, gamma only
// with scale, beta only with center, as Keras's layers do. Its config keys, weights, shape
// check and forward step are written once here.
type normAffine struct {
	center, scale       bool
	betaInit, gammaInit initializers.Initializer
	gamma, beta         *keras.Variable // (channels,), nil when not learned
}

// newNormAffine is the affine map with Keras's initializers, beta zeros and gamma ones.
func newNormAffine(center, scale bool) normAffine {
	return normAffine{center: center, scale: scale, betaInit: initializers.Zeros(), gammaInit: initializers.Ones()}
}

// normAffineKeys are the Keras config keys of a normAffine, for a layer's table to place in
// Keras's order; nulls are the regularizer and constraint keys, which close the table.
type normAffineKeys[L any] struct {
	center, scale, betaInit, gammaInit configKey[L]
	nulls                              []configKey[L]
}

// affineKeys returns the config keys of the normAffine that a finds in a layer.
func affineKeys[L any](a func(*L) *normAffine) normAffineKeys[L] {
	return normAffineKeys[L]{
		center:    boolKey("center", func(l *L) *bool { return &a(l).center }, true),
		scale:     boolKey("scale", func(l *L) *bool { return &a(l).scale }, true),
		betaInit:  initializerKey("beta_initializer", func(l *L) *initializers.Initializer { return &a(l).betaInit }, initializers.Zeros),
		gammaInit: initializerKey("gamma_initializer", func(l *L) *initializers.Initializer { return &a(l).gammaInit }, initializers.Ones),
		nulls:     nullKeys[L]("beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint"),
	}
}

// build creates gamma, then beta, as Keras does, each of size d.
func (a *normAffine) build(b *keras.LayerBase, d int) error {
	var err error
	if a.scale {
		if a.gamma, err = b.AddWeightInit("gamma", keras.Shape{d}, a.gammaInit, true); err != nil {
			return err
		}
	}
	if a.center {
		a.beta, err = b.AddWeightInit("beta", keras.Shape{d}, a.betaInit, true)
	}
	return err
}

// fits checks that the input's last axis has the size the weights were built for.
func (a *normAffine) fits(in keras.Shape) error {
	for _, w := range []*keras.Variable{a.gamma, a.beta} {
		if w != nil && w.Shape()[0] != in.Last() {
			return keras.ShapeError("input shape %v does not fit %s of shape %v", in, w.Path, w.Shape())
		}
	}
	return nil
}

// apply returns y·gamma + beta, each where it is learned.
func (a *normAffine) apply(o *ops.Builder, y *G.Node) *G.Node {
	if a.gamma != nil {
		y = o.Mul(y, o.Var(a.gamma))
	}
	if a.beta != nil {
		y = o.Add(y, o.Var(a.beta))
	}
	return y
}
