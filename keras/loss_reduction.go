package keras

import (
	"github.com/kerago/kerago/keras/losses"
	G "gorgonia.org/gorgonia"
)

// checkTrainableLosses reports an output whose loss keeps one value per sample
// (losses.NoReduction): Keras 3 cannot take the gradient of such a loss either ("Gradient
// only defined for scalar-output functions"), so training on it is refused; Evaluate takes
// it and reports the values' mean, as Keras's loss tracker does.
func (m *Model) checkTrainableLosses(call string) error {
	for _, h := range m.compiled.heads {
		if h.loss != nil && losses.ReductionOf(h.loss) == losses.NoReduction {
			return argErr(call, "loss of output "+h.name, ErrInvalidArgument,
				"%s has reduction %q: its value is not a scalar, and Keras 3 cannot train on it either; give it another reduction (Sum, SumOverBatchSize, ...)", h.loss.Name(), string(losses.NoReduction))
		}
	}
	return nil
}

// checkDistributedLosses reports an output whose loss is not a mean over its values
// (losses.Sum, losses.MeanWithSampleWeight) when d spreads the batches over replicas or
// ranks: their steps combine the replicas' losses and gradients weighted by their rows, which
// is the global batch's for a mean only.
func (m *Model) checkDistributedLosses(call string, d *DataParallelConfig) error {
	if d == nil {
		return nil
	}
	for _, h := range m.compiled.heads {
		if h.loss == nil {
			continue
		}
		if r := losses.ReductionOf(h.loss); r == losses.Sum || r == losses.MeanWithSampleWeight {
			return argErr(call, "loss of output "+h.name, ErrInvalidArgument,
				"%s has reduction %q, which Distribution does not combine over replicas (it averages them); use the default reduction, or train without Distribution", h.loss.Name(), string(r))
		}
	}
	return nil
}

// reducedLoss builds head h's loss without sample weights under its reduction.
func reducedLoss(h head, y, out, logits *G.Node, act string) (*G.Node, error) {
	return losses.Reduced(h.loss, y, out, logits, act, nil)
}
