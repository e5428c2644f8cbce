package keras

import "fmt"

// TrainOnBatch runs one training step on x and y (one batch, all of it) and returns that
// batch's loss and metrics, as Keras's train_on_batch does. Callbacks are not called.
func (m *Model) TrainOnBatch(x, y any) (logs Logs, err error) {
	defer recoverErr("TrainOnBatch", &err)
	if m.compiled == nil {
		return nil, fmt.Errorf("keras: TrainOnBatch: %w: call Compile first", ErrNotCompiled)
	}
	if err := m.checkTrainableLosses("TrainOnBatch"); err != nil {
		return nil, err
	}
	d, err := m.dataset(x, y, true)
	if err != nil {
		return nil, inCall("TrainOnBatch", "", err)
	}
	r := m.batchRunner()
	defer m.batchRunners.Put(r)
	if err := r.step(d, r.rows(d.n), nil); err != nil {
		return nil, inCall("TrainOnBatch", "", err)
	}
	return r.logs(), nil
}

// batchRunner returns a training runner for one TrainOnBatch call: one an earlier call put
// back, when the model is still compiled as it was then, else a new one. Its loss and metrics
// start from zero, as a new runner's do (Keras's train_on_batch resets its metrics every
// call), and it keeps its program key and row indices, so a call allocates only its data's
// checks and the logs it returns. Calls on several goroutines each take their own.
func (m *Model) batchRunner() *runner {
	if r, ok := m.batchRunners.Get().(*runner); ok && r.c == m.compiled {
		r.reset()
		return r
	}
	return m.newRunner(modeTrain)
}
