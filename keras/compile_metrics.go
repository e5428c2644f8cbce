package keras

import (
	"fmt"
	"sort"

	"github.com/kerago/kerago/keras/metrics"
)

// metricID is one entry of a metrics argument: a Keras name or a metric object.
type metricID struct {
	name string
	obj  metrics.Metric
}

func (id metricID) String() string {
	if id.obj != nil {
		return id.obj.Name()
	}
	return id.name
}

func nameIDs(names []string) []metricID {
	out := make([]metricID, len(names))
	for i, n := range names {
		out[i] = metricID{name: n}
	}
	return out
}

func objIDs(ms []metrics.Metric) []metricID {
	out := make([]metricID, len(ms))
	for i, m := range ms {
		out[i] = metricID{obj: m}
	}
	return out
}

func nameMap(m map[string][]string) map[string][]metricID {
	out := make(map[string][]metricID, len(m))
	for k, v := range m {
		out[k] = append(out[k], nameIDs(v)...)
	}
	return out
}

func objMap(m map[string][]metrics.Metric) map[string][]metricID {
	out := make(map[string][]metricID, len(m))
	for k, v := range m {
		out[k] = append(out[k], objIDs(v)...)
	}
	return out
}

func mergeMaps(dst *map[string][]metricID, src map[string][]metricID) {
	if *dst == nil {
		*dst = map[string][]metricID{}
	}
	for k, v := range src {
		(*dst)[k] = append((*dst)[k], v...)
	}
}

// MetricObjects adds metric objects (metrics.NewAUC(metrics.NumThresholds(50)),
// metrics.NewPrecision() ...) to the flat metrics list that Metrics fills, after the names
// given so far: on a model with one output every entry applies to it; with several outputs
// the list must have one entry per output, in output order, as in Keras 3. Each object
// logs under its Name.
func MetricObjects(ms ...metrics.Metric) CompileOption {
	return func(c *compileConfig) { c.metrics = append(c.metrics, objIDs(ms)...) }
}

// OutputMetricObjects adds metric objects per output, keyed by output layer name.
func OutputMetricObjects(m map[string][]metrics.Metric) CompileOption {
	return func(c *compileConfig) { mergeMaps(&c.outputMetrics, objMap(m)) }
}

// WeightedMetrics names metrics computed with the sample weights of Fit and Evaluate
// (SampleWeight, ClassWeight): Keras's weighted_metrics. The list follows Metrics' rule
// (one output: all apply; several: one entry per output). A weighted metric logs under its
// name, or "weighted_<name>" when a plain metric of the output has that name already
// ("accuracy" and "weighted_accuracy"; "out_b_weighted_accuracy" on a model with several
// outputs), as Keras names them.
func WeightedMetrics(names ...string) CompileOption {
	return func(c *compileConfig) { c.weighted = append(c.weighted, nameIDs(names)...) }
}

// WeightedMetricObjects adds metric objects to the WeightedMetrics list.
func WeightedMetricObjects(ms ...metrics.Metric) CompileOption {
	return func(c *compileConfig) { c.weighted = append(c.weighted, objIDs(ms)...) }
}

// OutputWeightedMetrics names weighted metrics per output, keyed by output layer name.
func OutputWeightedMetrics(m map[string][]string) CompileOption {
	return func(c *compileConfig) { mergeMaps(&c.outputWeighted, nameMap(m)) }
}

// OutputWeightedMetricObjects adds weighted metric objects per output, keyed by output
// layer name.
func OutputWeightedMetricObjects(m map[string][]metrics.Metric) CompileOption {
	return func(c *compileConfig) { mergeMaps(&c.outputWeighted, objMap(m)) }
}

