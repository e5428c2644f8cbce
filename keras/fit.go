package keras

import (
	"errors"
	"fmt"
)

// Fit trains the model on x and y for a number of epochs, as Keras's fit does, and returns
// the History. x and y are a *tensor.Dense, a []*tensor.Dense in input (output) order, or
// Named by layer name.
//
// A model that is not compiled and every bad option are reported together (errors.Join),
// each as "keras: Fit: <argument>: <problem>"; then the data is checked.
func (m *Model) Fit(x, y any, opts ...FitOption) (h *History, err error) {
	defer recoverErr("Fit", &err)
	cfg, errs := newFitConfig(opts)
	if m.compiled == nil {
		errs = append([]error{fmt.Errorf("keras: Fit: %w: call Compile first", ErrNotCompiled)}, errs...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	train, err := m.dataset(x, y, true)
	if err != nil {
		return nil, inCall("Fit", "", err)
	}
	if cfg.hasSampleWeight {
		if train.sw, train.swPer, err = m.sampleWeights("Fit", cfg.sampleWeight, train.n); err != nil {
			return nil, err
		}
	}
	var val dataset
	hasVal := false
	switch {
	case cfg.hasVal:
		if val, err = m.dataset(cfg.valX, cfg.valY, true); err != nil {
			return nil, inCall("Fit", "validation_data", err)
		}
		if cfg.valSampleWeight != nil {
			if val.sw, val.swPer, err = m.sampleWeights("Fit", cfg.valSampleWeight, val.n); err != nil {
				return nil, err
			}
		}
		hasVal = true
	case cfg.valSplit > 0:
		at := int(float64(train.n) * (1 - cfg.valSplit))
		if at == 0 || at == train.n {
			return nil, argErr("Fit", "validation_split", ErrInvalidArgument, "%v of %d samples leaves no training or no validation samples", cfg.valSplit, train.n)
		}
		train, val = train.split(at)
		hasVal = true
	}
	if cfg.hasClassWeight {
		train.swPer = 1
		if train.sw, err = m.classWeights(cfg.classWeight, train); err != nil {
			return nil, err
		}
	}
	steps := (train.n + cfg.batchSize - 1) / cfg.batchSize
	// As Keras's CallbackList: a History or ProgbarLogger among the callbacks is used
	// instead of a new one.
	cbs := callbackList(append([]Callback(nil), cfg.callbacks...))
	for _, c := range cfg.callbacks {
		if hc, ok := c.(*History); ok && h == nil {
			h = hc
		}
	}
	if h == nil {
		h = &History{}
		cbs = append(cbs, h)
	}
	if cfg.verbose > 0 && !hasProgbar(cbs) {
		cbs = append(cbs, newProgbar(cfg.verbose))
	}
	cbs.setup(m, Params{Verbose: cfg.verbose, Epochs: cfg.epochs, Steps: steps})
	m.stop.Store(false)
	rng := newRand()
	tr := m.newRunner(modeTrain)
	var vr *runner
	if hasVal {
		vr = m.newRunner(modeTest)
	}
	var last Logs
	err = cbs.each(func(c Callback) error { return c.OnTrainBegin(Logs{}) })
	for epoch := cfg.initialEpoch; err == nil && epoch < cfg.epochs; epoch++ {
		tr.reset()
		if err = cbs.each(func(c Callback) error { return c.OnEpochBegin(epoch, Logs{}) }); err != nil {
			break
		}
		order := identity(train.n)
		if cfg.shuffle {
			rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		for step, idx := range batches(train.n, cfg.batchSize, order) {
			if err = cbs.each(func(c Callback) error { return c.OnTrainBatchBegin(step, Logs{}) }); err != nil {
				break
			}
			if err = tr.step(train, idx, nil); err != nil {
				err = inCall("Fit", "", err)
				break
			}
			logs := tr.logs()
			if err = cbs.each(func(c Callback) error { return c.OnTrainBatchEnd(step, logs) }); err != nil {
				break
			}
			if m.stop.Load() {
				break
			}
		}
		if err != nil {
			break
		}
		logs := tr.logs()
		if hasVal && cfg.validateEpoch(epoch) {
			var vl Logs
			if vl, err = m.evaluate("Fit", vr, val, cfg.batchSize, cbs); err != nil {
				break
			}
			for k, v := range vl {
				logs["val_"+k] = v
			}
		}
		if err = cbs.each(func(c Callback) error { return c.OnEpochEnd(epoch, logs) }); err != nil {
			break
		}
		last = logs
		if m.stop.Load() {
			break
		}
	}
	if last == nil {
		last = Logs{}
	}
	endErr := cbs.each(func(c Callback) error { return c.OnTrainEnd(last) })
	if err = joinErr(err, endErr); err != nil {
		return h, err
	}
	return h, nil
}
