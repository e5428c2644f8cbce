package regularizers

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/errs"
	"github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
)

// ErrUnknown is wrapped by Get's and FromConfig's errors for a name that is not a Keras
// regularizer or constraint. It is a keras.ErrUnknownName: errors.Is matches either.
var ErrUnknown = errs.Refine(errs.UnknownName, "unknown regularizer or constraint")

// Regularizer is a keras.Regularizer that configs write as Keras's regularizer object.
type Regularizer interface {
	keras.Regularizer
	// ClassName is the Keras class: "L1", "L2", "L1L2" or "OrthogonalRegularizer".
	ClassName() string
	// Config is the class's config with Keras's keys.
	Config() map[string]any
}

var (
	_ Regularizer = L1{}
	_ Regularizer = L2{}
	_ Regularizer = L1L2{}
	_ Regularizer = Orthogonal{}
)

// Orthogonal is Keras's OrthogonalRegularizer ("orthogonal_regularizer"): it pushes the rows
// (Mode "rows", the default) or columns ("columns") of a rank-2 weight towards orthogonality,
// with the penalty Factor · 0.5 · Σ_{i≠j} |xᵢ·xⱼ| / (n(n-1)/2) over the L2-normalised rows or
// columns xᵢ, n of them. Keras's default factor is 0.01: write Orthogonal{Factor: 0.01}, or
// use the name. A weight of another rank, or with fewer than 2 rows (columns), is an error.
type Orthogonal struct {
	// Factor scales the penalty (Keras's factor).
	Factor float64
	// Mode is "rows" or "columns"; "" means "rows".
	Mode string
}

// ClassName returns "OrthogonalRegularizer".
func (Orthogonal) ClassName() string { return "OrthogonalRegularizer" }

// Config returns {"factor", "mode"}; Keras keeps the factor as a float32 tensor and writes it
// so, as this does.
func (r Orthogonal) Config() map[string]any {
	return map[string]any{"factor": float64(float32(r.Factor)), "mode": r.mode()}
}

func (r Orthogonal) mode() string {
	if r.Mode == "" {
		return "rows"
	}
	return r.Mode
}

// Validate reports a factor that is not a finite number ≥ 0 or an unknown mode.
func (r Orthogonal) Validate() error {
	if math.IsNaN(r.Factor) || math.IsInf(r.Factor, 0) || r.Factor < 0 {
		return fmt.Errorf("OrthogonalRegularizer: factor %v must be a finite number ≥ 0", r.Factor)
	}
	if m := r.mode(); m != "rows" && m != "columns" {
		return fmt.Errorf(`OrthogonalRegularizer: mode must be "rows" or "columns", got %q`, m)
	}
	return nil
}

// Penalty returns the orthogonality penalty of w, a rank-2 weight.
func (r Orthogonal) Penalty(w *G.Node) (*G.Node, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return ops.OrthogonalPenalty(w, float64(float32(r.Factor)), r.mode() == "columns")
}

// L1 is Keras's L1 regularizer ("l1"): the penalty L1·Σ|w|. Keras's default factor is 0.01:
// write L1{L1: 0.01}, or use the name "l1".
type L1 struct {
	// L1 is the factor (Keras's l1).
	L1 float64
}

// L2 is Keras's L2 regularizer ("l2"): the penalty L2·Σw². Keras's default factor is 0.01:
// write L2{L2: 0.01}, or use the name "l2".
type L2 struct {
	// L2 is the factor (Keras's l2).
	L2 float64
}

// L1L2 is Keras's L1L2 regularizer: L1·Σ|w| + L2·Σw² (a term whose factor is 0 is left out,
// as Keras leaves it out). Keras's defaults are 0 and 0.
type L1L2 struct {
	// L1 and L2 are the factors (Keras's l1 and l2).
	L1, L2 float64
}

// ClassName returns "L1".
func (L1) ClassName() string { return "L1" }

// ClassName returns "L2".
func (L2) ClassName() string { return "L2" }

// ClassName returns "L1L2".
func (L1L2) ClassName() string { return "L1L2" }

// Config returns {"l1": factor}. Keras keeps L1's factor as a float32 tensor and writes it
// so (0.01 is written 0.009999999776482582); so does this.
func (r L1) Config() map[string]any { return map[string]any{"l1": float64(float32(r.L1))} }

// Config returns {"l2": factor}.
func (r L2) Config() map[string]any { return map[string]any{"l2": r.L2} }

// Config returns {"l1": factor, "l2": factor}.
func (r L1L2) Config() map[string]any { return map[string]any{"l1": r.L1, "l2": r.L2} }

// Penalty returns L1·Σ|w|.
func (r L1) Penalty(w *G.Node) (*G.Node, error) { return penalty(w, r.L1, 0) }

// Penalty returns L2·Σw².
func (r L2) Penalty(w *G.Node) (*G.Node, error) { return penalty(w, 0, r.L2) }

// Penalty returns L1·Σ|w| + L2·Σw².
func (r L1L2) Penalty(w *G.Node) (*G.Node, error) { return penalty(w, r.L1, r.L2) }

