package metrics

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kerago/kerago/keras/internal/errs"
	"gorgonia.org/tensor"
)

// ErrUnknownMetric is wrapped by Get's error for a name that is not a Keras metric. It is a
// keras.ErrUnknownName: errors.Is matches either.
var ErrUnknownMetric = errs.Refine(errs.UnknownName, "unknown metric")

// Metric is a stateful metric: Update accumulates batches, Result is the mean so far.
type Metric interface {
	// Name is the name the metric logs under.
	Name() string
	// Reset clears the state, at the start of an epoch or an evaluation.
	Reset()
	// Update accumulates one batch: the targets as the user gave them and the predictions.
	Update(yTrue, yPred *tensor.Dense) error
	// Result returns the mean over every sample seen since Reset.
	Result() float64
}

// mean accumulates a sample-weighted mean.
type mean struct {
	name  string
	total float64
	count float64
}

func (m *mean) Name() string { return m.name }
func (m *mean) Reset()       { m.total, m.count = 0, 0 }
func (m *mean) Result() float64 {
	if m.count == 0 {
		return 0
	}
	return m.total / m.count
}

// Mean is a running mean of values, each with a weight (the loss tracker of Keras).
type Mean struct{ mean }

// NewMean returns a running mean named name.
func NewMean(name string) *Mean { return &Mean{mean{name: name}} }

// Add accumulates value with weight w (a batch's loss with the batch size).
func (m *Mean) Add(value, w float64) { m.total += value * w; m.count += w }

// Update is not used for Mean; it returns an error.
func (m *Mean) Update(_, _ *tensor.Dense) error {
	return fmt.Errorf("metrics: %s: Mean takes values through Add", m.name)
}

// WeightedMetric is a Metric that takes Keras's sample_weight: one weight per sample.
// Every metric of this package is one.
type WeightedMetric interface {
	Metric
	UpdateWeighted(yTrue, yPred *tensor.Dense, sampleWeight []float64) error
}

// Vector is a metric whose Keras result may be a vector, one value per class or column
// (F1Score and FBetaScore with Keras's default average=None, R2Score with
// class_aggregation=None). When IsVector, Results holds the values and Result is NaN:
// Compile refuses such a metric, since its logs hold scalars.
type Vector interface {
	Metric
	IsVector() bool
	Results() []float64
}

// ScalarErr returns an error when m's result is a vector (see [Vector]), naming the metric
// and the option that makes it a scalar; nil otherwise. Compile calls it.
func ScalarErr(m Metric) error {
	if v, ok := m.(Vector); ok && v.IsVector() {
		return fmt.Errorf("metrics: %s: %w: its result is one value per class, which a log of scalars cannot hold; "+
			`set metrics.Average("micro", "macro" or "weighted") (F1Score, FBetaScore) or metrics.ClassAggregation("uniform_average") (R2Score), or call Results yourself`,
			m.Name(), ErrMetricArgument)
	}
	return nil
}

// Configurable is a metric with a Keras class and config, as compile_config saves it.
type Configurable interface {
	ClassName() string
	Config() map[string]any
}

type maker func(name string) Metric

// named wraps a constructor taking options into a maker that sets the name.
func named[M Metric](f func(...Option) M) maker {
	return func(n string) Metric { return f(Name(n)) }
}

// registry maps Keras's metric identifiers to constructors: every class name, its
// snake_case form and Keras's aliases, as keras.metrics.get accepts them. "acc" and
// "accuracy" are Keras compile's shape-resolved accuracy. Names Keras 3 refuses ("kld",
// "logcosh") are refused here too; metrics with required arguments (MeanIoU's num_classes,
// PrecisionAtRecall's recall ...) have no name, as in Keras.
var registry = map[string]maker{}

func register(mk maker, names ...string) {
	for _, n := range names {
		registry[n] = mk
	}
}

