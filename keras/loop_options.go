package keras

import "fmt"

// EvaluateOption configures [Model.Evaluate]: [BatchSize], [Verbose] and [Callbacks], the
// arguments Keras's evaluate shares with fit. An option only Fit takes is not an
// EvaluateOption, so passing one is a compile error.
type EvaluateOption interface {
	applyEvaluate(*loopConfig)
}

// PredictOption configures [Model.Predict]: [BatchSize], [Verbose] and [Callbacks], the
// arguments Keras's predict shares with fit. An option only Fit takes is not a
// PredictOption, so model.Predict(x, keras.Epochs(10)) is the compile error "cannot use
// keras.Epochs(10) (value of interface type keras.FitOption) as keras.PredictOption value".
type PredictOption interface {
	applyPredict(*loopConfig)
}

// LoopOption is what [BatchSize], [Verbose] and [Callbacks] return: an option of the batch
// loop that Fit, Evaluate and Predict all run, so it is a [FitOption], an [EvaluateOption]
// and a [PredictOption] at once, as Keras's fit, evaluate and predict all take batch_size,
// verbose and callbacks.
type LoopOption func(*loopConfig)

func (o LoopOption) applyFit(c *fitConfig)       { o(&c.loopConfig) }
func (o LoopOption) applyEvaluate(c *loopConfig) { o(c) }
func (o LoopOption) applyPredict(c *loopConfig)  { o(c) }

// loopConfig is what every loop takes: Keras's batch_size, verbose and callbacks.
type loopConfig struct {
	batchSize int
	verbose   int
	callbacks []Callback
	dist      *DataParallelConfig // Distribution; nil: one replica
	prefetch  int                 // batches of a Stream read ahead (stream_options.go)
	steps     int                 // Evaluate's and Predict's steps; 0: one pass
	// sampleWeight is SampleWeight's argument (sample_weight.go), for Fit and Evaluate.
	sampleWeight    any
	hasSampleWeight bool
}

func defaultLoopConfig() loopConfig {
	return loopConfig{batchSize: 32, verbose: 1, prefetch: defaultPrefetch}
}

// check returns one *ArgumentError per problem of the loop options given to call.
func (c loopConfig) check(call string) []error {
	var errs []error
	if c.batchSize <= 0 {
		errs = append(errs, argErr(call, "batch_size", ErrInvalidArgument, "must be positive, got %d", c.batchSize))
	}
	if c.verbose < 0 || c.verbose > 2 {
		errs = append(errs, argErr(call, "verbose", ErrInvalidArgument, "must be 0, 1 or 2, got %d", c.verbose))
	}
	errs = append(errs, c.checkStream(call)...)
	for i, cb := range c.callbacks {
		if cb == nil {
			errs = append(errs, argErr(call, fmt.Sprintf("callbacks[%d]", i), ErrInvalidArgument, "is nil"))
			continue
		}
		// A callback constructor keeps its first bad option (package callbacks' Err);
		// reporting it here puts it beside the call's own bad options.
		if e, ok := cb.(interface{ Err() error }); ok && e.Err() != nil {
			// One ArgumentError per problem, as for the call's own options.
			for _, p := range flatten(e.Err()) {
				errs = append(errs, &ArgumentError{Call: call, Arg: fmt.Sprintf("callbacks[%d]", i), Err: p})
			}
		}
	}
	return append(errs, c.checkDist(call)...)
}

// newEvaluateConfig applies Evaluate's options over the defaults and checks them.
func newEvaluateConfig(opts []EvaluateOption) (loopConfig, []error) {
	return newLoopConfig("Evaluate", opts, EvaluateOption.applyEvaluate)
}

// newPredictConfig applies Predict's options over the defaults and checks them.
func newPredictConfig(opts []PredictOption) (loopConfig, []error) {
	return newLoopConfig("Predict", opts, PredictOption.applyPredict)
}

// newLoopConfig applies the options of call over the defaults, reporting a nil option, and
// checks the result.
func newLoopConfig[O any](call string, opts []O, apply func(O, *loopConfig)) (loopConfig, []error) {
	c := defaultLoopConfig()
	var errs []error
	for i, o := range opts {
		if isNilOption(o) {
			errs = append(errs, argErr(call, "options", ErrInvalidArgument, "option %d is nil", i))
			continue
		}
		apply(o, &c)
	}
	return c, append(errs, c.check(call)...)
}

// BatchSize sets the number of samples per step (default 32) of Fit, Evaluate or Predict.
// The last batch is smaller when the samples do not divide evenly; it is run, never dropped.
func BatchSize(n int) LoopOption { return func(c *loopConfig) { c.batchSize = n } }

// Verbose sets the output of Fit, Evaluate or Predict: 0 silent, 1 a progress bar (the
// default), 2 one line per epoch.
func Verbose(n int) LoopOption { return func(c *loopConfig) { c.verbose = n } }

// Callbacks adds callbacks to Fit, Evaluate or Predict, called in the given order, before the
// History and the progress logger. Fit calls the train hooks (and the test hooks while it
// validates), Evaluate the test hooks, Predict the predict hooks.
func Callbacks(cbs ...Callback) LoopOption {
	return func(c *loopConfig) { c.callbacks = append(c.callbacks, cbs...) }
}

// isNilOption reports a nil option, including a nil LoopOption inside a non-nil interface
// (var o keras.LoopOption; model.Fit(x, y, o)), which would otherwise panic when applied.
func isNilOption(o any) bool {
	switch v := o.(type) {
	case nil:
		return true
	case LoopOption:
		return v == nil
	case fitOption:
		return v == nil
	case StepsOption:
		return v == nil
	case SampleWeightOption:
		return v == nil
	}
	return false
}

// flatten returns the errors that errors.Join joined into err, however deeply, in order.
func flatten(err error) []error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, flatten(e)...)
	}
	return out
}
