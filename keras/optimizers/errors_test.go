package optimizers

import (
	"errors"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

func TestApplyErrors(t *testing.T) {
	f32 := func(shape ...int) *tensor.Dense {
		n := 1
		for _, d := range shape {
			n *= d
		}
		return dense(tensor.Float32, make([]float64, n), shape...)
	}
	transposed := f32(2, 3)
	if err := transposed.T(); err != nil {
		t.Fatal(err)
	}
	ints := tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, 2}))
	for _, tc := range []struct {
		name          string
		params, grads []*tensor.Dense
		want          string
	}{
		{"fewer grads", []*tensor.Dense{f32(2), f32(3)}, []*tensor.Dense{f32(2)}, "2 params and 1 grads"},
		{"nil param", []*tensor.Dense{nil}, []*tensor.Dense{f32(2)}, "nil"},
		{"nil grad", []*tensor.Dense{f32(2)}, []*tensor.Dense{nil}, "nil"},
		{"shape", []*tensor.Dense{f32(2, 3)}, []*tensor.Dense{f32(3, 2)}, "shape (3, 2)"},
		{"vector vs column", []*tensor.Dense{f32(3)}, []*tensor.Dense{f32(3, 1)}, "shape"},
		{"dtype", []*tensor.Dense{f32(2)}, []*tensor.Dense{dense(tensor.Float64, []float64{0, 0}, 2)}, "dtype float64"},
		{"int params", []*tensor.Dense{ints}, []*tensor.Dense{ints}, "want float32 or float64"},
		{"non-contiguous", []*tensor.Dense{transposed}, []*tensor.Dense{f32(3, 2)}, "non-contiguous"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range variants {
				opt := v.make()
				err := opt.Apply(tc.params, tc.grads)
				if !errors.Is(err, ErrMismatch) {
					t.Fatalf("%s: Apply error = %v, want ErrMismatch", v.name, err)
				}
				var e *Error
				if !errors.As(err, &e) || e.Op != "Apply" || e.Optimizer != opt.Name() {
					t.Errorf("%s: error %#v does not name the optimizer and operation", v.name, err)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: error %q does not mention %q", v.name, err, tc.want)
				}
				if opt.Iterations() != 0 {
					t.Errorf("%s: a failed Apply counted as an iteration", v.name)
				}
			}
		})
	}
}

