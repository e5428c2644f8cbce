package keras

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// AddLoss adds a scalar node to this realisation's total loss, as a Keras layer's add_loss
// does: ActivityRegularization's penalty, a weight regularizer's. Keras's compute_loss sums
// the compiled losses and every added loss, in training and in evaluation alike, so the
// term is part of the logged "loss" of Fit and Evaluate (not of any per-output loss) and its
// gradient reaches the weights through the training step. A Predict realisation ignores it.
// The node must be a scalar of the realisation's float dtype; anything else is an error
// naming its shape, returned by the layer's Forward.
func (c *Context) AddLoss(n *G.Node) error {
	if n == nil {
		return fmt.Errorf("keras: AddLoss: nil node")
	}
	if !n.IsScalar() {
		return fmt.Errorf("%w: AddLoss: the loss must be a scalar, got shape %v", ErrShape, n.Shape())
	}
	if n.Dtype() != c.dtype {
		return fmt.Errorf("%w: AddLoss: the loss is %v, want the realisation's %v", ErrShape, n.Dtype(), c.dtype)
	}
	c.addedLosses = append(c.addedLosses, n)
	return nil
}

// AddedLosses returns the scalar nodes layers added with AddLoss, in the order they were
// added.
func (c *Context) AddedLosses() []*G.Node { return append([]*G.Node(nil), c.addedLosses...) }

// addAddedLosses adds the layers' added losses to total (nil when the model has no compiled
// loss), as Keras's compute_loss sums them after the compiled loss.
func (c *Context) addAddedLosses(total *G.Node) (*G.Node, error) {
	for _, l := range c.addedLosses {
		if total == nil {
			total = l
			continue
		}
		var err error
		if total, err = G.Add(total, l); err != nil {
			return nil, fmt.Errorf("keras: adding a layer's loss: %w", err)
		}
	}
	return total, nil
}
