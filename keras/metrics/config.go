package metrics

import (
	"fmt"
	"math"
)

// FromConfig builds a metric from its Keras class name and config, as a compile_config
// written by Keras holds it ({"class_name": "AUC", "config": {"num_thresholds": 50, ...}}).
// Arguments this package does not implement (AUC's multi_label, from_logits) are errors,
// never silently dropped.
func FromConfig(className string, cfg map[string]any) (Metric, error) {
	name, _ := cfg["name"].(string)
	var opts []Option
	if name != "" {
		opts = append(opts, Name(name))
	}
	num := func(key string) (float64, bool, error) {
		v, ok := cfg[key]
		if !ok || v == nil {
			return 0, false, nil
		}
		switch n := v.(type) {
		case float64:
			return n, true, nil
		case int:
			return float64(n), true, nil
		case int64:
			return float64(n), true, nil
		}
		return 0, false, fmt.Errorf("metrics: %s config: %s is %T, not a number", className, key, v)
	}
	integer := func(key string, set func(int) Option) error {
		f, ok, err := num(key)
		if err != nil || !ok {
			return err
		}
		if f != math.Trunc(f) {
			return fmt.Errorf("metrics: %s config: %s is %v, not an integer", className, key, f)
		}
		opts = append(opts, set(int(f)))
		return nil
	}
	str := func(key string, set func(string) Option) error {
		v, ok := cfg[key]
		if !ok || v == nil {
			return nil
		}
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("metrics: %s config: %s is %T, not a string", className, key, v)
		}
		opts = append(opts, set(s))
		return nil
	}
	unsupported := func(key string, def any) error {
		if v, ok := cfg[key]; ok && v != nil && v != def {
			return fmt.Errorf("metrics: %s config: %s=%v is not supported", className, key, v)
		}
		return nil
	}
	thresholds := func() error {
		switch v := cfg["thresholds"].(type) {
		case nil:
		case float64:
			opts = append(opts, Thresholds(v))
		case []any:
			var ts []float64
			for _, e := range v {
				f, ok := e.(float64)
				if !ok {
					return fmt.Errorf("metrics: %s config: thresholds holds %T", className, e)
				}
				ts = append(ts, f)
			}
			opts = append(opts, Thresholds(ts...))
		default:
			return fmt.Errorf("metrics: %s config: thresholds is %T", className, v)
		}
		return nil
	}
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	var m Metric
	switch className {
	case "Precision", "Recall":
		add(thresholds())
		add(integer("top_k", TopK))
		add(integer("class_id", ClassID))
		if className == "Precision" {
			m = NewPrecision(opts...)
		} else {
			m = NewRecall(opts...)
		}
	case "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives":
		add(thresholds())
		m = map[string]func(...Option) *Confusion{"TruePositives": NewTruePositives, "FalsePositives": NewFalsePositives,
			"TrueNegatives": NewTrueNegatives, "FalseNegatives": NewFalseNegatives}[className](opts...)
	case "AUC":
		add(integer("num_thresholds", NumThresholds))
		add(str("curve", Curve))
		add(str("summation_method", SummationMethod))
		add(thresholds())
		add(unsupported("multi_label", false))
		add(unsupported("from_logits", false))
		add(unsupported("num_labels", nil))
		add(unsupported("label_weights", nil))
		m = NewAUC(opts...)
	case "F1Score", "FBetaScore":
		add(str("average", Average))
		if f, ok, err := num("beta"); err != nil {
			add(err)
		} else if ok {
			opts = append(opts, Beta(f))
		}
		if f, ok, err := num("threshold"); err != nil {
			add(err)
		} else if ok {
			opts = append(opts, Threshold(f))
		}
		if className == "F1Score" {
			m = NewF1Score(opts...)
		} else {
			m = NewFBetaScore(opts...)
		}
	case "MeanIoU":
		add(integer("num_classes", NumClasses))
		add(unsupported("ignore_class", nil))
		for key, set := range map[string]func(bool) Option{"sparse_y_true": SparseYTrue, "sparse_y_pred": SparseYPred} {
			if b, ok := cfg[key].(bool); ok {
				opts = append(opts, set(b))
			}
		}
		m = NewMeanIoU(opts...)
	case "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy":
		add(integer("k", K))
		if className == "TopKCategoricalAccuracy" {
			m = NewTopKCategoricalAccuracy(opts...)
		} else {
			m = NewSparseTopKCategoricalAccuracy(opts...)
		}
	case "BinaryAccuracy":
		if f, ok, err := num("threshold"); err != nil {
			add(err)
		} else if ok {
			opts = append(opts, Threshold(f))
		}
		m = NewBinaryAccuracy(opts...)
	case "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy":
		add(unsupported("from_logits", false))
		if f, ok, err := num("label_smoothing"); err != nil {
			add(err)
		} else if ok && f != 0 {
			add(fmt.Errorf("metrics: %s config: label_smoothing=%v is not supported", className, f))
		}
		fallthrough
	default:
		mk, ok := registry[className]
		if !ok || className == "acc" || className == "accuracy" {
			return nil, fmt.Errorf("%w: class %q", ErrUnknownMetric, className)
		}
		if name == "" {
			name = className
		}
		m = mk(name)
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if e, ok := m.(interface{ Err() error }); ok && e.Err() != nil {
		return nil, e.Err()
	}
	return m, nil
}

// Serialize returns m as Keras writes a metric object in a compile_config: module,
// class_name, config and registered_name.
func Serialize(m Configurable) map[string]any {
	return map[string]any{"module": "keras.metrics", "class_name": m.ClassName(), "config": m.Config(), "registered_name": nil}
}
