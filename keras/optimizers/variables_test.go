package optimizers

import (
	"errors"
	"fmt"
	"testing"

	"gorgonia.org/tensor"
)

// shapesOf returns the shapes of ts as strings.
func shapesOf(ts []*tensor.Dense) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = fmt.Sprint(t.Shape())
	}
	return out
}

func TestVariablesLayout(t *testing.T) {
	// Parameters (3) and (1, 1): the shapes show the Keras order of the slot variables.
	const a, b = "(3)", "(1, 1)"
	for _, tc := range []struct {
		v      variant
		shapes []string
	}{
		{variant{"sgd", func() Optimizer { return SGD() }}, nil},
		{variant{"sgd momentum", func() Optimizer { return SGD(Momentum(0.9)) }}, []string{a, b}},
		{variant{"adam", func() Optimizer { return Adam() }}, []string{a, a, b, b}},
		{variant{"adam amsgrad", func() Optimizer { return Adam(AMSGrad(true)) }}, []string{a, a, b, b, a, b}},
		{variant{"rmsprop", func() Optimizer { return RMSprop() }}, []string{a, b}},
		{variant{"rmsprop momentum centered", func() Optimizer { return RMSprop(Momentum(0.5), Centered(true)) }},
			[]string{a, b, a, b, a, b}},
		{variant{"adagrad", func() Optimizer { return Adagrad() }}, []string{a, b}},
	} {
		t.Run(tc.v.name, func(t *testing.T) {
			opt := tc.v.make()
			if n := len(opt.Variables()); n != 2 {
				t.Errorf("before the first Apply: %d variables, want 2", n)
			}
			params := split(w0, tensor.Float32)
			for _, g := range steps {
				if err := opt.Apply(params, split(g, tensor.Float32)); err != nil {
					t.Fatal(err)
				}
			}
			vars := opt.Variables()
			if vars[0].Dtype() != tensor.Int64 || len(vars[0].Shape()) != 0 || vars[0].Data() != int64(3) {
				t.Errorf("variable 0 = %v %v %v, want int64 scalar 3", vars[0].Dtype(), vars[0].Shape(), vars[0].Data())
			}
			if vars[1].Dtype() != tensor.Float64 || vars[1].Data() != opt.LearningRate() {
				t.Errorf("variable 1 = %v %v, want float64 learning rate", vars[1].Dtype(), vars[1].Data())
			}
			got := shapesOf(vars[2:])
			if fmt.Sprint(got) != fmt.Sprint(tc.shapes) && !(len(got) == 0 && len(tc.shapes) == 0) {
				t.Errorf("slot shapes = %v, want %v", got, tc.shapes)
			}
			// Variables returns copies.
			for _, v := range vars[2:] {
				fill(v, 123)
			}
			for _, v := range opt.Variables()[2:] {
				if values(v)[0] == 123 {
					t.Fatal("Variables returned the live state, want copies")
				}
			}
		})
	}
	t.Run("adam slot values", func(t *testing.T) {
		// After one step from zero moments: m = 0.1*g, v = 0.001*g*g.
		opt := Adam()
		params := split(w0, tensor.Float64)
		if err := opt.Apply(params, split(steps[0], tensor.Float64)); err != nil {
			t.Fatal(err)
		}
		vars := opt.Variables()
		g := steps[0]
		m0 := []float64{0.1 * g[0], 0.1 * g[1], 0.1 * g[2]}
		v0 := []float64{0.001 * g[0] * g[0], 0.001 * g[1] * g[1], 0.001 * g[2] * g[2]}
		assertClose(t, "momentum of params[0]", values(vars[2]), m0, 1e-12, 1e-18)
		assertClose(t, "velocity of params[0]", values(vars[3]), v0, 1e-12, 1e-18)
	})
}

func TestSetVariablesResumes(t *testing.T) {
	for _, v := range variants {
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%s/%v", v.name, dt), func(t *testing.T) {
				ref := v.make()
				ref.SetLearningRate(ref.LearningRate() * 1.5) // a changed rate must be restored too
				pRef := split(w0, dt)
				for _, g := range steps[:2] {
					if err := ref.Apply(pRef, split(g, dt)); err != nil {
						t.Fatal(err)
					}
				}
				saved := ref.Variables()
				savedWeights := values(pRef...)

				// Restored before the first Apply (loading a model), and after it.
				fresh := v.make()
				if err := fresh.SetVariables(saved); err != nil {
					t.Fatal(err)
				}
				if got := len(fresh.Variables()); got != len(saved) {
					t.Errorf("Variables() after SetVariables has %d entries, want %d", got, len(saved))
				}
				built := v.make()
				pBuilt := split(w0, dt)
				if err := built.Apply(pBuilt, split(steps[2], dt)); err != nil {
					t.Fatal(err)
				}
				if err := built.SetVariables(saved); err != nil {
					t.Fatal(err)
				}

				pFresh, pBuilt2 := split(savedWeights, dt), split(savedWeights, dt)
				for _, o := range []struct {
					opt Optimizer
					p   []*tensor.Dense
				}{{ref, pRef}, {fresh, pFresh}, {built, pBuilt2}} {
					if o.opt.Iterations() != 2 || o.opt.LearningRate() != ref.LearningRate() {
						t.Errorf("restored iterations %d lr %v, want 2 and %v", o.opt.Iterations(), o.opt.LearningRate(), ref.LearningRate())
					}
					if err := o.opt.Apply(o.p, split(steps[2], dt)); err != nil {
						t.Fatal(err)
					}
				}
				want := values(pRef...)
				if got := values(pFresh...); !equal(got, want) {
					t.Errorf("restored before Apply: %v, want %v", got, want)
				}
				if got := values(pBuilt2...); !equal(got, want) {
					t.Errorf("restored after Apply: %v, want %v", got, want)
				}
			})
		}
	}
}

