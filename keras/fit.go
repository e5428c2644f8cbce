package keras

import (
	"errors"
	"fmt"
)

// Fit trains the model on x and y for a number of epochs, as Keras's fit does, and returns
// the History. x and y are a *tensor.Dense, a []*tensor.Dense in input (output) order, or
// Named by layer name; or x is a [Stream] of batches (data that need not fit in memory) and y
// is nil. [StepsPerEpoch] ends epochs after a number of batches, as Keras's steps_per_epoch.
//
// A model that is not compiled and every bad option are reported together (errors.Join),
// each as "keras: Fit: <argument>: <problem>"; then the data is checked.
func (m *Model) Fit(x, y any, opts ...FitOption) (h *History, err error) {
	var ds *distState                       // Distribution's replicas and ranks
	defer func() { ds.abortOnError(err) }() // after recoverErr: a panic aborts too
	defer recoverErr("Fit", &err)
	cfg, errs := newFitConfig(opts)
	if m.compiled == nil {
		errs = append([]error{fmt.Errorf("keras: Fit: %w: call Compile first", ErrNotCompiled)}, errs...)
	} else {
		errs = append(errs, m.checkTrainableLosses("Fit"), m.checkDistributedLosses("Fit", cfg.dist))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	ds = newDistState(cfg.dist, cfg.batchSize, true)
	if ds != nil && ds.comm != nil && (cfg.hasSampleWeight || cfg.hasClassWeight) {
		// The ranks exchange targets and predictions for the logs, not weights.
		return nil, argErr("Fit", "sample_weight", ErrInvalidArgument, "SampleWeight and ClassWeight are not supported with a Communicator (ranks); replicas in one process take them")
	}
	ds.forRank(&cfg.loopConfig)
	// Every rank starts from rank 0's weights and shuffle seed, so that the feeds below
	// shuffle alike on every rank.
	rng, err := m.startRanks(ds)
	if err != nil {
		return nil, inCall("Fit", "distribution", err)
	}
	train, val, err := m.fitFeeds(x, y, cfg, rng)
	if err != nil {
		return nil, err
	}
	defer train.close()
	hasVal := val != nil
	if hasVal {
		defer val.close()
	}
	steps := train.stepsHint()
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
	tr := m.newRunner(modeTrain)
	tr.dist = ds
	var vr *runner
	if hasVal {
		vr = m.newRunner(modeTest)
		vr.dist = ds.local()
	}
	// Batch hooks go only to the callbacks that may use them: a History records epochs, so
	// without other callbacks (and with Verbose 0) a step builds no logs at all. Those that
	// get them get a fresh Logs every batch, as Keras's callbacks get a fresh dict: a
	// callback may keep the map it was handed.
	batchCbs := cbs.batchListeners()
	var last Logs
	err = cbs.each(func(c Callback) error { return c.OnTrainBegin(Logs{}) })
	for epoch := cfg.initialEpoch; err == nil && epoch < cfg.epochs; epoch++ {
		tr.reset()
		if err = cbs.each(func(c Callback) error { return c.OnEpochBegin(epoch, Logs{}) }); err != nil {
			break
		}
		done := 0 // this rank's batches in the epoch
		err = train.epoch(func(step int, d dataset, idx []int) error {
			done = step + 1
			if err := batchCbs.each(func(c Callback) error { return c.OnTrainBatchBegin(step, Logs{}) }); err != nil {
				return err
			}
			if err := tr.step(d, idx, nil); err != nil {
				return inCall("Fit", "", err)
			}
			if len(batchCbs) > 0 {
				logs := tr.logs()
				if err := batchCbs.each(func(c Callback) error { return c.OnTrainBatchEnd(step, logs) }); err != nil {
					return err
				}
			}
			if m.stop.Load() {
				return errStopEpoch
			}
			return nil
		})
		if err == errStopEpoch {
			err = nil
		}
		if err == nil { // ranks that feed their own shards end the epoch together
			err = m.joinEpoch(tr, done, cbs)
		}
		if err != nil {
			break
		}
		logs := tr.logs()
		if hasVal && cfg.validateEpoch(epoch) {
			var vl Logs
			if vl, err = m.evaluate("Fit", vr, val, cbs); err != nil {
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
