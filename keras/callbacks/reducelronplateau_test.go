package callbacks

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
)

// The learning rate after every epoch, worked out by hand from Keras 3's algorithm
// (KERAS.md §4.5), and the rate logged during each epoch (the one in use before any
// reduction).
func TestReduceLROnPlateauScripted(t *testing.T) {
	cases := []struct {
		name string
		lr   float64
		opts []Option
		seq  []float64
		want []float64 // learning rate after each epoch
	}{
		{"default patience 10, factor 0.1", 1, nil,
			[]float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
			[]float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.1, 0.1}},
		{"patience 2", 0.8, []Option{Patience(2), Factor(0.5)},
			[]float64{1.0, 0.9, 0.95, 0.92, 0.91, 0.93, 0.5},
			[]float64{0.8, 0.8, 0.8, 0.4, 0.4, 0.2, 0.2}},
		{"patience 0 reduces at every non-improving epoch", 0.8, []Option{Patience(0), Factor(0.5)},
			[]float64{1.0, 1.1, 1.2, 0.5, 0.6},
			[]float64{0.8, 0.4, 0.2, 0.2, 0.1}},
		{"cooldown 2: two quiet epochs after each reduction", 1, []Option{Patience(1), Factor(0.5), Cooldown(2)},
			[]float64{1, 1, 1, 1, 1, 1, 1},
			[]float64{1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125}},
		{"improvement during cooldown", 1, []Option{Patience(1), Factor(0.5), Cooldown(3)},
			[]float64{1.0, 1.0, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8},
			[]float64{1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125}},
		{"min_lr floors the rate and stops the reductions", 0.01, []Option{Patience(1), MinLR(1e-4)},
			[]float64{1, 1, 1, 1, 1, 1},
			[]float64{0.01, 0.001, 0.0001, 0.0001, 0.0001, 0.0001}},
		{"min_lr that is not a power of the factor", 0.01, []Option{Patience(1), Factor(0.3), MinLR(0.002)},
			[]float64{1, 1, 1, 1},
			[]float64{0.01, 0.01 * 0.3, 0.002, 0.002}},
		{"changes below min_delta 1e-4 are plateaus", 0.8, []Option{Patience(1), Factor(0.5)},
			[]float64{1.0, 0.99995, 0.9999, 0.99985, 0.9},
			[]float64{0.8, 0.4, 0.2, 0.2, 0.2}},
		{"max mode on accuracy", 0.8, []Option{Monitor("val_acc"), Patience(1), Factor(0.5)},
			[]float64{0.5, 0.6, 0.6, 0.7, 0.65},
			[]float64{0.8, 0.8, 0.4, 0.4, 0.2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := testModel(t, c.lr)
			r := ReduceLROnPlateau(c.opts...)
			var got, logged []float64
			key := r.mon.name
			rec := Lambda(LambdaHooks{OnEpochEnd: func(_ int, logs keras.Logs) error {
				got = append(got, m.Optimizer().LearningRate())
				logged = append(logged, logs["learning_rate"])
				return nil
			}})
			if _, err := script(t, multi{r, rec}, m, key, c.seq, 0); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("learning rates %v, want %v", got, c.want)
			}
			wantLogged := append([]float64{c.lr}, c.want[:len(c.want)-1]...)
			if fmt.Sprint(logged) != fmt.Sprint(wantLogged) {
				t.Errorf("logged learning rates %v, want %v", logged, wantLogged)
			}
		})
	}
}

func TestReduceLROnPlateauVerbose(t *testing.T) {
	m := testModel(t, 0.1)
	r := ReduceLROnPlateau(Patience(0), Verbose(1))
	var out bytes.Buffer
	r.Out = &out
	if _, err := script(t, r, m, "val_loss", []float64{1, 2, 3}, 0); err != nil {
		t.Fatal(err)
	}
	// 0.1*0.1 is 0.010000000000000002 in float64; Keras prints Python's repr.
	want := "\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.010000000000000002.\n" +
		"\nEpoch 3: ReduceLROnPlateau reducing learning rate to 0.0010000000000000002.\n"
	if out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
}

func TestReduceLROnPlateauErrors(t *testing.T) {
	cases := []struct {
		name string
		cb   *ReduceLROnPlateauCallback
		want string
	}{
		{"factor 1", ReduceLROnPlateau(Factor(1)), "Factor(1)"},
		{"factor above 1", ReduceLROnPlateau(Factor(2.5)), "Factor(2.5)"},
		{"negative factor", ReduceLROnPlateau(Factor(-0.5)), "Factor(-0.5)"},
		{"negative cooldown", ReduceLROnPlateau(Cooldown(-1)), "Cooldown(-1)"},
		{"negative min_lr", ReduceLROnPlateau(MinLR(-1e-3)), "MinLR(-0.001)"},
		{"option of another callback", ReduceLROnPlateau(RestoreBestWeights(true)), "RestoreBestWeights"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.cb.Err()
			if !errors.Is(err, keras.ErrInvalidArgument) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Err() = %v, want ErrInvalidArgument naming %s", err, c.want)
			}
		})
	}
	// Without a model there is no optimizer: an error, not a panic.
	r := ReduceLROnPlateau()
	if err := r.OnEpochEnd(0, keras.Logs{"val_loss": 1}); !errors.Is(err, keras.ErrNotCompiled) {
		t.Errorf("no model: %v", err)
	}
}
