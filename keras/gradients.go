package keras

import (
	"fmt"

	"gorgonia.org/tensor"
)

// Gradients computes the training loss of one batch and its gradient with respect to every
// weight the last Compile made trainable (in TrainableVariables order as it was then), without updating anything but the layers'
// moving statistics. It is the building block of custom training loops and of gradient
// checks. The returned tensors are copies.
func (m *Model) Gradients(x, y any) (loss float64, grads []*tensor.Dense, err error) {
	defer recoverErr("Gradients", &err)
	if m.compiled == nil {
		return 0, nil, fmt.Errorf("keras: Gradients: %w: call Compile first", ErrNotCompiled)
	}
	if err := m.checkTrainableLosses("Gradients"); err != nil {
		return 0, nil, err
	}
	d, err := m.dataset(x, y, true)
	if err != nil {
		return 0, nil, inCall("Gradients", "", err)
	}
	r := m.newRunner(modeTrain)
	r.skipUpdate = true
	err = r.step(d, identity(d.n), func(p *program, _ []int) error {
		var err error
		if loss, err = scalar(p.totalVal); err != nil {
			return err
		}
		grads = make([]*tensor.Dense, len(p.grads))
		for i, g := range p.grads {
			grads[i] = g.Clone().(*tensor.Dense)
		}
		return nil
	})
	if err != nil {
		return 0, nil, inCall("Gradients", "", err)
	}
	return loss, grads, nil
}
