package initializers

import (
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// normal draws from a normal distribution, optionally truncated at two standard deviations.
type normal struct {
	seed
	mean, stddev float64
	truncated    bool
	err          error
}

func (n normal) class() string {
	if n.truncated {
		return "TruncatedNormal"
	}
	return "RandomNormal"
}

func newNormal(mean, stddev float64, truncated bool) normal {
	n := normal{mean: mean, stddev: stddev, truncated: truncated}
	switch {
	case math.IsNaN(mean) || math.IsInf(mean, 0):
		n.err = newError(n.class(), ErrInvalidArgument, "mean must be finite, got %v", mean)
	case math.IsNaN(stddev) || math.IsInf(stddev, 0) || stddev < 0:
		n.err = newError(n.class(), ErrInvalidArgument, "stddev must be a finite number >= 0, got %v", stddev)
	}
	return n
}

// RandomNormal returns Keras's RandomNormal initializer: samples of a normal distribution
// with the given mean and standard deviation. Keras's defaults are mean 0 and stddev 0.05
// (the "normal" and "random_normal" names). A negative or non-finite stddev is reported by
// Initialize.
func RandomNormal(mean, stddev float64) Initializer { return newNormal(mean, stddev, false) }

// TruncatedNormal returns Keras's TruncatedNormal initializer: samples of a normal
// distribution with the given mean and standard deviation, where values more than two
// standard deviations from the mean are discarded and redrawn (so the standard deviation of
// the result is about 0.88 stddev). Keras's defaults are mean 0 and stddev 0.05.
func TruncatedNormal(mean, stddev float64) Initializer { return newNormal(mean, stddev, true) }

// Initialize fills t with samples drawn from rng.
func (n normal) Initialize(t *tensor.Dense, rng *rand.Rand) error {
	if n.err != nil {
		return n.err
	}
	f32, f64, err := target(n.class(), t)
	if err != nil {
		return err
	}
	src, err := n.source(n.class(), rng)
	if err != nil {
		return err
	}
	if n.truncated {
		fillWith(f32, f64, func() float64 { return n.mean + n.stddev*truncatedNormal(src) })
	} else {
		fillWith(f32, f64, func() float64 { return n.mean + n.stddev*src.NormFloat64() })
	}
	return nil
}

func (n normal) kerasConfig() (string, map[string]any) {
	return n.class(), map[string]any{"seed": n.seed.config(), "mean": n.mean, "stddev": n.stddev}
}

// uniform draws from a uniform distribution over [minval, maxval).
type uniform struct {
	seed
	minval, maxval float64
	err            error
}

// RandomUniform returns Keras's RandomUniform initializer: samples of a uniform distribution
// over [minval, maxval). Keras's defaults are -0.05 and 0.05, which is also what the
// "uniform" name (Embedding's default) gives. minval > maxval or non-finite bounds are
// reported by Initialize.
func RandomUniform(minval, maxval float64) Initializer {
	u := uniform{minval: minval, maxval: maxval}
	if math.IsNaN(minval) || math.IsNaN(maxval) || math.IsInf(minval, 0) || math.IsInf(maxval, 0) || minval > maxval {
		u.err = newError("RandomUniform", ErrInvalidArgument,
			"want finite bounds with minval <= maxval, got minval %v, maxval %v", minval, maxval)
	}
	return u
}

// Initialize fills t with samples drawn from rng.
func (u uniform) Initialize(t *tensor.Dense, rng *rand.Rand) error {
	if u.err != nil {
		return u.err
	}
	f32, f64, err := target("RandomUniform", t)
	if err != nil {
		return err
	}
	src, err := u.source("RandomUniform", rng)
	if err != nil {
		return err
	}
	lo, width := u.minval, u.maxval-u.minval
	fillWith(f32, f64, func() float64 { return lo + width*src.Float64() })
	return nil
}

func (u uniform) kerasConfig() (string, map[string]any) {
	return "RandomUniform", map[string]any{"seed": u.seed.config(), "minval": u.minval, "maxval": u.maxval}
}
