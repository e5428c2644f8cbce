package callbacks

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/kerago/kerago/keras"
)

// Error is an error of one callback: it names the callback (its Keras class name) and wraps
// the cause, which wraps a sentinel of package keras (keras.ErrInvalidArgument for a bad
// option, keras.ErrUnknownName for a logged value that does not exist) or an I/O error.
type Error struct {
	Callback string // Keras class name, e.g. "EarlyStopping"
	Err      error
}

// Error formats the error as "callbacks: <Callback>: <cause>".
func (e *Error) Error() string { return "callbacks: " + e.Callback + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// invalid returns an option error of callback cls.
func invalid(cls, format string, args ...any) error {
	return &Error{Callback: cls, Err: fmt.Errorf("%w: "+format, append([]any{keras.ErrInvalidArgument}, args...)...)}
}

// checkTaken reports the options that were given but that callback cls does not take.
func checkTaken(cls string, o *options, taken ...string) error {
	ok := map[string]bool{}
	for _, t := range taken {
		ok[t] = true
	}
	var bad []string
	for name := range o.set {
		if !ok[name] {
			bad = append(bad, name)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return invalid(cls, "%s does not take option(s) %s (it takes %s)", cls, strings.Join(bad, ", "), strings.Join(taken, ", "))
}

// checkCommon validates the options shared by the monitoring callbacks.
func checkCommon(cls string, o *options) error {
	var errs []error
	switch o.mode {
	case "auto", "min", "max":
	default:
		errs = append(errs, invalid(cls, "Mode(%q) must be \"auto\", \"min\" or \"max\"", o.mode))
	}
	if o.monitor == "" {
		errs = append(errs, invalid(cls, "Monitor(\"\") names no logged value"))
	}
	if math.IsNaN(o.minDelta) || math.IsInf(o.minDelta, 0) {
		errs = append(errs, invalid(cls, "MinDelta(%v) must be a finite number", o.minDelta))
	}
	if o.patience < 0 {
		errs = append(errs, invalid(cls, "Patience(%d) must not be negative", o.patience))
	}
	if o.verbose < 0 {
		errs = append(errs, invalid(cls, "Verbose(%d) must not be negative", o.verbose))
	}
	return errors.Join(errs...)
}

// directions maps Keras 3 metric identifiers to their _direction: true for "up" (higher is
// better). Metrics whose Keras class has no direction are absent, so "auto" mode fails for
// them as in Keras.
var directions = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`acc accuracy auc binary_accuracy binary_io_u categorical_accuracy
		concordance_correlation cosine_similarity f1_score f_beta_score io_u mean_io_u one_hot_io_u
		one_hot_mean_io_u pearson_correlation precision precision_at_recall r2_score recall
		recall_at_precision sensitivity_at_specificity sparse_categorical_accuracy
		sparse_top_k_categorical_accuracy specificity_at_sensitivity top_k_categorical_accuracy`) {
		directions[n] = true
	}
	for _, n := range strings.Fields(`bce binary_crossentropy categorical_crossentropy categorical_hinge ce
		crossentropy hinge kl_divergence log_cosh_error mae mape mean_absolute_error
		mean_absolute_percentage_error mean_squared_error mean_squared_logarithmic_error mse msle
		poisson root_mean_squared_error sparse_categorical_crossentropy squared_hinge`) {
		directions[n] = false
	}
}

// monitor is the shared state of Keras 3's MonitorCallback: the watched name, the direction
// and min_delta.
type monitor struct {
	cls      string
	name     string
	mode     string
	minDelta float64 // |MinDelta|
	resolved bool
	max      bool // the direction once resolved
}

func newMonitor(cls string, o *options) monitor {
	return monitor{cls: cls, name: o.monitor, mode: o.mode, minDelta: math.Abs(o.minDelta)}
}

// resolve decides the direction once, as Keras 3's _set_monitor_op does at the first epoch
// end: "min" and "max" as given; in "auto" mode the name without "val_" is "loss" (down) or
// the name of a compiled metric with a known direction; anything else is an error.
func (mc *monitor) resolve(m *keras.Model) error {
	if mc.resolved {
		return nil
	}
	switch mc.mode {
	case "min":
		mc.max = false
	case "max":
		mc.max = true
	default:
		name := strings.TrimPrefix(mc.name, "val_")
		found := name == "loss"
		if m != nil {
			for _, mt := range m.CompiledMetrics() {
				if mt.Name() != name {
					continue
				}
				// A metric without a direction ("", Keras's confusion counts) falls back to
				// the names Keras's own metrics are known by.
				if d, ok := mt.(interface{ Direction() string }); ok && d.Direction() != "" {
					mc.max, found = d.Direction() == "up", true
				} else if up, ok := directions[mt.Name()]; ok {
					mc.max, found = up, true
				}
			}
		}
		if !found {
			return &Error{Callback: mc.cls, Err: fmt.Errorf("%w: monitor %q: cannot tell whether it should be maximized or minimized (it is not \"loss\" nor a compiled metric with a known direction); pass Mode(\"max\") or Mode(\"min\")", keras.ErrInvalidArgument, mc.name)}
		}
	}
	mc.resolved = true
	return nil
}

// improved is Keras's _is_improvement: best absent, or current beats it by more than
// MinDelta in the monitored direction (strictly). NaN never improves on a value.
func (mc *monitor) improved(current float64, best *float64) bool {
	if best == nil {
		return true
	}
	if mc.max {
		return current-mc.minDelta > *best
	}
	return current+mc.minDelta < *best
}

// warner prints each distinct warning once, as Python's default warnings filter does.
type warner struct{ seen map[string]bool }

func (w *warner) warn(out io.Writer, msg string) {
	if out == nil {
		return
	}
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	if w.seen[msg] {
		return
	}
	w.seen[msg] = true
	fmt.Fprintf(out, "UserWarning: %s\n", msg)
}

// available lists the logged names as Keras's warnings do: "a,b,c", in Keras 3's order:
// sorted, then the learning rate that callbacks add after sorting.
func available(logs keras.Logs) string {
	keys := logs.SortedKeys()
	sort.SliceStable(keys, func(i, j int) bool {
		return !strings.HasPrefix(keys[i], "learning_rate") && strings.HasPrefix(keys[j], "learning_rate")
	})
	return strings.Join(keys, ",")
}

// ptr returns a pointer to a copy of v.
func ptr(v float64) *float64 { return &v }