func TestSetVariablesErrors(t *testing.T) {
	it := tensor.New(tensor.FromScalar(int64(4)))
	lr := tensor.New(tensor.FromScalar(float32(0.001)))
	vec := func(n int) *tensor.Dense { return dense(tensor.Float32, make([]float64, n), n) }
	for _, tc := range []struct {
		name  string
		built bool
		vars  []*tensor.Dense
	}{
		{"empty", false, nil},
		{"nil iteration", false, []*tensor.Dense{nil, lr}},
		{"vector iteration", false, []*tensor.Dense{vec(2), lr}},
		{"negative iteration", false, []*tensor.Dense{tensor.New(tensor.FromScalar(int64(-1))), lr}},
		{"fractional iteration", false, []*tensor.Dense{tensor.New(tensor.FromScalar(1.5)), lr}},
		{"negative learning rate", false, []*tensor.Dense{it, tensor.New(tensor.FromScalar(-0.1))}},
		{"odd slot count", false, []*tensor.Dense{it, lr, vec(3), vec(3), vec(1)}},
		{"nil slot", false, []*tensor.Dense{it, lr, nil, vec(3)}},
		{"int slot", false, []*tensor.Dense{it, lr, tensor.New(tensor.WithShape(1), tensor.WithBacking([]int{1})), vec(3)}},
		{"too few slots when built", true, []*tensor.Dense{it, lr, vec(3), vec(3)}},
		{"wrong shape when built", true, []*tensor.Dense{it, lr, vec(3), vec(3), vec(1), vec(1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := Adam()
			params := split(w0, tensor.Float32)
			if tc.built {
				if err := opt.Apply(params, split(steps[0], tensor.Float32)); err != nil {
					t.Fatal(err)
				}
			}
			before := opt.Variables()
			err := opt.SetVariables(tc.vars)
			if !errors.Is(err, ErrVariables) {
				t.Fatalf("SetVariables = %v, want ErrVariables", err)
			}
			after := opt.Variables()
			if len(after) != len(before) || opt.Iterations() != before[0].Data().(int64) {
				t.Errorf("a failed SetVariables changed the state")
			}
		})
	}
	t.Run("slots that do not fit the params", func(t *testing.T) {
		opt := Adam()
		// Four slots fit two params, but with shapes (2) instead of (3) and (1, 1).
		if err := opt.SetVariables([]*tensor.Dense{it, lr, vec(2), vec(2), vec(2), vec(2)}); err != nil {
			t.Fatal(err)
		}
		err := opt.Apply(split(w0, tensor.Float32), split(steps[0], tensor.Float32))
		if !errors.Is(err, ErrVariables) {
			t.Fatalf("Apply = %v, want ErrVariables", err)
		}
	})
	t.Run("sgd without momentum takes no slots", func(t *testing.T) {
		if err := SGD().SetVariables([]*tensor.Dense{it, lr, vec(3)}); !errors.Is(err, ErrVariables) {
			t.Fatalf("SetVariables = %v, want ErrVariables", err)
		}
	})
	t.Run("keras dtypes", func(t *testing.T) {
		// Keras writes an int32 or int64 iteration, a float32 learning rate, and slots that
		// may be float64: they load into a float32 optimizer.
		opt := SGD(Momentum(0.9))
		slot := dense(tensor.Float64, []float64{0.5, 0.25, 0.125}, 3)
		vars := []*tensor.Dense{tensor.New(tensor.FromScalar(int32(7))), lr, slot, dense(tensor.Float64, []float64{1}, 1, 1)}
		if err := opt.SetVariables(vars); err != nil {
			t.Fatal(err)
		}
		if opt.Iterations() != 7 || opt.LearningRate() != 0.001 {
			t.Errorf("iterations %d lr %v, want 7 and 0.001", opt.Iterations(), opt.LearningRate())
		}
		params := split(w0, tensor.Float32)
		if err := opt.Apply(params, split(make([]float64, 4), tensor.Float32)); err != nil {
			t.Fatal(err)
		}
		// With zero gradients: m = 0.9*m, w += m.
		want := []float64{1 + 0.45, -2 + 0.225, 3 + 0.1125, 0.5 + 0.9}
		assertClose(t, "w", values(params...), want, 1e-6, 1e-7)
		if got := opt.Variables()[2].Dtype(); got != tensor.Float32 {
			t.Errorf("slot dtype %v, want the parameter's float32", got)
		}
	})
}
