package initializers

import (
	"errors"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

func TestInitializeErrors(t *testing.T) {
	transposed := zerosOf(tensor.Float32, 3, 4)
	if err := transposed.T(); err != nil {
		t.Fatal(err)
	}
	whole := tensor.New(tensor.WithShape(4, 6), tensor.WithBacking(make([]float64, 24)))
	strided, err := whole.Slice(nil, tensor.S(0, 3))
	if err != nil {
		t.Fatal(err)
	}
	ints := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]int{1, 2, 3, 4}))
	all := []Initializer{Zeros(), Ones(), Constant(2), Identity(1), RandomNormal(0, 1), RandomUniform(0, 1),
		TruncatedNormal(0, 1), VarianceScaling(1, FanIn, DistributionUniform), GlorotUniform(), GlorotNormal(),
		HeNormal(), HeUniform(), LecunNormal(), LecunUniform(), Orthogonal(1)}
	for _, tc := range []struct {
		name string
		t    *tensor.Dense
		want string
	}{
		{"nil", nil, "nil"},
		{"int", ints, "dtype int"},
		{"transposed", transposed, "not contiguous"},
		{"strided view", strided.(*tensor.Dense), "view"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, init := range all {
				err := init.Initialize(tc.t, newRNG(1))
				class, _ := Config(init)
				if !errors.Is(err, ErrTensor) {
					t.Fatalf("%s: error %v, want ErrTensor", class, err)
				}
				var e *Error
				if !errors.As(err, &e) || e.Initializer != class || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: error %q should name the class and mention %q", class, err, tc.want)
				}
			}
		})
	}
	t.Run("nil rng", func(t *testing.T) {
		for _, init := range all[4:] {
			x := zerosOf(tensor.Float32, 4, 4)
			if err := init.Initialize(x, nil); !errors.Is(err, ErrTensor) || !strings.Contains(err.Error(), "rng") {
				t.Errorf("%T: error %v, want ErrTensor about rng", init, err)
			}
		}
	})
	t.Run("zero-size tensors are a no-op", func(t *testing.T) {
		for _, init := range all {
			if err := init.Initialize(zerosOf(tensor.Float32, 0, 4), newRNG(1)); err != nil {
				t.Errorf("%T: %v", init, err)
			}
		}
	})
}

func TestInvalidArguments(t *testing.T) {
	for _, tc := range []struct {
		name string
		init Initializer
		want string
	}{
		{"negative stddev", RandomNormal(0, -1), "stddev"},
		{"NaN mean", RandomNormal(math.NaN(), 1), "mean"},
		{"truncated negative stddev", TruncatedNormal(0, -0.1), "stddev"},
		{"uniform min > max", RandomUniform(1, 0), "minval <= maxval"},
		{"uniform infinite", RandomUniform(0, math.Inf(1)), "finite"},
		{"zero scale", VarianceScaling(0, FanIn, DistributionUniform), "scale"},
		{"bad mode", VarianceScaling(1, "fan_sideways", DistributionUniform), "fan_sideways"},
		{"bad distribution", VarianceScaling(1, FanIn, "gamma"), "gamma"},
		{"orthogonal NaN gain", Orthogonal(math.NaN()), "gain"},
		{"identity infinite gain", Identity(math.Inf(-1)), "gain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := tensor.New(tensor.WithShape(4, 4), tensor.WithBacking(make([]float64, 16)))
			x.Float64s()[3] = 7
			err := tc.init.Initialize(x, newRNG(1))
			if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want ErrInvalidArgument mentioning %q", err, tc.want)
			}
			if x.Float64s()[3] != 7 {
				t.Errorf("a failed Initialize changed the tensor")
			}
		})
	}
}

func TestGet(t *testing.T) {
	for _, tc := range []struct{ name, class string }{
		{"glorot_uniform", "GlorotUniform"}, {"GlorotUniform", "GlorotUniform"},
		{"glorot_normal", "GlorotNormal"}, {"he_normal", "HeNormal"}, {"HeUniform", "HeUniform"},
		{"lecun_normal", "LecunNormal"}, {"lecun_uniform", "LecunUniform"},
		{"zeros", "Zeros"}, {"zero", "Zeros"}, {"Ones", "Ones"}, {"one", "Ones"}, {"constant", "Constant"},
		{"orthogonal", "Orthogonal"}, {"Orthogonal", "Orthogonal"}, {"OrthogonalInitializer", "Orthogonal"},
		{"random_normal", "RandomNormal"}, {"normal", "RandomNormal"},
		{"random_uniform", "RandomUniform"}, {"uniform", "RandomUniform"},
		{"truncated_normal", "TruncatedNormal"}, {"variance_scaling", "VarianceScaling"},
		{"identity", "Identity"}, {"IdentityInitializer", "Identity"},
	} {
		init, err := Get(tc.name)
		if err != nil {
			t.Errorf("Get(%q): %v", tc.name, err)
			continue
		}
		if class, _ := Config(init); class != tc.class {
			t.Errorf("Get(%q) is a %s, want %s", tc.name, class, tc.class)
		}
	}
	_, err := Get("glorot_uniformm")
	if !errors.Is(err, ErrUnknownInitializer) {
		t.Fatalf("Get(glorot_uniformm) = %v, want ErrUnknownInitializer", err)
	}
	for _, name := range []string{"glorot_uniformm", "glorot_uniform", "orthogonal", "zeros", "he_normal"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not list %q", err, name)
		}
	}
}
