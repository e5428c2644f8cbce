package ops

import (
	"fmt"
	"math/rand/v2"

	"github.com/kerago/kerago/keras"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Dropout returns x with a random fraction rate of its entries set to zero and the others
// scaled by 1/(1−rate) in the training realisation (inverted dropout, as Keras's Dropout), and
// x itself otherwise. name names the mask input in the graph (the layer's name is a good
// choice).
//
// The mask is drawn in Go with the fit loop's random source and fed before every step:
// Gorgonia's own Dropout op has a wrong gradient (it divides by the rate instead of 1−rate).
func (o *Builder) Dropout(x *G.Node, rate float64, name string) *G.Node {
	if !o.ok("Dropout", x) {
		return nil
	}
	if rate < 0 || rate > 1 {
		o.fail("Dropout", fmt.Errorf("%w: rate must be in [0, 1], got %v", keras.ErrInvalidArgument, rate))
		return nil
	}
	if !o.ctx.Training() || rate == 0 {
		return x
	}
	keep := 1 - rate
	mask := o.ctx.Feed(name+"/mask", x.Dtype(), x.Shape(), func(t *tensor.Dense, rng *rand.Rand) {
		fillMask(t, keep, rng)
	})
	return o.Mul(x, mask)
}

// fillMask writes 1/keep with probability keep and 0 otherwise into a float32 or
// float64 tensor (all 0 when keep is 0), drawing one number from rng per entry.
func fillMask(t *tensor.Dense, keep float64, rng *rand.Rand) {
	scale := 0.0
	if keep > 0 {
		scale = 1 / keep
	}
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			if rng.Float64() < keep {
				d[i] = float32(scale)
			} else {
				d[i] = 0
			}
		}
	case []float64:
		for i := range d {
			if rng.Float64() < keep {
				d[i] = scale
			} else {
				d[i] = 0
			}
		}
	}
}