func init() {
	register(newAccuracy, "acc", "accuracy")
	register(wrapper("Accuracy", equalAccuracy), "Accuracy")
	register(func(n string) Metric {
		return &MeanWrapper{mean: mean{name: n}, class: "BinaryAccuracy", fn: binaryAccuracy(0.5), config: map[string]any{"threshold": 0.5}}
	}, "binary_accuracy", "BinaryAccuracy")
	register(wrapper("CategoricalAccuracy", categoricalAccuracy), "categorical_accuracy", "CategoricalAccuracy")
	register(func(n string) Metric {
		return &MeanWrapper{mean: mean{name: n}, class: "SparseCategoricalAccuracy", fn: sparseCategoricalAccuracy, sparse: true}
	}, "sparse_categorical_accuracy", "SparseCategoricalAccuracy")
	register(named(NewTopKCategoricalAccuracy), "top_k_categorical_accuracy", "TopKCategoricalAccuracy")
	register(named(NewSparseTopKCategoricalAccuracy), "sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy")
	register(wrapper("MeanSquaredError", squaredError), "mse", "MSE", "mean_squared_error", "MeanSquaredError")
	register(wrapper("MeanAbsoluteError", absoluteError), "mae", "MAE", "mean_absolute_error", "MeanAbsoluteError")
	register(wrapper("MeanAbsolutePercentageError", absolutePercentageError), "mape", "MAPE", "mean_absolute_percentage_error", "MeanAbsolutePercentageError")
	register(wrapper("MeanSquaredLogarithmicError", squaredLogError), "msle", "MSLE", "mean_squared_logarithmic_error", "MeanSquaredLogarithmicError")
	register(func(n string) Metric {
		return &MeanWrapper{mean: mean{name: n}, class: "RootMeanSquaredError", fn: squaredError, sqrt: true}
	}, "root_mean_squared_error", "RootMeanSquaredError")
	register(wrapper("CosineSimilarity", cosineSimilarity), "cosine_similarity", "CosineSimilarity")
	register(wrapper("LogCoshError", logCosh), "log_cosh_error", "LogCoshError")
	register(func(n string) Metric {
		return &MeanWrapper{mean: mean{name: n}, class: "Hinge", fn: hinge, hinge: true}
	}, "hinge", "Hinge")
	register(func(n string) Metric {
		return &MeanWrapper{mean: mean{name: n}, class: "SquaredHinge", fn: squaredHinge, hinge: true}
	}, "squared_hinge", "SquaredHinge")
	register(wrapper("CategoricalHinge", categoricalHinge), "categorical_hinge", "CategoricalHinge")
	register(wrapper("KLDivergence", klDivergence), "kl_divergence", "KLDivergence")
	register(wrapper("Poisson", poisson), "poisson", "Poisson")
	register(func(n string) Metric {
		return &MeanWrapper{mean: mean{name: n}, class: "BinaryCrossentropy", fn: binaryCrossentropy,
			config: map[string]any{"from_logits": false, "label_smoothing": 0.0}}
	}, "bce", "BCE", "binary_crossentropy", "BinaryCrossentropy")
	register(func(n string) Metric {
		return &MeanWrapper{mean: mean{name: n}, class: "CategoricalCrossentropy", fn: categoricalCrossentropy,
			config: map[string]any{"from_logits": false, "label_smoothing": 0.0, "axis": -1}}
	}, "categorical_crossentropy", "CategoricalCrossentropy")
	register(func(n string) Metric {
		return &MeanWrapper{mean: mean{name: n}, class: "SparseCategoricalCrossentropy", fn: sparseCategoricalCrossentropy, sparse: true,
			config: map[string]any{"from_logits": false, "axis": -1}}
	}, "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy")
	register(named(NewPrecision), "precision", "Precision")
	register(named(NewRecall), "recall", "Recall")
	register(named(NewTruePositives), "true_positives", "TruePositives")
	register(named(NewFalsePositives), "false_positives", "FalsePositives")
	register(named(NewTrueNegatives), "true_negatives", "TrueNegatives")
	register(named(NewFalseNegatives), "false_negatives", "FalseNegatives")
	register(named(NewAUC), "auc", "AUC")
	register(named(NewF1Score), "f1_score", "F1Score")
	register(named(NewFBetaScore), "f_beta_score", "FBetaScore")
	register(named(NewR2Score), "r2_score", "R2Score")
	register(named(NewPearsonCorrelation), "pearson_correlation", "PearsonCorrelation")
	register(named(NewConcordanceCorrelation), "concordance_correlation", "ConcordanceCorrelation")
	register(named(NewBinaryIoU), "binary_io_u", "BinaryIoU")
}

