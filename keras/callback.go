package keras

import (
	"errors"
	"sort"
)

// Logs carries the values of one hook: running averages of the loss and metrics at batch
// ends, epoch results (with val_ entries) at epoch ends. The same map is handed to every
// callback in list order, so a callback may add or change a key (a learning-rate callback
// adds "learning_rate") and later callbacks and the History see it.
//
// Every hook call gets a map of its own, as Keras's callbacks get a fresh dict: a callback
// may keep the Logs it was handed, and a later batch does not change it. Fit and Evaluate
// build batch logs only when a callback other than a [History] is listening (History
// records epochs), so a loop without such callbacks, and with Verbose 0, allocates nothing
// for logs.
type Logs map[string]float64

// SortedKeys returns the keys in alphabetical order, the order Keras 3 shows them in.
func (l Logs) SortedKeys() []string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Callback receives the events of Fit, Evaluate and Predict, as Keras's Callback does. Epochs
// and batches count from 0; batches restart at 0 every epoch. A hook that returns an error
// stops the loop, and Fit (Evaluate, Predict) returns the error after OnTrainEnd.
//
// Embed [BaseCallback] to implement only the hooks you need.
//
// # Reading and changing the model from a callback
//
// Hooks run between steps, never inside one, and without the model's lock, so a hook may call
// any method of the model, including Fit, Evaluate, Predict, Save, SetWeights and LoadWeights.
// Another goroutine may be using the same model at the same time (a model serves several
// goroutines: inference steps run side by side, training steps and weight changes alone), so
// a hook reads the model's state through calls
// that take the lock or their own:
//
//   - [Model.Weights] returns copies of the weights, taken under the model's lock;
//     [Model.SetWeights] and [Model.LoadWeights] write under it;
//   - the optimizer ([Model.Optimizer]) of package optimizers is safe for concurrent use:
//     LearningRate, SetLearningRate, Iterations and Variables (copies) may be called at any
//     time;
//   - [Model.StopTraining] and [Model.SetStopTraining] are atomic.
//
// The live tensors of [Model.Variables] (Variable.Value) must not be read or written from a
// hook while the model may be in use elsewhere: a training step updates them, and Gorgonia's
// matrix product rewrites their headers in place while it runs. The built-in callbacks follow
// these rules (TensorBoard's histograms are drawn from [Model.Weights]).
type Callback interface {
	SetModel(m *Model)
	OnTrainBegin(logs Logs) error
	OnTrainEnd(logs Logs) error
	OnEpochBegin(epoch int, logs Logs) error
	OnEpochEnd(epoch int, logs Logs) error
	OnTrainBatchBegin(batch int, logs Logs) error
	OnTrainBatchEnd(batch int, logs Logs) error
	OnTestBegin(logs Logs) error
	OnTestEnd(logs Logs) error
	OnTestBatchBegin(batch int, logs Logs) error
	OnTestBatchEnd(batch int, logs Logs) error
	OnPredictBegin(logs Logs) error
	OnPredictEnd(logs Logs) error
	OnPredictBatchBegin(batch int, logs Logs) error
	OnPredictBatchEnd(batch int, logs Logs) error
}

// Params are the loop parameters Keras hands callbacks (callback.params): verbosity, number of
// epochs and steps per epoch.
type Params struct {
	Verbose int
	Epochs  int
	Steps   int
}

// ParamsSetter is implemented by callbacks that want the loop parameters; BaseCallback does.
type ParamsSetter interface{ SetParams(p Params) }

// BaseCallback implements every hook as a no-op and keeps the model and the loop parameters.
// Embed it in a callback and override the hooks you need.
type BaseCallback struct {
	model  *Model
	params Params
}

// SetModel records the model being trained.
func (b *BaseCallback) SetModel(m *Model) { b.model = m }

// Model returns the model being trained.
func (b *BaseCallback) Model() *Model { return b.model }

// SetParams records the loop parameters.
func (b *BaseCallback) SetParams(p Params) { b.params = p }

// Params returns the loop parameters of the current loop.
func (b *BaseCallback) Params() Params { return b.params }

// OnTrainBegin does nothing.
func (b *BaseCallback) OnTrainBegin(Logs) error { return nil }

// OnTrainEnd does nothing.
func (b *BaseCallback) OnTrainEnd(Logs) error { return nil }

// OnEpochBegin does nothing.
func (b *BaseCallback) OnEpochBegin(int, Logs) error { return nil }

// OnEpochEnd does nothing.
func (b *BaseCallback) OnEpochEnd(int, Logs) error { return nil }

// OnTrainBatchBegin does nothing.
func (b *BaseCallback) OnTrainBatchBegin(int, Logs) error { return nil }

// OnTrainBatchEnd does nothing.
func (b *BaseCallback) OnTrainBatchEnd(int, Logs) error { return nil }

// OnTestBegin does nothing.
func (b *BaseCallback) OnTestBegin(Logs) error { return nil }

// OnTestEnd does nothing.
func (b *BaseCallback) OnTestEnd(Logs) error { return nil }

// OnTestBatchBegin does nothing.
func (b *BaseCallback) OnTestBatchBegin(int, Logs) error { return nil }

// OnTestBatchEnd does nothing.
func (b *BaseCallback) OnTestBatchEnd(int, Logs) error { return nil }

// OnPredictBegin does nothing.
func (b *BaseCallback) OnPredictBegin(Logs) error { return nil }

// OnPredictEnd does nothing.
func (b *BaseCallback) OnPredictEnd(Logs) error { return nil }

// OnPredictBatchBegin does nothing.
func (b *BaseCallback) OnPredictBatchBegin(int, Logs) error { return nil }

// OnPredictBatchEnd does nothing.
func (b *BaseCallback) OnPredictBatchEnd(int, Logs) error { return nil }

var _ Callback = (*BaseCallback)(nil)

// callbackList dispatches each hook to every callback in order, stopping at the first error.
type callbackList []Callback

func (cl callbackList) setup(m *Model, p Params) {
	for _, c := range cl {
		c.SetModel(m)
		if ps, ok := c.(ParamsSetter); ok {
			ps.SetParams(p)
		}
	}
}

func (cl callbackList) each(f func(Callback) error) error {
	for _, c := range cl {
		if err := f(c); err != nil {
			return err
		}
	}
	return nil
}

// batchListeners returns the callbacks whose batch hooks may do something: all but the
// Histories, whose batch hooks are BaseCallback's no-ops (a type embedding History is kept).
func (cl callbackList) batchListeners() callbackList {
	var out callbackList
	for _, c := range cl {
		if _, ok := c.(*History); !ok {
			out = append(out, c)
		}
	}
	return out
}

// History records the epoch logs of Fit: Keras's History callback and the value Fit returns.
type History struct {
	BaseCallback
	// History maps each log name ("loss", "val_acc", "learning_rate" ...) to one value per
	// epoch run.
	History map[string][]float64
	// Epoch lists the epochs run.
	Epoch []int
}

// OnTrainBegin starts a new record of epochs and keeps existing values (Keras 3 keeps the
// history across fit calls on the same callback).
func (h *History) OnTrainBegin(Logs) error {
	h.Epoch = nil
	if h.History == nil {
		h.History = map[string][]float64{}
	}
	return nil
}

// OnEpochEnd appends the epoch's logs.
func (h *History) OnEpochEnd(epoch int, logs Logs) error {
	h.Epoch = append(h.Epoch, epoch)
	for k, v := range logs {
		h.History[k] = append(h.History[k], v)
	}
	return nil
}

// joinErr returns the first non-nil error joined with a later one.
func joinErr(a, b error) error {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	return errors.Join(a, b)
}
