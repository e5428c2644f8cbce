package keras_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

func snapshot(t *tensor.Dense) string { return fmt.Sprint(t.Data()) }

// A SetTrainable takes effect at the next Compile, as in Keras: Fit and TrainOnBatch keep
// training the weights that were trainable when the model was compiled, and compiling again
// with the same optimizer value rebuilds its state for the new set, keeping the moments of
// the weights still trained and the iteration count, with fresh (zero) moments for weights
// trained again.
func TestSetTrainableTakesEffectAtCompile(t *testing.T) {
	keras.SetRandomSeed(2)
	in := keras.Input(keras.Shape{4})
	d1, d2 := layers.Dense(3), layers.Dense(1)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(d2.Call(d1.Call(in))))
	if err != nil {
		t.Fatal(err)
	}
	opt := optimizers.Adam()
	if err := m.Compile(opt, "mse"); err != nil {
		t.Fatal(err)
	}
	x, y := randData(8, 4, 1), randData(8, 1, 2)
	fit := func(step string) {
		t.Helper()
		if _, err := m.Fit(x, y, keras.BatchSize(8), keras.Verbose(0)); err != nil {
			t.Fatalf("%s: Fit: %v", step, err)
		}
	}
	fit("first fit")
	kernel := d1.Variables()[0].Value

	d1.SetTrainable(false)
	before := snapshot(kernel)
	fit("fit after SetTrainable(false), not recompiled")
	if _, err := m.TrainOnBatch(x, y); err != nil {
		t.Fatalf("TrainOnBatch after SetTrainable(false), not recompiled: %v", err)
	}
	if snapshot(kernel) == before {
		t.Error("d1 stopped training before the model was compiled again")
	}
	if it := opt.Iterations(); it != 3 {
		t.Errorf("iterations %d, want 3", it)
	}

	full := opt.Variables() // iteration, lr, then (momentum, velocity) of d1 kernel, d1 bias, d2 kernel, d2 bias
	if len(full) != 10 {
		t.Fatalf("%d optimizer variables, want 10", len(full))
	}
	if err := m.Compile(opt, "mse"); err != nil {
		t.Fatalf("recompiling with the same optimizer: %v", err)
	}
	frozen := opt.Variables()
	if len(frozen) != 6 || opt.Iterations() != 3 {
		t.Fatalf("after recompiling with d1 frozen: %d variables and iteration %d, want 6 and 3", len(frozen), opt.Iterations())
	}
	for i := 2; i < 6; i++ {
		if snapshot(frozen[i]) != snapshot(full[i+4]) {
			t.Errorf("slot %d of d2 changed by the recompile: %v, was %v", i, frozen[i].Data(), full[i+4].Data())
		}
	}
	before, d2Before := snapshot(kernel), snapshot(d2.Variables()[0].Value)
	fit("fit after recompiling")
	if snapshot(kernel) != before {
		t.Error("the frozen d1 changed after the recompile")
	}
	if snapshot(d2.Variables()[0].Value) == d2Before {
		t.Error("d2 did not train after the recompile")
	}

	d1.SetTrainable(true)
	trained := opt.Variables()
	if err := m.Compile(opt, "mse"); err != nil {
		t.Fatalf("recompiling after unfreezing: %v", err)
	}
	vars := opt.Variables()
	if len(vars) != 10 {
		t.Fatalf("%d optimizer variables after unfreezing, want 10", len(vars))
	}
	for i := 2; i < 6; i++ {
		for _, v := range vars[i].Data().([]float32) {
			if v != 0 {
				t.Fatalf("slot %d of the unfrozen d1 is %v, want fresh zeros", i, vars[i].Data())
			}
		}
		if snapshot(vars[i+4]) != snapshot(trained[i]) {
			t.Errorf("slot %d of d2 changed by the recompile", i+4)
		}
	}
	before = snapshot(kernel)
	fit("fit after unfreezing")
	if snapshot(kernel) == before {
		t.Error("the unfrozen d1 did not train")
	}
}

// One optimizer value compiled into two models does not share its state between them: it
// serves the model compiled last, and fitting the other fails with ErrMismatch, leaving its
// weights alone.
func TestOptimizerServesOneModel(t *testing.T) {
	build := func() *keras.Model {
		in := keras.Input(keras.Shape{3})
		m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Dense(1).Call(in)))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	x, y := randData(8, 3, 3), randData(8, 1, 4)
	opt := optimizers.Adam()
	a, b := build(), build()
	for _, m := range []*keras.Model{a, b} {
		if err := m.Compile(opt, "mse"); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		model   *keras.Model
		name    string
		compile bool
		wantErr bool
	}{
		{a, "a (compiled first)", false, true},
		{b, "b (compiled last)", false, false},
		{a, "a after compiling it again", true, false},
		{b, "b after a took the optimizer", false, true},
	}
	iterations := int64(0)
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.compile {
				if err := s.model.Compile(opt, "mse"); err != nil {
					t.Fatal(err)
				}
			}
			w := snapshot(s.model.Weights()[0])
			_, err := s.model.Fit(x, y, keras.BatchSize(8), keras.Verbose(0))
			if !s.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				iterations++
				if opt.Iterations() != iterations {
					t.Errorf("iterations %d, want %d", opt.Iterations(), iterations)
				}
				return
			}
			if !errors.Is(err, optimizers.ErrMismatch) {
				t.Fatalf("Fit: %v, want ErrMismatch: the optimizer serves the other model", err)
			}
			if snapshot(s.model.Weights()[0]) != w {
				t.Error("the refused Fit changed the weights")
			}
			if opt.Iterations() != iterations {
				t.Errorf("iterations %d after a refused Fit, want %d", opt.Iterations(), iterations)
			}
		})
	}
}