func TestApplyErrorsAfterBuild(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			opt := v.make()
			params, grads := split(w0, tensor.Float32), split(steps[0], tensor.Float32)
			if err := opt.Apply(params, grads); err != nil {
				t.Fatal(err)
			}
			snapshot := values(params...)
			// One parameter fewer.
			if err := opt.Apply(params[:1], grads[:1]); !errors.Is(err, ErrMismatch) {
				t.Errorf("fewer params: %v, want ErrMismatch", err)
			}
			// Same count, different dtype of the second parameter.
			p64, g64 := dense(tensor.Float64, []float64{1}, 1, 1), dense(tensor.Float64, []float64{1}, 1, 1)
			if err := opt.Apply([]*tensor.Dense{params[0], p64}, []*tensor.Dense{grads[0], g64}); !errors.Is(err, ErrMismatch) {
				t.Errorf("changed dtype: %v, want ErrMismatch", err)
			}
			// A later bad pair leaves earlier parameters untouched.
			bad := dense(tensor.Float32, []float64{1, 2}, 2)
			if err := opt.Apply([]*tensor.Dense{params[0], params[1]}, []*tensor.Dense{grads[0], bad}); !errors.Is(err, ErrMismatch) {
				t.Errorf("bad second grad: %v, want ErrMismatch", err)
			}
			if got := values(params...); !equal(got, snapshot) {
				t.Errorf("a failed Apply changed the parameters: %v -> %v", snapshot, got)
			}
			if opt.Iterations() != 1 {
				t.Errorf("Iterations() = %d, want 1", opt.Iterations())
			}
		})
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestInvalidOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  Optimizer
		want string
	}{
		{"negative lr", SGD(LearningRate(-1)), "learning_rate"},
		{"NaN lr", Adam(LearningRate(math.NaN())), "learning_rate"},
		{"infinite lr", RMSprop(LearningRate(math.Inf(1))), "learning_rate"},
		{"sgd momentum > 1", SGD(Momentum(1.5)), "momentum must be in [0, 1]"},
		{"sgd momentum < 0", SGD(Momentum(-0.1)), "momentum"},
		{"sgd beta_1", SGD(Beta1(0.9)), "does not take option(s) beta_1"},
		{"adam rho and momentum", Adam(Rho(0.9), Momentum(0.9)), "momentum, rho"},
		{"adam beta_1 = 1", Adam(Beta1(1)), "beta_1 must be in [0, 1)"},
		{"adam beta_2 < 0", Adam(Beta2(-0.1)), "beta_2"},
		{"adam NaN beta_2", Adam(Beta2(math.NaN())), "beta_2"},
		{"adam epsilon < 0", Adam(Epsilon(-1)), "epsilon"},
		{"rmsprop rho > 1", RMSprop(Rho(1.1)), "rho"},
		{"rmsprop momentum > 1", RMSprop(Momentum(2)), "momentum"},
		{"rmsprop epsilon 0", RMSprop(Epsilon(0)), "epsilon must be a finite number > 0"},
		{"rmsprop nesterov", RMSprop(Nesterov(true)), "nesterov"},
		{"adagrad accumulator < 0", Adagrad(InitialAccumulatorValue(-1)), "initial_accumulator_value"},
		{"adagrad beta_1", Adagrad(Beta1(0.5)), "beta_1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.opt.(interface{ Err() error }).Err()
			if !errors.Is(err, ErrInvalidOption) {
				t.Fatalf("Err() = %v, want ErrInvalidOption", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Err() = %q, want it to mention %q", err, tc.want)
			}
			params, grads := split(w0, tensor.Float32), split(steps[0], tensor.Float32)
			if got := tc.opt.Apply(params, grads); got != err {
				t.Errorf("Apply() = %v, want the sticky error %v", got, err)
			}
			if !equal(values(params...), values(split(w0, tensor.Float32)...)) {
				t.Errorf("Apply changed parameters despite the error")
			}
		})
	}
	t.Run("valid boundaries", func(t *testing.T) {
		for _, opt := range []Optimizer{
			SGD(Momentum(0)), SGD(Momentum(1)), SGD(LearningRate(0)),
			Adam(Beta1(0), Beta2(0), Epsilon(0)), RMSprop(Rho(0), Momentum(1)), RMSprop(Rho(1)),
			Adagrad(InitialAccumulatorValue(0), Epsilon(0)),
		} {
			if err := opt.(interface{ Err() error }).Err(); err != nil {
				t.Errorf("%s: Err() = %v, want nil", opt.Name(), err)
			}
		}
	})
	t.Run("nil option", func(t *testing.T) {
		if err := Adam(nil).(*AdamOptimizer).Err(); err != nil {
			t.Errorf("Err() = %v for a nil option", err)
		}
	})
}

func TestSetLearningRateInvalid(t *testing.T) {
	opt := Adam()
	params, grads := split(w0, tensor.Float32), split(steps[0], tensor.Float32)
	opt.SetLearningRate(-0.1)
	if err := opt.Apply(params, grads); !errors.Is(err, ErrInvalidOption) {
		t.Fatalf("Apply after SetLearningRate(-0.1) = %v, want ErrInvalidOption", err)
	}
	opt.SetLearningRate(0.1)
	if err := opt.Apply(params, grads); err != nil {
		t.Fatalf("Apply after a valid SetLearningRate = %v", err)
	}
}

func TestGet(t *testing.T) {
	for _, tc := range []struct {
		id, name string
		lr       float64
	}{
		{"sgd", "sgd", 0.01}, {"SGD", "sgd", 0.01},
		{"adam", "adam", 0.001}, {"Adam", "adam", 0.001},
		{"rmsprop", "rmsprop", 0.001}, {"RMSprop", "rmsprop", 0.001},
		{"adagrad", "adagrad", 0.001}, {"Adagrad", "adagrad", 0.001},
	} {
		opt, err := Get(tc.id)
		if err != nil {
			t.Fatalf("Get(%q): %v", tc.id, err)
		}
		if opt.Name() != tc.name || opt.LearningRate() != tc.lr {
			t.Errorf("Get(%q) = %s with lr %v, want %s with lr %v", tc.id, opt.Name(), opt.LearningRate(), tc.name, tc.lr)
		}
	}
	a, _ := Get("adam")
	b, _ := Get("adam")
	if a == b {
		t.Errorf("Get returned the same optimizer twice; each call must give a new one")
	}
	_, err := Get("adafactor")
	if !errors.Is(err, ErrUnknownOptimizer) {
		t.Fatalf("Get(adafactor) = %v, want ErrUnknownOptimizer", err)
	}
	for _, name := range []string{"adafactor", "sgd", "adam", "rmsprop", "adagrad"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not list %q", err, name)
		}
	}
}
