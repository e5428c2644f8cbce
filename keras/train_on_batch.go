package keras

import "fmt"

// TrainOnBatch runs one training step on x and y (one batch, all of it) and returns that
// batch's loss and metrics, as Keras's train_on_batch does. Callbacks are not called.
func (m *Model) TrainOnBatch(x, y any) (logs Logs, err error) {
	defer recoverErr("TrainOnBatch", &err)
	if m.compiled == nil {
		return nil, fmt.Errorf("keras: TrainOnBatch: %w: call Compile first", ErrNotCompiled)
	}
	d, err := m.dataset(x, y, true)
	if err != nil {
		return nil, fmt.Errorf("%w (TrainOnBatch)", err)
	}
	r := m.batchRunner(modeTrain)
	r.reset()
	if _, err := r.step(d, identity(d.n)); err != nil {
		return nil, err
	}
	return r.logs(), nil
}

// batchRunner returns the model's runner for single-batch calls, kept across calls so the
// batch buffers are reused; it is rebuilt when Compile changes the training setup.
func (m *Model) batchRunner(md mode) *runner {
	if m.onBatch == nil || m.onBatch.compiled != m.compiled {
		m.onBatch = &batchRunners{compiled: m.compiled}
	}
	if m.onBatch.runners[md] == nil {
		m.onBatch.runners[md] = m.newRunner(md)
	}
	return m.onBatch.runners[md]
}

// batchRunners caches the runners of TrainOnBatch for one compilation.
type batchRunners struct {
	compiled *compiled
	runners  [3]*runner
}
