package keras

import (
	"fmt"
)

// FitOption configures [Model.Fit]. The options only Fit takes ([Epochs], [InitialEpoch],
// [Shuffle], [ValidationData], [ValidationSplit]) are FitOptions and nothing else, so that
// model.Predict(x, keras.Epochs(10)) does not compile; [BatchSize], [Verbose] and
// [Callbacks] return a [LoopOption], which Fit, Evaluate and Predict all take, as Keras's
// fit, evaluate and predict all take batch_size, verbose and callbacks.
//
// An option only records its value; Fit checks them all and reports every problem at once.
type FitOption interface {
	applyFit(*fitConfig)
}

// fitOption is a FitOption that only Fit takes.
type fitOption func(*fitConfig)

func (o fitOption) applyFit(c *fitConfig) { o(c) }

type fitConfig struct {
	loopConfig
	epochs       int
	initialEpoch int
	shuffle      bool
	valX, valY   any
	valSplit     float64
	hasVal       bool
	// Steps and the shuffle buffer (stream_options.go).
	stepsPerEpoch, valSteps, shuffleBuffer int
	// Weighting and validation frequency (sample_weight.go).
	classWeight      map[int]float64
	hasClassWeight   bool
	validationFreq   int
	validationEpochs map[int]bool // ValidationEpochs; nil: every validationFreq-th epoch
	valSampleWeight  any
}

// newFitConfig applies opts over Keras's defaults and checks the result. The error joins
// one *ArgumentError per problem, so a caller that got three options wrong learns of all
// three.
func newFitConfig(opts []FitOption) (fitConfig, []error) {
	c := fitConfig{loopConfig: defaultLoopConfig(), epochs: 1, shuffle: true, validationFreq: 1}
	var errs []error
	for i, o := range opts {
		if isNilOption(o) {
			errs = append(errs, argErr("Fit", "options", ErrInvalidArgument, "option %d is nil", i))
			continue
		}
		o.applyFit(&c)
	}
	errs = append(errs, c.loopConfig.check("Fit")...)
	if c.epochs < 0 {
		errs = append(errs, argErr("Fit", "epochs", ErrInvalidArgument, "must not be negative, got %d", c.epochs))
	}
	if c.initialEpoch < 0 {
		errs = append(errs, argErr("Fit", "initial_epoch", ErrInvalidArgument, "must not be negative, got %d", c.initialEpoch))
	}
	// Written so that NaN fails too: every comparison with NaN is false.
	if !(c.valSplit >= 0 && c.valSplit < 1) {
		errs = append(errs, argErr("Fit", "validation_split", ErrInvalidArgument, "must be in [0, 1), got %v", c.valSplit))
	}
	errs = append(errs, c.checkStream()...)
	errs = append(errs, c.checkWeightOptions()...)
	if c.hasVal && c.valX == nil {
		errs = append(errs, argErr("Fit", "validation_data", ErrData, "x is nil"))
	}
	return c, errs
}

// Epochs sets the epoch to train up to (default 1): Fit runs epochs InitialEpoch … n-1.
func Epochs(n int) FitOption { return fitOption(func(c *fitConfig) { c.epochs = n }) }

// InitialEpoch sets the epoch to start at, to resume a training run (default 0).
func InitialEpoch(n int) FitOption { return fitOption(func(c *fitConfig) { c.initialEpoch = n }) }

// Shuffle sets whether the training samples are reshuffled every epoch (default true).
// SetRandomSeed makes the order reproducible.
func Shuffle(b bool) FitOption { return fitOption(func(c *fitConfig) { c.shuffle = b }) }

// ValidationData evaluates the model on x, y at the end of every epoch; the results are
// logged with a val_ prefix. It overrides ValidationSplit.
func ValidationData(x, y any) FitOption {
	return fitOption(func(c *fitConfig) { c.valX, c.valY, c.hasVal = x, y, true })
}

// ValidationSplit holds out the last fraction f of the samples (before any shuffling), as
// Keras does, and evaluates on them at the end of every epoch. f must be in [0, 1)
// (default 0: no validation).
func ValidationSplit(f float64) FitOption {
	return fitOption(func(c *fitConfig) { c.valSplit = f })
}

// argErr returns an *ArgumentError of kind kind for argument arg of call.
func argErr(call, arg string, kind error, format string, a ...any) error {
	return &ArgumentError{Call: call, Arg: arg, Msg: fmt.Sprintf(format, a...), Err: kind}
}
