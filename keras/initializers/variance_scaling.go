package initializers

import (
	"math"
	"math/rand/v2"
	"strings"

	"gorgonia.org/tensor"
)

// Mode says which fan [VarianceScaling] divides its scale by. Keras's strings convert
// directly: VarianceScaling(2, "fan_in", "uniform").
type Mode string

// The modes of [VarianceScaling].
const (
	FanIn  Mode = "fan_in"  // the number of input units
	FanOut Mode = "fan_out" // the number of output units
	FanAvg Mode = "fan_avg" // the mean of the two
)

// Distribution is the distribution [VarianceScaling] samples from.
type Distribution string

// The distributions of [VarianceScaling]. DistributionNormal is Keras's legacy spelling of
// DistributionTruncatedNormal.
const (
	DistributionTruncatedNormal   Distribution = "truncated_normal"
	DistributionUntruncatedNormal Distribution = "untruncated_normal"
	DistributionUniform           Distribution = "uniform"
	DistributionNormal            Distribution = "normal"
)

// truncatedNormalStddevFactor is the standard deviation of a unit normal truncated to
// [-2, 2]; Keras divides by it so that the truncated samples have the wanted stddev.
const truncatedNormalStddevFactor = 0.87962566103423978

// varianceScaling is VarianceScaling and its presets; class is the Keras class name.
type varianceScaling struct {
	seed
	class        string
	scale        float64
	mode         Mode
	distribution Distribution
	err          error
}

// VarianceScaling returns Keras's VarianceScaling initializer, which adapts its scale to the
// shape of the tensor. With n = fan_in, fan_out or (fan_in+fan_out)/2 by mode (at least 1;
// fans as [Fans] computes them) and s = scale/n:
//
//   - "truncated_normal" (and "normal"): a normal distribution truncated at two standard
//     deviations, with stddev sqrt(s)/0.87962566103423978 before truncation, so sqrt(s) after;
//   - "untruncated_normal": a normal distribution with stddev sqrt(s);
//   - "uniform": a uniform distribution over [-limit, limit) with limit = sqrt(3s).
//
// Keras's defaults are scale 1, mode "fan_in", distribution "truncated_normal". A scale <= 0,
// an unknown mode or distribution is reported by Initialize.
func VarianceScaling(scale float64, mode Mode, distribution Distribution) Initializer {
	return newVarianceScaling("VarianceScaling", scale, mode, distribution)
}

func newVarianceScaling(class string, scale float64, mode Mode, distribution Distribution) varianceScaling {
	v := varianceScaling{class: class, scale: scale, mode: mode}
	v.distribution = Distribution(strings.ToLower(string(distribution)))
	if v.distribution == DistributionNormal {
		v.distribution = DistributionTruncatedNormal
	}
	switch {
	case math.IsNaN(scale) || math.IsInf(scale, 0) || scale <= 0:
		v.err = newError(class, ErrInvalidArgument, "scale must be a finite number > 0, got %v", scale)
	case mode != FanIn && mode != FanOut && mode != FanAvg:
		v.err = newError(class, ErrInvalidArgument, "mode must be %q, %q or %q, got %q", FanIn, FanOut, FanAvg, mode)
	case v.distribution != DistributionTruncatedNormal && v.distribution != DistributionUntruncatedNormal &&
		v.distribution != DistributionUniform:
		v.err = newError(class, ErrInvalidArgument, "distribution must be %q, %q or %q, got %q",
			DistributionTruncatedNormal, DistributionUntruncatedNormal, DistributionUniform, distribution)
	}
	return v
}

// GlorotUniform returns Keras's GlorotUniform (Xavier uniform) initializer, Keras's default
// kernel initializer: a uniform distribution over [-limit, limit) with
// limit = sqrt(6 / (fan_in + fan_out)). It is VarianceScaling(1, "fan_avg", "uniform").
func GlorotUniform() Initializer {
	return newVarianceScaling("GlorotUniform", 1, FanAvg, DistributionUniform)
}

// GlorotNormal returns Keras's GlorotNormal (Xavier normal) initializer: a truncated normal
// distribution with stddev sqrt(2 / (fan_in + fan_out)). It is
// VarianceScaling(1, "fan_avg", "truncated_normal").
func GlorotNormal() Initializer {
	return newVarianceScaling("GlorotNormal", 1, FanAvg, DistributionTruncatedNormal)
}

// HeNormal returns Keras's HeNormal initializer: a truncated normal distribution with stddev
// sqrt(2 / fan_in). It is VarianceScaling(2, "fan_in", "truncated_normal").
func HeNormal() Initializer {
	return newVarianceScaling("HeNormal", 2, FanIn, DistributionTruncatedNormal)
}

// HeUniform returns Keras's HeUniform initializer: a uniform distribution over
// [-limit, limit) with limit = sqrt(6 / fan_in). It is VarianceScaling(2, "fan_in", "uniform").
func HeUniform() Initializer {
	return newVarianceScaling("HeUniform", 2, FanIn, DistributionUniform)
}

// LecunNormal returns Keras's LecunNormal initializer: a truncated normal distribution with
// stddev sqrt(1 / fan_in). It is VarianceScaling(1, "fan_in", "truncated_normal").
func LecunNormal() Initializer {
	return newVarianceScaling("LecunNormal", 1, FanIn, DistributionTruncatedNormal)
}

// LecunUniform returns Keras's LecunUniform initializer: a uniform distribution over
// [-limit, limit) with limit = sqrt(3 / fan_in). It is VarianceScaling(1, "fan_in", "uniform").
func LecunUniform() Initializer {
	return newVarianceScaling("LecunUniform", 1, FanIn, DistributionUniform)
}

// Initialize fills t with samples drawn from rng, scaled for t's shape.
func (v varianceScaling) Initialize(t *tensor.Dense, rng *rand.Rand) error {
	if v.err != nil {
		return v.err
	}
	f32, f64, err := target(v.class, t)
	if err != nil {
		return err
	}
	src, err := v.source(v.class, rng)
	if err != nil {
		return err
	}
	fanIn, fanOut := Fans(t.Shape())
	s := v.scale
	switch v.mode {
	case FanIn:
		s /= math.Max(1, float64(fanIn))
	case FanOut:
		s /= math.Max(1, float64(fanOut))
	default:
		s /= math.Max(1, float64(fanIn+fanOut)/2)
	}
	switch v.distribution {
	case DistributionTruncatedNormal:
		stddev := math.Sqrt(s) / truncatedNormalStddevFactor
		fillWith(f32, f64, func() float64 { return stddev * truncatedNormal(src) })
	case DistributionUntruncatedNormal:
		stddev := math.Sqrt(s)
		fillWith(f32, f64, func() float64 { return stddev * src.NormFloat64() })
	default:
		limit := math.Sqrt(3 * s)
		fillWith(f32, f64, func() float64 { return limit * (2*src.Float64() - 1) })
	}
	return nil
}

func (v varianceScaling) kerasConfig() (string, map[string]any) {
	if v.class != "VarianceScaling" {
		return v.class, map[string]any{"seed": v.seed.config()}
	}
	return v.class, map[string]any{"seed": v.seed.config(), "scale": v.scale,
		"mode": string(v.mode), "distribution": string(v.distribution)}
}
