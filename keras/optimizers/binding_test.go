package optimizers

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// An optimizer is bound to its parameters by identity: other tensors of the same shapes (the
// weights of a second model compiled with the same optimizer) are refused, and nothing
// changes.
func TestApplyRejectsOtherTensors(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			opt := v.make()
			params, grads := split(w0, tensor.Float32), split(steps[0], tensor.Float32)
			if err := opt.Apply(params, grads); err != nil {
				t.Fatal(err)
			}
			before := opt.Variables()
			other := split(w0, tensor.Float32)
			for i, ps := range [][]*tensor.Dense{other, {params[0], other[1]}, {params[1], params[0]}} {
				err := opt.Apply(ps, grads)
				if !errors.Is(err, ErrMismatch) {
					t.Fatalf("case %d: Apply with other tensors: %v, want ErrMismatch", i, err)
				}
				if !strings.Contains(err.Error(), "not the variable the optimizer was built for") {
					t.Errorf("case %d: error %q does not say what is wrong", i, err)
				}
			}
			if got := values(other...); !equal(got, w0) {
				t.Errorf("a refused Apply changed the other tensors: %v", got)
			}
			if opt.Iterations() != 1 {
				t.Errorf("Iterations() = %d after refused Applies, want 1", opt.Iterations())
			}
			after := opt.Variables()
			for i := range before {
				if !equal(values(after[i]), values(before[i])) {
					t.Errorf("variable %d changed by a refused Apply: %v -> %v", i, values(before[i]), values(after[i]))
				}
			}
			// The bound tensors still work.
			if err := opt.Apply(params, grads); err != nil {
				t.Errorf("Apply with the bound tensors after a refusal: %v", err)
			}
		})
	}
}

// Build binds before the first Apply: Variables stays lazy, and only the bound tensors are
// accepted.
func TestBuildBindsBeforeApply(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			opt := v.make()
			params, grads := split(w0, tensor.Float64), split(steps[0], tensor.Float64)
			if err := opt.(Builder).Build(params); err != nil {
				t.Fatal(err)
			}
			if n := len(opt.Variables()); n != 2 {
				t.Errorf("Variables() after Build has %d entries, want 2 (slots are created by the first Apply)", n)
			}
			if err := opt.Apply(split(w0, tensor.Float64), grads); !errors.Is(err, ErrMismatch) {
				t.Errorf("Apply with other tensors after Build: %v, want ErrMismatch", err)
			}
			if err := opt.Apply(params, grads); err != nil {
				t.Errorf("Apply with the built tensors: %v", err)
			}
			// Building again on the same tensors (a new slice) keeps everything.
			before := opt.Variables()
			if err := opt.(Builder).Build(append([]*tensor.Dense(nil), params...)); err != nil {
				t.Fatal(err)
			}
			after := opt.Variables()
			if len(after) != len(before) {
				t.Fatalf("Build on the bound tensors changed the variable count %d -> %d", len(before), len(after))
			}
			for i := range before {
				if !equal(values(after[i]), values(before[i])) {
					t.Errorf("Build on the bound tensors changed variable %d", i)
				}
			}
		})
	}
}

// Rebinding a built optimizer keeps the state of the tensors it had and the iteration count,
// and starts fresh state for new tensors: after Build([b, c]) a step updates b exactly as the
// optimizer that kept training [a, b] does, and c exactly as a new optimizer at the same
// iteration does. a is no longer accepted. Apply stays allocation-free.
func TestBuildRebindsKeepingKnownSlots(t *testing.T) {
	for _, v := range variants {
		if strings.Contains(v.name, "global_clipnorm") {
			continue // its clipping couples every parameter: no per-parameter reference
		}
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%s/%v", v.name, dt), func(t *testing.T) {
				opt, ref := v.make(), v.make()
				params, refParams := split(w0, dt), split(w0, dt)
				for _, g := range steps[:2] {
					if err := opt.Apply(params, split(g, dt)); err != nil {
						t.Fatal(err)
					}
					if err := ref.Apply(refParams, split(g, dt)); err != nil {
						t.Fatal(err)
					}
				}
				// Nadam's u_product is an optimizer-wide scalar saved after the slots: it is
				// kept by a rebuild and restored with the iteration count.
				nScalars := opt.(interface{ scalarCount() int }).scalarCount()
				afterTwo := opt.Variables()
				scalarsAfterTwo := afterTwo[len(afterTwo)-nScalars:]
				kinds := (len(afterTwo) - 2 - nScalars) / 2
				a, b := params[0], params[1]
				cVals, gc := []float64{0.25, -0.75}, []float64{0.3, -0.1}
				c, refC := dense(dt, cVals, 2), dense(dt, cVals, 2)

				if err := opt.(Builder).Build([]*tensor.Dense{b, c}); err != nil {
					t.Fatal(err)
				}
				if opt.Iterations() != 2 {
					t.Errorf("Iterations() = %d after Build, want 2 (kept)", opt.Iterations())
				}
				if n := len(opt.Variables()); n != 2+2*kinds+nScalars {
					t.Errorf("Variables() has %d entries after Build, want %d", n, 2+2*kinds+nScalars)
				}
				gb := split(steps[2], dt)[1]
				if err := opt.Apply([]*tensor.Dense{b, c}, []*tensor.Dense{gb, dense(dt, gc, 2)}); err != nil {
					t.Fatal(err)
				}

				if err := ref.Apply(refParams, split(steps[2], dt)); err != nil {
					t.Fatal(err)
				}
				fresh := v.make()
				restore := []*tensor.Dense{tensor.New(tensor.FromScalar(int64(2))), tensor.New(tensor.FromScalar(fresh.LearningRate()))}
				restore = append(restore, scalarsAfterTwo...)
				if err := fresh.SetVariables(restore); err != nil {
					t.Fatal(err)
				}
				if err := fresh.Apply([]*tensor.Dense{refC}, []*tensor.Dense{dense(dt, gc, 2)}); err != nil {
					t.Fatal(err)
				}
				assertClose(t, "kept parameter b", values(b), values(refParams[1]), 1e-12, 0)
				assertClose(t, "new parameter c", values(c), values(refC), 1e-12, 0)

				if err := opt.Apply([]*tensor.Dense{a, b}, split(steps[0], dt)); !errors.Is(err, ErrMismatch) {
					t.Errorf("Apply with a dropped tensor: %v, want ErrMismatch", err)
				}
				bc, gs := []*tensor.Dense{b, c}, []*tensor.Dense{gb, dense(dt, gc, 2)}
				var err error
				if allocs := testing.AllocsPerRun(50, func() { err = opt.Apply(bc, gs) }); allocs != 0 {
					t.Errorf("Apply allocates %v times per call after a rebuild, want 0", allocs)
				}
				if err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// Build refuses nil and non-float parameters with ErrMismatch and keeps its binding.
func TestBuildErrors(t *testing.T) {
	ints := tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, 2}))
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			opt := v.make()
			params, grads := split(w0, tensor.Float32), split(steps[0], tensor.Float32)
			if err := opt.Apply(params, grads); err != nil {
				t.Fatal(err)
			}
			for _, bad := range [][]*tensor.Dense{{params[0], nil}, {ints}} {
				err := opt.(Builder).Build(bad)
				var e *Error
				if !errors.Is(err, ErrMismatch) || !errors.As(err, &e) || e.Op != "Build" {
					t.Errorf("Build(%v): %v, want an *Error of Op Build wrapping ErrMismatch", bad, err)
				}
			}
			if err := opt.Apply(params, grads); err != nil {
				t.Errorf("Apply after failed Builds: %v", err)
			}
		})
	}
}