// penalty is l1·Σ|w| + l2·Σw², leaving out a term whose factor is 0.
func penalty(w *G.Node, l1, l2 float64) (*G.Node, error) {
	for _, f := range []float64{l1, l2} {
		if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			return nil, fmt.Errorf("regularization factor %v must be a finite number ≥ 0", f)
		}
	}
	term := func(f func(*G.Node) (*G.Node, error), factor float64) (*G.Node, error) {
		x, err := f(w)
		if err != nil {
			return nil, err
		}
		s, err := G.Sum(x)
		if err != nil {
			return nil, err
		}
		return G.Mul(constant(w, factor), s)
	}
	var out *G.Node
	for i, t := range []struct {
		f      func(*G.Node) (*G.Node, error)
		factor float64
	}{{G.Abs, l1}, {G.Square, l2}} {
		// A zero factor's term is left out, as Keras leaves it out; with both zero the
		// penalty is 0·Σw², which keeps it a node of w's graph.
		if t.factor == 0 && (i == 0 || out != nil) {
			continue
		}
		n, err := term(t.f, t.factor)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = n
		} else if out, err = G.Add(out, n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// constant is a scalar of n's dtype.
func constant(n *G.Node, v float64) *G.Node {
	if n.Dtype().Name() == "float64" {
		return G.NewConstant(v)
	}
	return G.NewConstant(float32(v))
}

// Get returns the regularizer or constraint of a Keras name with Keras's default arguments:
// "l1" and "l2" (factor 0.01), "L1L2" (0, 0), "orthogonal_regularizer" (0.01, "rows"); "max_norm", "min_max_norm", "non_neg",
// "unit_norm" and their class names. The result is a Regularizer or a Constraint.
func Get(name string) (any, error) {
	switch name {
	case "l1", "L1":
		return L1{L1: 0.01}, nil
	case "l2", "L2":
		return L2{L2: 0.01}, nil
	case "L1L2":
		return L1L2{}, nil
	case "orthogonal_regularizer", "OrthogonalRegularizer":
		return Orthogonal{Factor: 0.01, Mode: "rows"}, nil
	case "max_norm", "MaxNorm":
		return MaxNorm{MaxValue: 2}, nil
	case "min_max_norm", "MinMaxNorm":
		return MinMaxNorm{MinValue: 0, MaxValue: 1, Rate: 1}, nil
	case "non_neg", "NonNeg":
		return NonNeg{}, nil
	case "unit_norm", "UnitNorm":
		return UnitNorm{}, nil
	}
	known := []string{"l1", "l2", "L1L2", "orthogonal_regularizer", "max_norm", "min_max_norm", "non_neg", "unit_norm"}
	sort.Strings(known)
	return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknown, name, strings.Join(known, ", "))
}

// FromConfig returns the regularizer or constraint of a Keras object's class_name and config,
// as Keras writes them in layer configs. Missing keys take Keras's defaults.
func FromConfig(className string, config map[string]any) (any, error) {
	def, err := Get(className)
	if err != nil {
		return nil, err
	}
	r := reader{class: className, cfg: config}
	var out any
	switch d := def.(type) {
	case L1:
		out = L1{L1: r.num("l1", d.L1)}
	case L2:
		out = L2{L2: r.num("l2", d.L2)}
	case L1L2:
		out = L1L2{L1: r.num("l1", 0), L2: r.num("l2", 0)}
	case Orthogonal:
		mode := d.Mode
		if v, ok := config["mode"]; ok && v != nil {
			if mode, ok = v.(string); !ok && r.err == nil {
				r.err = fmt.Errorf("%s: mode is %T %v, want a string", className, v, v)
			}
		}
		out = Orthogonal{Factor: r.num("factor", d.Factor), Mode: mode}
	case MaxNorm:
		out = MaxNorm{MaxValue: r.num("max_value", d.MaxValue), Axis: r.axis()}
	case MinMaxNorm:
		out = MinMaxNorm{MinValue: r.num("min_value", d.MinValue), MaxValue: r.num("max_value", d.MaxValue),
			Rate: r.num("rate", d.Rate), Axis: r.axis()}
	case NonNeg:
		out = d
	case UnitNorm:
		out = UnitNorm{Axis: r.axis()}
	}
	if r.err != nil {
		return nil, r.err
	}
	if v, ok := out.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// reader reads numbers from a config, keeping the first problem.
type reader struct {
	class string
	cfg   map[string]any
	err   error
}

func (r *reader) num(key string, def float64) float64 {
	v, ok := r.cfg[key]
	if !ok || v == nil {
		return def
	}
	switch n := v.(type) {
	case float64:
		return n
	case int:
		return float64(n)
	}
	if r.err == nil {
		r.err = fmt.Errorf("%s: %s is %T %v, want a number", r.class, key, v, v)
	}
	return def
}

// axis reads a constraint's axis: an integer or a list of them (default 0).
func (r *reader) axis() []int {
	v, ok := r.cfg["axis"]
	if !ok || v == nil {
		return nil
	}
	list, isList := v.([]any)
	if !isList {
		list = []any{v}
	}
	out := make([]int, 0, len(list))
	for _, x := range list {
		f, ok := x.(float64)
		if i, isInt := x.(int); isInt {
			f, ok = float64(i), true
		}
		if !ok || f != math.Trunc(f) || math.Abs(f) > 32 {
			if r.err == nil {
				r.err = fmt.Errorf("%s: axis %v is not an integer or a list of them", r.class, v)
			}
			return nil
		}
		out = append(out, int(f))
	}
	return out
}

// Serialize writes a regularizer or constraint as Keras writes it in a layer config:
// {"module", "class_name", "config", "registered_name"}; nil for nil.
func Serialize(v any) any {
	switch o := v.(type) {
	case Regularizer:
		return object("keras.regularizers", o.ClassName(), o.Config())
	case Constraint:
		return object("keras.constraints", o.ClassName(), o.Config())
	}
	return nil
}

func object(module, class string, config map[string]any) map[string]any {
	return map[string]any{"module": module, "class_name": class, "config": config, "registered_name": nil}
}