// resolveMetrics fills every head's metrics and weighted metrics from the options, as Keras
// 3's CompileMetrics builds them, and names their logs; it returns every problem.
func (c *compiled) resolveMetrics(cfg compileConfig, names []string) []error {
	var errs []error
	add := func(arg string, i int, id metricID, weighted bool) {
		mt := id.obj
		if mt == nil {
			var err error
			if mt, err = metrics.Get(id.name); err != nil {
				errs = append(errs, &ArgumentError{Call: "Compile", Arg: fmt.Sprintf("%s of output %q", arg, names[i]), Err: err})
				return
			}
		} else if e, ok := mt.(interface{ Err() error }); ok && e.Err() != nil {
			errs = append(errs, &ArgumentError{Call: "Compile", Arg: fmt.Sprintf("%s of output %q", arg, names[i]), Err: e.Err()})
			return
		} else if err := metrics.ScalarErr(mt); err != nil { // F1Score(average=None): a vector
			errs = append(errs, &ArgumentError{Call: "Compile", Arg: fmt.Sprintf("%s of output %q", arg, names[i]), Err: err})
			return
		} else {
			mt = metrics.Clone(mt) // an object listed for two outputs counts each apart
		}
		h := &c.heads[i]
		if weighted {
			h.weighted = append(h.weighted, mt)
			h.weightedObj = append(h.weightedObj, id.obj != nil)
		} else {
			h.metrics = append(h.metrics, mt)
			h.metricObj = append(h.metricObj, id.obj != nil)
		}
	}
	set := func(arg string, flat []metricID, per map[string][]metricID, weighted bool) {
		switch {
		case len(flat) == 0:
		case len(names) == 1:
			for _, id := range flat {
				add(arg, 0, id, weighted)
			}
		case len(flat) == len(names):
			for i, id := range flat {
				add(arg, i, id, weighted)
			}
		default:
			// Keras 3 matches a flat list to the outputs' structure and fails; it never
			// repeats one metric for every output.
			errs = append(errs, argErr("Compile", map[bool]string{false: "metrics", true: "weighted_metrics"}[weighted], ErrInvalidArgument,
				"%d entries for a model with %d outputs %v: a flat list needs one entry per output, in order; use Output%s to give several metrics, or a metric to only some outputs",
				len(flat), len(names), names, map[bool]string{false: "Metrics", true: "WeightedMetrics"}[weighted]))
		}
		keys := make([]string, 0, len(per))
		for k := range per {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			i := -1
			for j, n := range names {
				if n == k {
					i = j
				}
			}
			if i < 0 {
				errs = append(errs, argErr("Compile", map[bool]string{false: "metrics", true: "weighted_metrics"}[weighted], ErrUnknownName, "no output named %q (outputs: %v)", k, names))
				continue
			}
			for _, id := range per[k] {
				add(arg, i, id, weighted)
			}
		}
	}
	set("metric", cfg.metrics, cfg.outputMetrics, false)
	set("weighted metric", cfg.weighted, cfg.outputWeighted, true)
	c.nameMetricLogs()
	return errs
}

// nameMetricLogs gives every metric its log name as Keras 3's CompileMetrics.result does:
// "<output>_<name>" on a model with several outputs; a repeated name gets "_1", "_2" ...;
// a weighted metric whose name is taken becomes "weighted_<name>" first.
func (c *compiled) nameMetricLogs() {
	seen := map[string]int{}
	prefix := func(i int, n string) string {
		if c.multi() {
			return c.heads[i].name + "_" + n
		}
		return n
	}
	for i := range c.heads {
		h := &c.heads[i]
		h.metricKeys = make([]string, len(h.metrics))
		for j, mt := range h.metrics {
			n := prefix(i, mt.Name())
			if k, ok := seen[n]; ok {
				seen[n] = k + 1
				n = fmt.Sprintf("%s_%d", n, k)
			} else {
				seen[n] = 1
			}
			h.metricKeys[j] = n
		}
	}
	for i := range c.heads {
		h := &c.heads[i]
		h.weightedKeys = make([]string, len(h.weighted))
		for j, mt := range h.weighted {
			n := prefix(i, mt.Name())
			if _, ok := seen[n]; !ok {
				seen[n] = 1
			} else {
				n = prefix(i, "weighted_"+mt.Name())
				if k, ok := seen[n]; ok {
					seen[n] = k + 1
					n = fmt.Sprintf("%s_%d", n, k)
				} else {
					seen[n] = 1
				}
			}
			h.weightedKeys[j] = n
		}
	}
}
