package metrics

import (
	"fmt"
	"math"
)

// FromConfig builds a metric from its Keras class name and config, as a compile_config
// written by Keras holds it ({"class_name": "AUC", "config": {"num_thresholds": 50, ...}}).
// Arguments this package does not implement (an axis other than -1, a crossentropy
// metric's from_logits) are errors, never silently dropped.
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
	floatList := func(key string) ([]float64, bool, error) {
		v, ok := cfg[key]
		if !ok || v == nil {
			return nil, false, nil
		}
		if t, ok := v.(map[string]any); ok && t["class_name"] == "__tensor__" {
			// Keras 3.15 writes AUC's label_weights as a serialised tensor:
			// {"class_name": "__tensor__", "config": {"value": [...], "dtype": "float32"}}.
			inner, _ := t["config"].(map[string]any)
			v = inner["value"]
		}
		var list []any
		switch l := v.(type) {
		case []any:
			list = l
		case []float64: // a config made in Go, not read from JSON
			return append([]float64(nil), l...), true, nil
		case []int:
			for _, e := range l {
				list = append(list, e)
			}
		default:
			return nil, false, fmt.Errorf("metrics: %s config: %s is %T, not a list", className, key, v)
		}
		out := make([]float64, len(list))
		for i, e := range list {
			switch n := e.(type) {
			case float64:
				out[i] = n
			case int:
				out[i] = float64(n)
			default:
				return nil, false, fmt.Errorf("metrics: %s config: %s holds %T, not a number", className, key, e)
			}
		}
		return out, true, nil
	}
	thresholds := func() error {
		switch v := cfg["thresholds"].(type) {
		case nil:
		case float64:
			opts = append(opts, Thresholds(v))
		case []any, []float64:
			ts, _, err := floatList("thresholds")
			if err != nil {
				return err
			}
			if len(ts) > MaxNumThresholds {
				return fmt.Errorf("metrics: %s config: %d thresholds, more than the limit %d", className, len(ts), MaxNumThresholds)
			}
			opts = append(opts, Thresholds(ts...))
		default:
			return fmt.Errorf("metrics: %s config: thresholds is %T", className, v)
		}
		return nil
	}
	intList := func(key string, set func(...int) Option) error {
		fs, ok, err := floatList(key)
		if err != nil || !ok {
			return err
		}
		if len(fs) > MaxNumClasses {
			return fmt.Errorf("metrics: %s config: %s has %d entries, more than the limit %d", className, key, len(fs), MaxNumClasses)
		}
		ids := make([]int, len(fs))
		for i, f := range fs {
			if f != math.Trunc(f) || math.Abs(f) > MaxNumClasses {
				return fmt.Errorf("metrics: %s config: %s holds %v, not a class id", className, key, f)
			}
			ids[i] = int(f)
		}
		opts = append(opts, set(ids...))
		return nil
	}
	boolean := func(key string, set func(bool) Option) error {
		v, ok := cfg[key]
		if !ok || v == nil {
			return nil
		}
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("metrics: %s config: %s is %T, not a bool", className, key, v)
		}
		opts = append(opts, set(b))
		return nil
	}
	float := func(key string, set func(float64) Option) error {
		f, ok, err := num(key)
		if ok {
			opts = append(opts, set(f))
		}
		return err
	}
	axis := func() error {
		f, ok, err := num("axis")
		if err == nil && ok && f != -1 {
			err = fmt.Errorf("metrics: %s config: axis=%v is not supported (only -1, the last axis)", className, f)
		}
		return err
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
		add(boolean("multi_label", MultiLabel))
		add(boolean("from_logits", FromLogits))
		add(integer("num_labels", NumLabels))
		if w, ok, err := floatList("label_weights"); err != nil {
			add(err)
		} else if ok {
			if len(w) > MaxNumClasses {
				add(fmt.Errorf("metrics: AUC config: %d label_weights, more than the limit %d", len(w), MaxNumClasses))
			}
			opts = append(opts, LabelWeights(w...))
		}
		m = NewAUC(opts...)
	case "PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity", "SpecificityAtSensitivity":
		key := map[string]string{"PrecisionAtRecall": "recall", "RecallAtPrecision": "precision",
			"SensitivityAtSpecificity": "specificity", "SpecificityAtSensitivity": "sensitivity"}[className]
		v, ok, err := num(key)
		if err == nil && !ok {
			err = fmt.Errorf("metrics: %s config: %s is required", className, key)
		}
		add(err)
		add(integer("num_thresholds", NumThresholds))
		add(integer("class_id", ClassID))
		m = map[string]func(float64, ...Option) *AtValue{"PrecisionAtRecall": NewPrecisionAtRecall,
			"RecallAtPrecision": NewRecallAtPrecision, "SensitivityAtSpecificity": NewSensitivityAtSpecificity,
			"SpecificityAtSensitivity": NewSpecificityAtSensitivity}[className](v, opts...)
	case "R2Score":
		add(integer("num_regressors", NumRegressors))
		if v, ok := cfg["class_aggregation"]; ok && v == nil {
			opts = append(opts, ClassAggregation(""))
		} else {
			add(str("class_aggregation", ClassAggregation))
		}
		m = NewR2Score(opts...)
	case "PearsonCorrelation", "ConcordanceCorrelation":
		add(axis())
		if className == "PearsonCorrelation" {
			m = NewPearsonCorrelation(opts...)
		} else {
			m = NewConcordanceCorrelation(opts...)
		}
	case "F1Score", "FBetaScore":
		add(str("average", Average)) // a null average is Keras's None, the option's default
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
	case "MeanIoU", "IoU", "OneHotIoU", "OneHotMeanIoU", "BinaryIoU":
		add(axis())
		if className != "BinaryIoU" {
			add(integer("num_classes", NumClasses))
			add(integer("ignore_class", IgnoreClass))
			add(boolean("sparse_y_pred", SparseYPred))
		}
		if className == "MeanIoU" || className == "IoU" {
			add(boolean("sparse_y_true", SparseYTrue))
		}
		if className != "MeanIoU" && className != "OneHotMeanIoU" {
			add(intList("target_class_ids", TargetClassIDs))
		}
		if className == "BinaryIoU" {
			add(float("threshold", Threshold))
		}
		m = map[string]func(...Option) *IoU{"MeanIoU": NewMeanIoU, "IoU": NewIoU, "OneHotIoU": NewOneHotIoU,
			"OneHotMeanIoU": NewOneHotMeanIoU, "BinaryIoU": NewBinaryIoU}[className](opts...)
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
