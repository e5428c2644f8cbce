package callbacks

import "github.com/kerago/kerago/keras"

// LambdaHooks holds the functions a [Lambda] callback calls, one per hook, as Keras's
// LambdaCallback takes them; any may be nil. Epochs and batches count from 0. A function's
// error stops training and Fit returns it.
type LambdaHooks struct {
	OnTrainBegin        func(logs keras.Logs) error
	OnTrainEnd          func(logs keras.Logs) error
	OnEpochBegin        func(epoch int, logs keras.Logs) error
	OnEpochEnd          func(epoch int, logs keras.Logs) error
	OnTrainBatchBegin   func(batch int, logs keras.Logs) error
	OnTrainBatchEnd     func(batch int, logs keras.Logs) error
	OnTestBegin         func(logs keras.Logs) error
	OnTestEnd           func(logs keras.Logs) error
	OnTestBatchBegin    func(batch int, logs keras.Logs) error
	OnTestBatchEnd      func(batch int, logs keras.Logs) error
	OnPredictBegin      func(logs keras.Logs) error
	OnPredictEnd        func(logs keras.Logs) error
	OnPredictBatchBegin func(batch int, logs keras.Logs) error
	OnPredictBatchEnd   func(batch int, logs keras.Logs) error
}

// LambdaCallback calls plain functions from the training loop. Make one with [Lambda].
type LambdaCallback struct {
	keras.BaseCallback
	// Hooks are the functions called; they may be changed between Fit calls.
	Hooks LambdaHooks
}

var _ keras.Callback = (*LambdaCallback)(nil)

// Lambda returns Keras's LambdaCallback: a callback made of the given functions, for quick
// one-off actions. The model is available as the callback's Model() once training begins.
//
//	logEpoch := callbacks.Lambda(callbacks.LambdaHooks{
//		OnEpochEnd: func(epoch int, logs keras.Logs) error {
//			fmt.Printf("epoch %d: loss %.4f\n", epoch, logs["loss"])
//			return nil
//		},
//	})
func Lambda(hooks LambdaHooks) *LambdaCallback { return &LambdaCallback{Hooks: hooks} }

func call0(f func(keras.Logs) error, logs keras.Logs) error {
	if f == nil {
		return nil
	}
	return f(logs)
}

func call1(f func(int, keras.Logs) error, i int, logs keras.Logs) error {
	if f == nil {
		return nil
	}
	return f(i, logs)
}

// OnTrainBegin calls Hooks.OnTrainBegin.
func (c *LambdaCallback) OnTrainBegin(logs keras.Logs) error {
	return call0(c.Hooks.OnTrainBegin, logs)
}

// OnTrainEnd calls Hooks.OnTrainEnd.
func (c *LambdaCallback) OnTrainEnd(logs keras.Logs) error { return call0(c.Hooks.OnTrainEnd, logs) }

// OnEpochBegin calls Hooks.OnEpochBegin.
func (c *LambdaCallback) OnEpochBegin(epoch int, logs keras.Logs) error {
	return call1(c.Hooks.OnEpochBegin, epoch, logs)
}

// OnEpochEnd calls Hooks.OnEpochEnd.
func (c *LambdaCallback) OnEpochEnd(epoch int, logs keras.Logs) error {
	return call1(c.Hooks.OnEpochEnd, epoch, logs)
}

// OnTrainBatchBegin calls Hooks.OnTrainBatchBegin.
func (c *LambdaCallback) OnTrainBatchBegin(batch int, logs keras.Logs) error {
	return call1(c.Hooks.OnTrainBatchBegin, batch, logs)
}

// OnTrainBatchEnd calls Hooks.OnTrainBatchEnd.
func (c *LambdaCallback) OnTrainBatchEnd(batch int, logs keras.Logs) error {
	return call1(c.Hooks.OnTrainBatchEnd, batch, logs)
}

// OnTestBegin calls Hooks.OnTestBegin.
func (c *LambdaCallback) OnTestBegin(logs keras.Logs) error { return call0(c.Hooks.OnTestBegin, logs) }

// OnTestEnd calls Hooks.OnTestEnd.
func (c *LambdaCallback) OnTestEnd(logs keras.Logs) error { return call0(c.Hooks.OnTestEnd, logs) }

// OnTestBatchBegin calls Hooks.OnTestBatchBegin.
func (c *LambdaCallback) OnTestBatchBegin(batch int, logs keras.Logs) error {
	return call1(c.Hooks.OnTestBatchBegin, batch, logs)
}

// OnTestBatchEnd calls Hooks.OnTestBatchEnd.
func (c *LambdaCallback) OnTestBatchEnd(batch int, logs keras.Logs) error {
	return call1(c.Hooks.OnTestBatchEnd, batch, logs)
}

// OnPredictBegin calls Hooks.OnPredictBegin.
func (c *LambdaCallback) OnPredictBegin(logs keras.Logs) error {
	return call0(c.Hooks.OnPredictBegin, logs)
}

// OnPredictEnd calls Hooks.OnPredictEnd.
func (c *LambdaCallback) OnPredictEnd(logs keras.Logs) error {
	return call0(c.Hooks.OnPredictEnd, logs)
}

// OnPredictBatchBegin calls Hooks.OnPredictBatchBegin.
func (c *LambdaCallback) OnPredictBatchBegin(batch int, logs keras.Logs) error {
	return call1(c.Hooks.OnPredictBatchBegin, batch, logs)
}

// OnPredictBatchEnd calls Hooks.OnPredictBatchEnd.
func (c *LambdaCallback) OnPredictBatchEnd(batch int, logs keras.Logs) error {
	return call1(c.Hooks.OnPredictBatchEnd, batch, logs)
}
