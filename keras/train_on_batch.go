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
	r := m.newRunner(modeTrain)
	if err := r.step(d, identity(d.n), nil); err != nil {
		return nil, inCall("TrainOnBatch", "", err)
	}
	return r.logs(), nil
}