// Get returns a new metric for a Keras identifier ("acc", "bce", "Precision", "auc" ...);
// it logs under that identifier, as Keras's compile names it. A metric whose defaults Keras
// cannot log as a scalar (F1Score's average=None) returns an error: build it with its
// constructor and options instead.
func Get(name string) (Metric, error) {
	if mk, ok := registry[name]; ok {
		m := mk(name)
		if e, ok := m.(interface{ Err() error }); ok && e.Err() != nil {
			return nil, e.Err()
		}
		if err := ScalarErr(m); err != nil {
			return nil, err
		}
		return m, nil
	}
	known := make([]string, 0, len(registry))
	for k := range registry {
		if strings.ToLower(k) == k { // the snake_case forms; class names work too
			known = append(known, k)
		}
	}
	sort.Strings(known)
	return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownMetric, name, strings.Join(known, ", "))
}

// Clone returns a new metric like m with fresh state, so that every run of a model keeps
// its own numbers.
func Clone(m Metric) Metric {
	switch v := m.(type) {
	case *Accuracy:
		return newAccuracy(v.name)
	case *MeanWrapper:
		c := *v
		c.yt, c.yp = nil, nil
		c.Reset()
		return &c
	case *Confusion:
		c := *v
		c.yt, c.yp = nil, nil
		c.reset()
		return &c
	case *AUC:
		c := *v
		c.yt, c.yp = nil, nil
		c.Reset()
		return &c
	case *FBetaScore:
		c := *v
		c.yt, c.yp = nil, nil
		c.Reset()
		return &c
	case *IoU:
		c := *v
		c.yt, c.yp = nil, nil
		c.Reset()
		return &c
	case *AtValue:
		c := *v
		c.yt, c.yp = nil, nil
		c.reset()
		return &c
	case *R2Score:
		c := *v
		c.yt, c.yp = nil, nil
		c.Reset()
		return &c
	}
	if n, err := Get(m.Name()); err == nil {
		return n
	}
	return m
}

// floats returns the tensor's values as float64, converting as needed.
func floats(t *tensor.Dense, buf []float64) ([]float64, error) {
	n := t.Shape().TotalSize()
	if cap(buf) < n {
		buf = make([]float64, n)
	}
	buf = buf[:n]
	if !t.IsScalar() {
		// The typed accessors: Data builds its slice by reflection and allocates, and
		// this runs for every metric of every batch.
		switch t.Dtype() {
		case tensor.Float32:
			return widen(buf, t.Float32s()), nil
		case tensor.Float64:
			return widen(buf, t.Float64s()), nil
		case tensor.Int:
			return widen(buf, t.Ints()), nil
		case tensor.Int32:
			return widen(buf, t.Int32s()), nil
		case tensor.Int64:
			return widen(buf, t.Int64s()), nil
		}
	}
	switch d := t.Data().(type) {
	case []float32:
		for i, v := range d {
			buf[i] = float64(v)
		}
	case []float64:
		copy(buf, d)
	case []int:
		for i, v := range d {
			buf[i] = float64(v)
		}
	case []int32:
		for i, v := range d {
			buf[i] = float64(v)
		}
	case []int64:
		for i, v := range d {
			buf[i] = float64(v)
		}
	case float32:
		buf[0] = float64(d)
	case float64:
		buf[0] = d
	default:
		return nil, fmt.Errorf("metrics: unsupported dtype %v", t.Dtype())
	}
	return buf, nil
}

// widen copies d into buf as float64s.
func widen[T float32 | float64 | int | int32 | int64](buf []float64, d []T) []float64 {
	for i, v := range d[:len(buf)] {
		buf[i] = float64(v)
	}
	return buf
}
