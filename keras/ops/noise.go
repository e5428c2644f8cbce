package ops

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/kerago/kerago/keras"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Normal returns a node of x's shape and dtype holding fresh draws from N(mean, stddev²)
// every step, drawn in Go with the fit loop's random source and fed, as Dropout's mask is.
// It is for the training realisation: a layer adds or multiplies it only when
// Context().Training(). name names the input in the graph (the layer's name is a good choice).
func (o *Builder) Normal(x *G.Node, mean, stddev float64, name string) *G.Node {
	if !o.ok("Normal", x) {
		return nil
	}
	if !(stddev >= 0) || math.IsInf(stddev, 0) || math.IsNaN(mean) || math.IsInf(mean, 0) {
		o.fail("Normal", fmt.Errorf("%w: want a finite mean and stddev ≥ 0, got N(%v, %v²)", keras.ErrInvalidArgument, mean, stddev))
		return nil
	}
	return o.ctx.Feed(name+"/noise", x.Dtype(), x.Shape(), func(t *tensor.Dense, rng *rand.Rand) {
		switch d := t.Data().(type) {
		case []float32:
			for i := range d {
				d[i] = float32(mean + stddev*rng.NormFloat64())
			}
		case []float64:
			for i := range d {
				d[i] = mean + stddev*rng.NormFloat64()
			}
		}
	})
}
