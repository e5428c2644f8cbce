package keras

import (
	"errors"
	"fmt"
)

// evaluate runs the test loop over d with the callbacks' test hooks; call names the public
// method in errors of the model.
func (m *Model) evaluate(call string, r *runner, d dataset, bs int, cbs callbackList) (Logs, error) {
	r.reset()
	if err := cbs.each(func(c Callback) error { return c.OnTestBegin(Logs{}) }); err != nil {
		return nil, err
	}
	for step, idx := range batches(d.n, bs, identity(d.n)) {
		if err := cbs.each(func(c Callback) error { return c.OnTestBatchBegin(step, Logs{}) }); err != nil {
			return nil, err
		}
		if err := r.step(d, idx, nil); err != nil {
			return nil, inCall(call, "", err)
		}
		logs := r.logs()
		if err := cbs.each(func(c Callback) error { return c.OnTestBatchEnd(step, logs) }); err != nil {
			return nil, err
		}
	}
	logs := r.logs()
	if err := cbs.each(func(c Callback) error { return c.OnTestEnd(logs) }); err != nil {
		return nil, err
	}
	return logs, nil
}

// Evaluate returns the loss and metrics of the model on x and y, with dropout off. Options:
// BatchSize, Verbose, Callbacks (an option only Fit takes does not compile). A model that is
// not compiled and every bad option are reported together (errors.Join).
func (m *Model) Evaluate(x, y any, opts ...EvaluateOption) (logs Logs, err error) {
	defer recoverErr("Evaluate", &err)
	cfg, errs := newEvaluateConfig(opts)
	if m.compiled == nil {
		errs = append([]error{fmt.Errorf("keras: Evaluate: %w: call Compile first", ErrNotCompiled)}, errs...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	d, err := m.dataset(x, y, true)
	if err != nil {
		return nil, inCall("Evaluate", "", err)
	}
	if cfg.hasSampleWeight {
		if d.sw, d.swPer, err = m.sampleWeights("Evaluate", cfg.sampleWeight, d.n); err != nil {
			return nil, err
		}
	}
	cbs := callbackList(cfg.callbacks)
	if cfg.verbose > 0 && !hasProgbar(cbs) {
		cbs = append(cbs, newProgbar(cfg.verbose))
	}
	steps := (d.n + cfg.batchSize - 1) / cfg.batchSize
	cbs.setup(m, Params{Verbose: cfg.verbose, Epochs: 1, Steps: steps})
	return m.evaluate("Evaluate", m.newRunner(modeTest), d, cfg.batchSize, cbs)
}
