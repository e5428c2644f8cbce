package keras

import (
	"errors"
	"fmt"

	"gorgonia.org/tensor"
)

// Predict returns the model's outputs for x, one tensor per output in order, with dropout
// off; x may be a [Stream], whose batches' outputs are joined in order. Options: BatchSize,
// Verbose, Callbacks, Prefetch, Steps (an option only Fit takes does not compile);
// every bad option is reported at once (errors.Join).
func (m *Model) Predict(x any, opts ...PredictOption) (out []*tensor.Dense, err error) {
	defer recoverErr("Predict", &err)
	cfg, errs := newPredictConfig(opts)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if _, ok := x.(*Stream); ok || cfg.steps > 0 {
		return m.predictFed(x, cfg)
	}
	d, err := m.dataset(x, nil, false)
	if err != nil {
		return nil, inCall("Predict", "", err)
	}
	cbs := callbackList(cfg.callbacks)
	if cfg.verbose > 0 && !hasProgbar(cbs) {
		cbs = append(cbs, newProgbar(cfg.verbose))
	}
	steps := (d.n + cfg.batchSize - 1) / cfg.batchSize
	cbs.setup(m, Params{Verbose: cfg.verbose, Epochs: 1, Steps: steps})
	r := m.newRunner(modePredict)
	r.dist = newDistState(cfg.dist, cfg.batchSize, false)
	if err := cbs.each(func(c Callback) error { return c.OnPredictBegin(Logs{}) }); err != nil {
		return nil, err
	}
	// One closure for every batch: made inside the loop it would be a new one per step.
	collect := func(p *program, rows []int) error {
		for i := range p.outputs {
			v, err := p.output(i)
			if err != nil {
				return err
			}
			if out == nil {
				out = make([]*tensor.Dense, len(p.outputs))
			}
			if out[i] == nil {
				s := v.Shape().Clone()
				s[0] = d.n
				out[i] = tensor.New(tensor.WithShape(s...), tensor.Of(v.Dtype()))
			}
			if err := copyRows(out[i], v, rows[0]); err != nil {
				return fmt.Errorf("keras: output %d: %w", i, err)
			}
		}
		return nil
	}
	for step, idx := range batches(d.n, cfg.batchSize, identity(d.n)) {
		if err := cbs.each(func(c Callback) error { return c.OnPredictBatchBegin(step, Logs{}) }); err != nil {
			return nil, err
		}
		err := r.step(d, idx, collect)
		if err != nil {
			return nil, inCall("Predict", "", err)
		}
		if err := cbs.each(func(c Callback) error { return c.OnPredictBatchEnd(step, Logs{}) }); err != nil {
			return nil, err
		}
	}
	if err := cbs.each(func(c Callback) error { return c.OnPredictEnd(Logs{}) }); err != nil {
		return nil, err
	}
	return out, nil
}

// copyRows copies a batch's rows into dst starting at row from.
func copyRows(dst, src *tensor.Dense, from int) error {
	per := src.Shape().TotalSize() / src.Shape()[0]
	if ds := dst.Shape(); !ds[1:].Eq(src.Shape()[1:]) {
		return fmt.Errorf("%w: batch output of shape %v does not fit %v (an unknown dimension changed between batches)", ErrShape, src.Shape(), ds)
	}
	if src.Dtype() != dst.Dtype() {
		return fmt.Errorf("%w: batch output of %v for a result of %v", ErrDType, src.Dtype(), dst.Dtype())
	}
	// The typed accessors, not Data, which allocates: this runs for every batch.
	switch dst.Dtype() {
	case tensor.Float32:
		copy(dst.Float32s()[from*per:], src.Float32s())
	case tensor.Float64:
		copy(dst.Float64s()[from*per:], src.Float64s())
	case tensor.Int32: // Discretization's bin indices
		copy(dst.Int32s()[from*per:], src.Int32s())
	default:
		return fmt.Errorf("%w: %v", ErrDType, dst.Dtype())
	}
	return nil
}
