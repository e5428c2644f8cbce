package keras

import (
	"fmt"
	"sort"

	"github.com/kerago/kerago/keras/internal/saving"
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
		"weighted_metrics":    nil,
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

// metricsConfig writes the compiled metrics: a list of names for one output, a dict keyed by
// output name for several (unambiguous for Keras 3 and for Compile), null for none.
func (m *Model) metricsConfig() any {
	c := m.compiled
	if len(c.heads) == 1 {
		if len(c.heads[0].metrics) == 0 {
			return nil
		}
		out := make([]any, len(c.heads[0].metrics))
		for i, mt := range c.heads[0].metrics {
			out[i] = mt.Name()
		}
		return out
	}
	out := map[string]any{}
	for _, h := range c.heads {
		if len(h.metrics) == 0 {
			continue
		}
		names := make([]any, len(h.metrics))
		for i, mt := range h.metrics {
			names[i] = mt.Name()
		}
		out[h.name] = names
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
	mo, err := metricsFromConfig(cc["metrics"], m.OutputNames())
	if err != nil {
		return err
	}
	opts = append(opts, mo...)
	if wm := cc["weighted_metrics"]; wm != nil {
		if l, ok := wm.([]any); !ok || len(l) > 0 {
			return fmt.Errorf("%w: weighted_metrics are not supported", ErrUnknownName)
		}
	}
	if loss == nil {
		return fmt.Errorf("%w: compile config has no loss", ErrFileFormat)
	}
	return m.Compile(opt, loss, opts...)
}

// metricName reads one metric: a name or a serialised metric object (by its config name).
func metricName(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case map[string]any:
		if cfg, ok := x["config"].(map[string]any); ok {
			if n, ok := cfg["name"].(string); ok {
				return n, nil
			}
		}
		if c, ok := x["class_name"].(string); ok {
			return SnakeCase(c), nil
		}
	}
	return "", fmt.Errorf("%w: metric is %T", ErrFileFormat, v)
}

// metricNames reads a metric or a list of metrics.
func metricNames(v any) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	var out []string
	for _, x := range list {
		n, err := metricName(x)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// metricsFromConfig reads the metrics argument: a list (one output, or one per output), a
// list of lists (per output) or a dict keyed by output name.
func metricsFromConfig(v any, outputs []string) ([]CompileOption, error) {
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
			names, err := metricNames(x)
			if err != nil || len(names) == 0 {
				return nil, err
			}
			return []CompileOption{Metrics(names...)}, nil
		}
		if len(x) != len(outputs) {
			return nil, fmt.Errorf("%w: %d metric lists for %d outputs", ErrFileFormat, len(x), len(outputs))
		}
		per := map[string][]string{}
		for i, e := range x {
			names, err := metricNames(e)
			if err != nil {
				return nil, err
			}
			if len(names) > 0 {
				per[outputs[i]] = names
			}
		}
		return []CompileOption{OutputMetrics(per)}, nil
	case map[string]any:
		per := map[string][]string{}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			names, err := metricNames(x[k])
			if err != nil {
				return nil, err
			}
			if len(names) > 0 {
				per[k] = names
			}
		}
		return []CompileOption{OutputMetrics(per)}, nil
	}
	return nil, fmt.Errorf("%w: metrics is %T", ErrFileFormat, v)
}
