package keras

import (
	"fmt"
)

// FitOption configures Fit, Evaluate and Predict.
type FitOption func(*fitConfig)

type fitConfig struct {
	epochs       int
	batchSize    int
	verbose      int
	initialEpoch int
	shuffle      bool
	callbacks    []Callback
	valX, valY   any
	valSplit     float64
	hasVal       bool
}

func defaultFitConfig(opts []FitOption) fitConfig {
	c := fitConfig{epochs: 1, batchSize: 32, verbose: 1, shuffle: true}
	for _, o := range opts {
		o(&c)
	}
	return c
}

func (c fitConfig) check() error {
	switch {
	case c.epochs < 0:
		return fmt.Errorf("keras: %w: Epochs(%d) must not be negative", ErrInvalidArgument, c.epochs)
	case c.batchSize <= 0:
		return fmt.Errorf("keras: %w: BatchSize(%d) must be positive", ErrInvalidArgument, c.batchSize)
	case c.verbose < 0 || c.verbose > 2:
		return fmt.Errorf("keras: %w: Verbose(%d) must be 0, 1 or 2", ErrInvalidArgument, c.verbose)
	case c.initialEpoch < 0:
		return fmt.Errorf("keras: %w: InitialEpoch(%d) must not be negative", ErrInvalidArgument, c.initialEpoch)
	case !(c.valSplit >= 0 && c.valSplit < 1): // written so that NaN fails too
		return fmt.Errorf("keras: %w: ValidationSplit(%v) must be in [0, 1)", ErrInvalidArgument, c.valSplit)
	}
	return nil
}

// Epochs sets the epoch to train up to (default 1): Fit runs epochs InitialEpoch … n-1.
func Epochs(n int) FitOption { return func(c *fitConfig) { c.epochs = n } }

// BatchSize sets the number of samples per step (default 32). The last batch of an epoch is
// smaller when the samples do not divide evenly; it is trained, never dropped.
func BatchSize(n int) FitOption { return func(c *fitConfig) { c.batchSize = n } }

// Verbose sets the output: 0 silent, 1 a progress bar (the default), 2 one line per epoch.
func Verbose(n int) FitOption { return func(c *fitConfig) { c.verbose = n } }

// InitialEpoch sets the epoch to start at, to resume a training run (default 0).
func InitialEpoch(n int) FitOption { return func(c *fitConfig) { c.initialEpoch = n } }

// Shuffle sets whether the training samples are reshuffled every epoch (default true).
// SetRandomSeed makes the order reproducible.
func Shuffle(b bool) FitOption { return func(c *fitConfig) { c.shuffle = b } }

// Callbacks adds callbacks, called in the given order, before the History and the progress
// logger.
func Callbacks(cbs ...Callback) FitOption {
	return func(c *fitConfig) { c.callbacks = append(c.callbacks, cbs...) }
}

// ValidationData evaluates the model on x, y at the end of every epoch; the results are
// logged with a val_ prefix. It overrides ValidationSplit.
func ValidationData(x, y any) FitOption {
	return func(c *fitConfig) { c.valX, c.valY, c.hasVal = x, y, true }
}

// ValidationSplit holds out the last fraction f of the samples (before any shuffling), as
// Keras does, and evaluates on them at the end of every epoch.
func ValidationSplit(f float64) FitOption { return func(c *fitConfig) { c.valSplit = f } }
