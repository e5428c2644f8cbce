package keras

import (
	"fmt"

	"gorgonia.org/tensor"
)

// predictFed is Predict over a feed: a Stream, or arrays with Steps. The number of rows is
// not known ahead, so each batch's outputs are copied out and joined at the end.
func (m *Model) predictFed(x any, cfg loopConfig) ([]*tensor.Dense, error) {
	f, err := m.loopFeed("Predict", x, nil, false, cfg)
	if err != nil {
		return nil, inCall("Predict", "", err)
	}
	defer f.close()
	cbs := callbackList(cfg.callbacks)
	if cfg.verbose > 0 && !hasProgbar(cbs) {
		cbs = append(cbs, newProgbar(cfg.verbose))
	}
	cbs.setup(m, Params{Verbose: cfg.verbose, Epochs: 1, Steps: f.stepsHint()})
	r := m.newRunner(modePredict)
	r.dist = newDistState(cfg.dist, cfg.batchSize, false)
	if err := cbs.each(func(c Callback) error { return c.OnPredictBegin(Logs{}) }); err != nil {
		return nil, err
	}
	var parts [][]*tensor.Dense // per output, the batches' outputs in order
	err = f.epoch(func(step int, d dataset, idx []int) error {
		if err := cbs.each(func(c Callback) error { return c.OnPredictBatchBegin(step, Logs{}) }); err != nil {
			return err
		}
		err := r.step(d, idx, func(p *program, _ []int) error {
			// Called once per replica, in replica order: the parts stay in row order.
			if parts == nil {
				parts = make([][]*tensor.Dense, len(p.outputs))
			}
			for i := range p.outputs {
				v, err := p.output(i)
				if err != nil {
					return err
				}
				// The program reuses its output tensors on the next batch.
				parts[i] = append(parts[i], v.Clone().(*tensor.Dense))
			}
			return nil
		})
		if err != nil {
			return inCall("Predict", "", err)
		}
		return cbs.each(func(c Callback) error { return c.OnPredictBatchEnd(step, Logs{}) })
	})
	if err != nil {
		return nil, err
	}
	out := make([]*tensor.Dense, len(parts))
	for i, ps := range parts {
		t, err := joinRows(ps)
		if err != nil {
			return nil, inCall("Predict", "", fmt.Errorf("keras: output %d: %w", i, err))
		}
		out[i] = t
	}
	if err := cbs.each(func(c Callback) error { return c.OnPredictEnd(Logs{}) }); err != nil {
		return nil, err
	}
	return out, nil
}

// joinRows stacks batches of outputs along the first dimension.
func joinRows(ps []*tensor.Dense) (*tensor.Dense, error) {
	refs := make([]rowRef, 0)
	for _, p := range ps {
		d := &dataset{x: []*tensor.Dense{p}, n: p.Shape()[0]}
		for r := range d.n {
			refs = append(refs, rowRef{d, r})
		}
	}
	return concatRows(refs, func(d *dataset) *tensor.Dense { return d.x[0] })
}
