package keras

import (
	"fmt"
	"sort"

	"github.com/kerago/kerago/keras/internal/saving"
	"github.com/kerago/kerago/keras/metrics"
)

// compileConfig returns Keras 3's compile_config of the model: {} before Compile, else the
// optimizer (with its current learning rate), loss, loss_weights and metrics as Keras writes
// them.
func (m *Model) compileConfig() map[string]any {
	c := m.compiled
	if c == nil {
		return map[string]any{}
	}
	out := m.trainingConfig()
	out["optimizer"] = saving.SerializeOptimizer(c.optimizer)
	return out
}

// trainingConfig returns the compile_config entries other than the optimizer.
func (m *Model) trainingConfig() map[string]any {
	c := m.compiled
	return map[string]any{
		"loss":                saving.LossConfig(c.config["loss"]),
		"loss_weights":        m.lossWeightsConfig(),
		"metrics":             m.metricsConfig(),
		"weighted_metrics":    c.metricsArg(true),
		"run_eagerly":         false,
		"steps_per_execution": 1,
		"jit_compile":         false,
	}
}

// lossWeightsConfig writes the loss weights: null when all are 1 and none were given, else a
// list in output order (a dict when they were given as one).
func (m *Model) lossWeightsConfig() any {
	c := m.compiled
	switch c.config["loss_weights"].(type) {
	case nil:
		return nil
	case map[string]float64:
		out := map[string]any{}
		for _, h := range c.heads {
			out[h.name] = h.weight
		}
		return out
	}
	out := make([]any, len(c.heads))
	for i, h := range c.heads {
		out[i] = h.weight
	}
	return out
}

// metricsConfig writes the compiled metrics: a list for one output, a dict keyed by output
// name for several (unambiguous for Keras 3 and for Compile), null for none. A metric given
// by name is written as its name, an object serialised as Keras writes it.
func (m *Model) metricsConfig() any { return m.compiled.metricsArg(false) }

func (c *compiled) metricsArg(weighted bool) any {
	entries := func(h head) []any {
		ms, objs := h.metrics, h.metricObj
		if weighted {
			ms, objs = h.weighted, h.weightedObj
		}
		out := make([]any, len(ms))
		for i, mt := range ms {
			out[i] = mt.Name()
			if cf, ok := mt.(metrics.Configurable); ok && objs[i] {
				out[i] = metrics.Serialize(cf)
			}
		}
		return out
	}
	if len(c.heads) == 1 {
		if l := entries(c.heads[0]); len(l) > 0 {
			return l
		}
		return nil
	}
	out := map[string]any{}
	for _, h := range c.heads {
		if l := entries(h); len(l) > 0 {
			out[h.name] = l
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// compileFromConfig compiles m from a saved compile_config (Keras 3) or training_config
// (legacy HDF5, where the optimizer is under "optimizer_config").
func (m *Model) compileFromConfig(cc map[string]any) error {
	optCfg, ok := cc["optimizer"]
	if !ok {
		optCfg = cc["optimizer_config"]
	}
	opt, err := saving.OptimizerFromConfig(optCfg)
	if err != nil {
		return err
	}
	loss, err := saving.LossFromConfig(cc["loss"])
	if err != nil {
		return err
	}
	var opts []CompileOption
	switch w := cc["loss_weights"].(type) {
	case nil:
	case float64:
		opts = append(opts, LossWeights(w))
	case []any:
		ws := make([]float64, len(w))
		for i, v := range w {
			f, ok := v.(float64)
			if !ok {
				return fmt.Errorf("%w: loss_weights[%d] is %T, not a number", ErrFileFormat, i, v)
			}
			ws[i] = f
		}
		opts = append(opts, LossWeights(ws))
	case map[string]any:
		ws := make(map[string]float64, len(w))
		for k, v := range w {
			f, ok := v.(float64)
			if !ok {
				return fmt.Errorf("%w: loss_weights[%q] is %T, not a number", ErrFileFormat, k, v)
			}
			ws[k] = f
		}
		opts = append(opts, LossWeights(ws))
	default:
		return fmt.Errorf("%w: loss_weights is %T", ErrFileFormat, w)
	}
	mo, err := metricsFromConfig(cc["metrics"], m.OutputNames(), false)
	if err != nil {
		return err
	}
	opts = append(opts, mo...)
	wo, err := metricsFromConfig(cc["weighted_metrics"], m.OutputNames(), true)
	if err != nil {
		return fmt.Errorf("weighted_metrics: %w", err)
	}
	opts = append(opts, wo...)
	if loss == nil {
		return fmt.Errorf("%w: compile config has no loss", ErrFileFormat)
	}
	return m.Compile(opt, loss, opts...)
}

// metricEntry reads one metric: a name, or a serialised metric object rebuilt from its class
// and config.
func metricEntry(v any) (metricID, error) {
	switch x := v.(type) {
	case string:
		return metricID{name: x}, nil
	case map[string]any:
		class, _ := x["class_name"].(string)
		cfg, _ := x["config"].(map[string]any)
		if class == "" {
			return metricID{}, fmt.Errorf("%w: metric object without class_name", ErrFileFormat)
		}
		mt, err := metrics.FromConfig(class, cfg)
		if err != nil {
			return metricID{}, err
		}
		return metricID{obj: mt}, nil
	}
	return metricID{}, fmt.Errorf("%w: metric is %T", ErrFileFormat, v)
}

// metricEntries reads a metric or a list of metrics.
func metricEntries(v any) ([]metricID, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	var out []metricID
	for _, x := range list {
		id, err := metricEntry(x)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

// metricsFromConfig reads a metrics (or weighted_metrics) argument: a list (one output, or
// one entry per output), a list of lists (per output) or a dict keyed by output name.
func metricsFromConfig(v any, outputs []string, weighted bool) ([]CompileOption, error) {
	flat := func(ids []metricID) CompileOption {
		return func(c *compileConfig) {
			if weighted {
				c.weighted = append(c.weighted, ids...)
			} else {
				c.metrics = append(c.metrics, ids...)
			}
		}
	}
	perOutput := func(per map[string][]metricID) CompileOption {
		return func(c *compileConfig) {
			if weighted {
				mergeMaps(&c.outputWeighted, per)
			} else {
				mergeMaps(&c.outputMetrics, per)
			}
		}
	}
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		nested := false
		for _, e := range x {
			if _, ok := e.([]any); ok {
				nested = true
			}
		}
		if !nested {
			ids, err := metricEntries(x)
			if err != nil || len(ids) == 0 {
				return nil, err
			}
			return []CompileOption{flat(ids)}, nil
		}
		if len(x) != len(outputs) {
			return nil, fmt.Errorf("%w: %d metric lists for %d outputs", ErrFileFormat, len(x), len(outputs))
		}
		per := map[string][]metricID{}
		for i, e := range x {
			ids, err := metricEntries(e)
			if err != nil {
				return nil, err
			}
			if len(ids) > 0 {
				per[outputs[i]] = ids
			}
		}
		return []CompileOption{perOutput(per)}, nil
	case map[string]any:
		per := map[string][]metricID{}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ids, err := metricEntries(x[k])
			if err != nil {
				return nil, err
			}
			if len(ids) > 0 {
				per[k] = ids
			}
		}
		return []CompileOption{perOutput(per)}, nil
	}
	return nil, fmt.Errorf("%w: metrics is %T", ErrFileFormat, v)
}
