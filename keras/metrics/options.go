package metrics

import (
	"fmt"

	"github.com/kerago/kerago/keras/internal/errs"
)

// ErrMetricArgument is wrapped by the error of a metric built with a bad argument (Err,
// Compile): errors.Is matches it and keras.ErrInvalidArgument alike.
var ErrMetricArgument = errs.Refine(errs.InvalidArgument, "invalid metric argument")

// Bounds on the arguments that size a metric's state, so that a metric read from a model
// file (FromConfig) cannot allocate without limit: AUC keeps 4 counts per threshold and
// MeanIoU a num_classes × num_classes matrix.
const (
	MaxNumThresholds = 1 << 20
	MaxNumClasses    = 4096
)

// Option sets one of a metric's Keras arguments. An option only records its value; the
// constructor checks them all, and the metric's Err reports the first problem (Compile
// reports it, naming the metric).
type Option func(*options)

type options struct {
	name            string
	thresholds      []float64
	topK            int
	classID         int
	hasClassID      bool
	numThresholds   int
	curve           string
	summationMethod string
	average         string
	beta            float64
	threshold       float64
	hasThreshold    bool
	numClasses      int
	k               int
	denseYTrue      bool
	denseYPred      bool
	multiLabel      bool
	numLabels       int
	labelWeights    []float64
	fromLogits      bool
	targetClassIDs  []int
	ignoreClass     int
	hasIgnoreClass  bool
	classAgg        string
	numRegressors   int
	err             error
}

// Name sets the name the metric logs under (default: Keras's default name for the class,
// "precision", "auc" ...).
func Name(n string) Option { return func(o *options) { o.name = n } }

// Thresholds sets the thresholds of Precision, Recall and the confusion counts (default 0.5):
// a prediction above a threshold counts as positive. Several thresholds make the result the
// first threshold's value, as Keras's result() returns a vector only to callers that ask.
func Thresholds(t ...float64) Option {
	return func(o *options) { o.thresholds = append([]float64(nil), t...) }
}

// TopK makes Precision and Recall count only the k largest predictions of each sample as
// positive (Keras's top_k; default: all).
func TopK(k int) Option { return func(o *options) { o.topK = k } }

// ClassID restricts Precision and Recall to one class column (Keras's class_id).
func ClassID(id int) Option { return func(o *options) { o.classID, o.hasClassID = id, true } }

// NumThresholds sets how many evenly spaced thresholds AUC uses (default 200, at least 2).
func NumThresholds(n int) Option { return func(o *options) { o.numThresholds = n } }

// Curve sets AUC's curve: "ROC" (default) or "PR".
func Curve(c string) Option { return func(o *options) { o.curve = c } }

// SummationMethod sets how AUC sums the curve: "interpolation" (default), "minoring" or
// "majoring".
func SummationMethod(s string) Option { return func(o *options) { o.summationMethod = s } }

// Average sets how F1Score and FBetaScore combine classes: "micro", "macro" or "weighted".
// Keras's default, None, gives one value per class, which a log of scalars cannot hold: set
// one of the three.
func Average(a string) Option { return func(o *options) { o.average = a } }

// Beta sets FBetaScore's beta (default 1).
func Beta(b float64) Option { return func(o *options) { o.beta = b } }

// Threshold sets the threshold of BinaryAccuracy (default 0.5) and of F1Score and
// FBetaScore (default: none, the largest prediction of each sample is the positive one).
func Threshold(t float64) Option { return func(o *options) { o.threshold, o.hasThreshold = t, true } }

// NumClasses sets MeanIoU's number of classes (required).
func NumClasses(n int) Option { return func(o *options) { o.numClasses = n } }

// K sets how many top predictions TopKCategoricalAccuracy and SparseTopKCategoricalAccuracy
// look at (default 5).
func K(k int) Option { return func(o *options) { o.k = k } }

func collect(defaults options, opts []Option) options {
	o := defaults
	for i, f := range opts {
		if f == nil {
			if o.err == nil {
				o.err = fmt.Errorf("metrics: %w: option %d is nil", ErrMetricArgument, i)
			}
			continue
		}
		f(&o)
	}
	return o
}

func (o *options) fail(format string, a ...any) {
	if o.err == nil {
		o.err = fmt.Errorf("metrics: %s: %w: "+format, append([]any{o.name, ErrMetricArgument}, a...)...)
	}
}

// SparseYTrue sets whether MeanIoU's targets are class indices (default true) or one value
// per class (their argmax is the class).
func SparseYTrue(b bool) Option { return func(o *options) { o.denseYTrue = !b } }

// SparseYPred sets whether MeanIoU's predictions are class indices (default true) or one
// score per class (their argmax is the class; set false for a softmax output).
func SparseYPred(b bool) Option { return func(o *options) { o.denseYPred = !b } }

// MultiLabel makes AUC count each label column apart and average the columns' areas
// (Keras's multi_label; default false: every prediction is one binary decision).
func MultiLabel(b bool) Option { return func(o *options) { o.multiLabel = b } }

// NumLabels sets a multi-label AUC's number of labels ahead of the first batch (Keras's
// num_labels; default: taken from the first batch).
func NumLabels(n int) Option { return func(o *options) { o.numLabels = n } }

// LabelWeights weighs AUC's label columns (Keras's label_weights): in multi-label mode the
// weights of the mean over labels, otherwise a weight on each column's counts.
func LabelWeights(w ...float64) Option {
	return func(o *options) { o.labelWeights = append([]float64(nil), w...) }
}

// FromLogits makes AUC apply a sigmoid to the predictions first (Keras's from_logits;
// default false).
func FromLogits(b bool) Option { return func(o *options) { o.fromLogits = b } }

// TargetClassIDs sets the classes IoU, BinaryIoU and OneHotIoU average over (Keras's
// target_class_ids; required for IoU and OneHotIoU, default [0, 1] for BinaryIoU).
func TargetClassIDs(ids ...int) Option {
	return func(o *options) { o.targetClassIDs = append([]int{}, ids...) }
}

// IgnoreClass makes the IoU metrics skip every position whose target is this class
// (Keras's ignore_class; default none).
func IgnoreClass(c int) Option { return func(o *options) { o.ignoreClass, o.hasIgnoreClass = c, true } }

// ClassAggregation sets how R2Score combines output columns: "uniform_average" (default) or
// "variance_weighted_average". Keras's None (one score per column) is read through
// [R2Score.Results].
func ClassAggregation(a string) Option { return func(o *options) { o.classAgg = a } }

// NumRegressors sets R2Score's number of independent regressors, for the adjusted R²
// (Keras's num_regressors; default 0, the plain R²).
func NumRegressors(n int) Option { return func(o *options) { o.numRegressors = n } }
