package keras

import (
	"errors"
	"fmt"
)

// evaluate runs the test loop over d with the callbacks' test hooks; call names the public
// method in errors of the model.
func (m *Model) evaluate(call string, r *runner, f *epochFeed, cbs callbackList) (Logs, error) {
	r.reset()
	if err := cbs.each(func(c Callback) error { return c.OnTestBegin(Logs{}) }); err != nil {
		return nil, err
	}
	batchCbs := cbs.batchListeners() // as in Fit: no logs built for no one
	err := f.epoch(func(step int, d dataset, idx []int) error {
		if err := batchCbs.each(func(c Callback) error { return c.OnTestBatchBegin(step, Logs{}) }); err != nil {
			return err
		}
		if err := r.step(d, idx, nil); err != nil {
			return inCall(call, "", err)
		}
		if len(batchCbs) == 0 {
			return nil
		}
		logs := r.logs()
		return batchCbs.each(func(c Callback) error { return c.OnTestBatchEnd(step, logs) })
	})
	if err != nil {
		return nil, err
	}
	logs := r.logs()
	if err := cbs.each(func(c Callback) error { return c.OnTestEnd(logs) }); err != nil {
		return nil, err
	}
	return logs, nil
}

// Evaluate returns the loss and metrics of the model on x and y, with dropout off; x may be a
// [Stream] (y nil). Options: BatchSize, Verbose, Callbacks, Prefetch, Steps (an option only
// Fit takes does not compile). A model that is
// not compiled and every bad option are reported together (errors.Join).
func (m *Model) Evaluate(x, y any, opts ...EvaluateOption) (logs Logs, err error) {
	defer recoverErr("Evaluate", &err)
	cfg, errs := newEvaluateConfig(opts)
	if m.compiled == nil {
		errs = append([]error{fmt.Errorf("keras: Evaluate: %w: call Compile first", ErrNotCompiled)}, errs...)
	} else {
		errs = append(errs, m.checkDistributedLosses("Evaluate", cfg.dist))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	f, err := m.loopFeed("Evaluate", x, y, true, cfg)
	if err != nil {
		return nil, inCall("Evaluate", "", err)
	}
	defer f.close()
	if cfg.hasSampleWeight {
		if err := f.setSampleWeight(cfg.sampleWeight); err != nil {
			return nil, err
		}
	}
	cbs := callbackList(cfg.callbacks)
	if cfg.verbose > 0 && !hasProgbar(cbs) {
		cbs = append(cbs, newProgbar(cfg.verbose))
	}
	cbs.setup(m, Params{Verbose: cfg.verbose, Epochs: 1, Steps: f.stepsHint()})
	r := m.newRunner(modeTest)
	r.dist = newDistState(cfg.dist, cfg.batchSize, false)
	return m.evaluate("Evaluate", r, f, cbs)
}
