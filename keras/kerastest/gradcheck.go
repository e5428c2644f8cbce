package kerastest

import (
	"fmt"
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"gorgonia.org/tensor"
)

// GradCheckOptions tunes CheckGradients.
type GradCheckOptions struct {
	Eps        float64 // finite-difference step (default 1e-6)
	Tol        float64 // largest relative error allowed (default 1e-4)
	MaxEntries int     // entries checked per weight, spread evenly (default 40)
	// Atol is the absolute difference always allowed (default 1e-9): central differences of
	// a loss near 1 carry rounding of about 1e-10/Eps·ε, which is all a gradient that is
	// exactly zero (a bias before BatchNormalization) shows.
	Atol float64
}

// CheckGradients compares the gradient the model computes for every trainable weight with
// central finite differences of the training loss on the batch x, y. The model must be
// compiled and use float64 (inputs declared with keras.DType("float64")), and its training
// loss must be deterministic (no dropout). Relative errors are measured against
// max(|analytic|, |numeric|, 1e-8).
func CheckGradients(t testing.TB, m *keras.Model, x, y any, o GradCheckOptions) {
	t.Helper()
	if err := GradientError(m, x, y, o); err != nil {
		t.Error(err)
	}
}

// GradientError is CheckGradients returning the first mismatch as an error.
func GradientError(m *keras.Model, x, y any, o GradCheckOptions) error {
	if o.Eps == 0 {
		o.Eps = 1e-6
	}
	if o.Tol == 0 {
		o.Tol = 1e-4
	}
	if o.MaxEntries == 0 {
		o.MaxEntries = 40
	}
	if o.Atol == 0 {
		o.Atol = 1e-9
	}
	_, grads, err := m.Gradients(x, y)
	if err != nil {
		return err
	}
	vars := m.TrainableVariables()
	if len(vars) == 0 {
		return fmt.Errorf("model %s has no trainable weights to check", m.Name())
	}
	for i, v := range vars {
		if v.Value.Dtype() != tensor.Float64 || grads[i].Dtype() != tensor.Float64 {
			return fmt.Errorf("%s: gradient checks need float64 weights, got %v", v.Path, v.Value.Dtype())
		}
		w, g := v.Value.Float64s(), grads[i].Float64s() // a scalar weight's too
		step := max(1, len(w)/o.MaxEntries)
		for j := 0; j < len(w); j += step {
			orig := w[j]
			w[j] = orig + o.Eps
			lp, _, err := m.Gradients(x, y)
			if err != nil {
				return err
			}
			w[j] = orig - o.Eps
			lm, _, err := m.Gradients(x, y)
			w[j] = orig
			if err != nil {
				return err
			}
			num := (lp - lm) / (2 * o.Eps)
			den := math.Max(math.Max(math.Abs(num), math.Abs(g[j])), 1e-8)
			if rel := math.Abs(num-g[j]) / den; rel > o.Tol && math.Abs(num-g[j]) > o.Atol {
				return fmt.Errorf("%s[%d]: gradient %.9g, finite differences %.9g (relative error %.2e)", v.Path, j, g[j], num, rel)
			}
		}
	}
	return nil
}

// Float64 returns a float64 tensor of the given shape filled by f(i) for flat index i.
func Float64(f func(i int) float64, shape ...int) *tensor.Dense {
	n := 1
	for _, d := range shape {
		n *= d
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = f(i)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}
