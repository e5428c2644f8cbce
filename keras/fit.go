package keras

import (
	"fmt"

	"github.com/kerago/kerago/keras/metrics"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// FitOption configures Fit, Evaluate and Predict.
type FitOption func(*fitConfig)

type fitConfig struct {
	epochs       int
	batchSize    int
	verbose      int
	initialEpoch int
	shuffle      bool
	callbacks    []Callback
	valX, valY   any
	valSplit     float64
	hasVal       bool
}

func defaultFitConfig(opts []FitOption) fitConfig {
	c := fitConfig{epochs: 1, batchSize: 32, verbose: 1, shuffle: true}
	for _, o := range opts {
		o(&c)
	}
	return c
}

func (c fitConfig) check() error {
	switch {
	case c.epochs < 0:
		return fmt.Errorf("keras: %w: Epochs(%d) must not be negative", ErrInvalidArgument, c.epochs)
	case c.batchSize <= 0:
		return fmt.Errorf("keras: %w: BatchSize(%d) must be positive", ErrInvalidArgument, c.batchSize)
	case c.verbose < 0 || c.verbose > 2:
		return fmt.Errorf("keras: %w: Verbose(%d) must be 0, 1 or 2", ErrInvalidArgument, c.verbose)
	case c.initialEpoch < 0:
		return fmt.Errorf("keras: %w: InitialEpoch(%d) must not be negative", ErrInvalidArgument, c.initialEpoch)
	case c.valSplit < 0 || c.valSplit >= 1:
		return fmt.Errorf("keras: %w: ValidationSplit(%v) must be in [0, 1)", ErrInvalidArgument, c.valSplit)
	}
	return nil
}

// Epochs sets the epoch to train up to (default 1): Fit runs epochs InitialEpoch … n-1.
func Epochs(n int) FitOption { return func(c *fitConfig) { c.epochs = n } }

// BatchSize sets the number of samples per step (default 32). The last batch of an epoch is
// smaller when the samples do not divide evenly; it is trained, never dropped.
func BatchSize(n int) FitOption { return func(c *fitConfig) { c.batchSize = n } }

// Verbose sets the output: 0 silent, 1 a progress bar (the default), 2 one line per epoch.
func Verbose(n int) FitOption { return func(c *fitConfig) { c.verbose = n } }

// InitialEpoch sets the epoch to start at, to resume a training run (default 0).
func InitialEpoch(n int) FitOption { return func(c *fitConfig) { c.initialEpoch = n } }

// Shuffle sets whether the training samples are reshuffled every epoch (default true).
// SetRandomSeed makes the order reproducible.
func Shuffle(b bool) FitOption { return func(c *fitConfig) { c.shuffle = b } }

// Callbacks adds callbacks, called in the given order, before the History and the progress
// logger.
func Callbacks(cbs ...Callback) FitOption {
	return func(c *fitConfig) { c.callbacks = append(c.callbacks, cbs...) }
}

// ValidationData evaluates the model on x, y at the end of every epoch; the results are
// logged with a val_ prefix. It overrides ValidationSplit.
func ValidationData(x, y any) FitOption {
	return func(c *fitConfig) { c.valX, c.valY, c.hasVal = x, y, true }
}

// ValidationSplit holds out the last fraction f of the samples (before any shuffling), as
// Keras does, and evaluates on them at the end of every epoch.
func ValidationSplit(f float64) FitOption { return func(c *fitConfig) { c.valSplit = f } }

// dataset is checked, ordered data: inputs, targets as given (for metrics) and the sample
// count.
type dataset struct {
	x, y []*tensor.Dense
	n    int
}

func (m *Model) dataset(x, y any, needY bool) (dataset, error) {
	xs, err := arrange("input", x, m.inputs, m.InputNames(), nil)
	if err != nil {
		return dataset{}, err
	}
	if err := checkInputs(xs, m.inputs); err != nil {
		return dataset{}, err
	}
	var ys []*tensor.Dense
	if needY {
		optional := make([]bool, len(m.compiled.heads))
		for i, h := range m.compiled.heads {
			optional[i] = h.loss == nil
		}
		if ys, err = arrange("target", y, m.outputs, m.OutputNames(), optional); err != nil {
			return dataset{}, err
		}
		if ys, err = checkTargets(ys, m.outputs, m.compiled.heads); err != nil {
			return dataset{}, err
		}
	}
	n, err := numSamples(xs, ys)
	if err != nil {
		return dataset{}, err
	}
	return dataset{x: xs, y: ys, n: n}, nil
}

// split returns rows [0, at) and [at, n).
func (d dataset) split(at int) (dataset, dataset) {
	return dataset{x: sliceRows(d.x, 0, at), y: sliceRows(d.y, 0, at), n: at},
		dataset{x: sliceRows(d.x, at, d.n), y: sliceRows(d.y, at, d.n), n: d.n - at}
}

// batchBuffers holds the tensors one batch is copied into. A program keeps its own and reuses
// them every step, so they go when the program is evicted.
type batchBuffers struct {
	x    []*tensor.Dense // inputs, in the graph's dtypes
	y    []*tensor.Dense // targets as fed (one-hot for sparse losses)
	rawY []*tensor.Dense // targets as given, for metrics
}

// fits reports whether the buffers match the targets' layout of d (targets given as (n,) or
// (n, 1) lead to different raw buffers).
func (b *batchBuffers) fits(d dataset) bool {
	for i, y := range d.y {
		if i >= len(b.rawY) {
			return false
		}
		if b.rawY[i] == nil || y == nil {
			continue // an output without a loss: nothing is fed
		}
		if !y.Shape()[1:].Eq(b.rawY[i].Shape()[1:]) {
			return false
		}
	}
	return true
}

// runner executes batches of one dataset through cached programs and keeps the running loss
// and metrics.
type runner struct {
	m         *Model
	md        mode
	trainable []*Variable
	params    []*tensor.Dense
	loss      *metrics.Mean
	outLoss   []*metrics.Mean
	bucketed  []bool // per input: batches run without their padding, on bucketed lengths (bucket.go)
	// skipUpdate leaves the weights alone after computing gradients (Model.Gradients).
	skipUpdate bool
}

func (m *Model) newRunner(md mode) *runner {
	r := &runner{m: m, md: md, bucketed: m.bucketedInputs()}
	if md == modeTrain {
		r.trainable = m.TrainableVariables()
		r.params = make([]*tensor.Dense, len(r.trainable))
		for i, v := range r.trainable {
			r.params[i] = v.Value
		}
	}
	if md != modePredict {
		r.loss = metrics.NewMean("loss")
		r.outLoss = make([]*metrics.Mean, len(m.compiled.heads))
		for i, h := range m.compiled.heads {
			if h.loss != nil {
				r.outLoss[i] = metrics.NewMean(h.name + "_loss")
			}
		}
	}
	return r
}

func (r *runner) reset() {
	if r.loss == nil {
		return
	}
	r.loss.Reset()
	for i, h := range r.m.compiled.heads {
		if r.outLoss[i] != nil {
			r.outLoss[i].Reset()
		}
		for _, mt := range h.metrics {
			mt.Reset()
		}
	}
}

// logs returns the running results.
func (r *runner) logs() Logs {
	c := r.m.compiled
	l := Logs{"loss": r.loss.Result()}
	for i, h := range c.heads {
		if c.multi() && r.outLoss[i] != nil && c.nLosses() > 1 {
			l[c.lossKey(i)] = r.outLoss[i].Result()
		}
		for _, mt := range h.metrics {
			l[c.metricKey(i, mt)] = mt.Result()
		}
	}
	return l
}

// step runs one batch: rows idx of d. It returns the program, whose output nodes hold the
// batch's predictions.
func (r *runner) step(d dataset, idx []int) (*program, error) {
	m := r.m
	shapes := make([]tensor.Shape, len(d.x))
	for i, x := range d.x {
		s := x.Shape().Clone()
		s[0] = len(idx)
		if r.bucketed[i] {
			n, err := bucketedLength(x, idx)
			if err != nil {
				return nil, err
			}
			s[1] = n
		}
		shapes[i] = s
	}
	p, err := m.program(r.md, shapes, r.trainable)
	if err != nil {
		return nil, err
	}
	b := p.bufs
	if b == nil || !b.fits(d) {
		b = r.newBuffers(p, d)
		p.bufs = b
	}
	for i, x := range d.x {
		gatherX := gather
		if r.bucketed[i] {
			gatherX = gatherCompact
		}
		if err := gatherX(b.x[i], x, idx); err != nil {
			return nil, err
		}
		if err := G.Let(p.inputs[i], b.x[i]); err != nil {
			return nil, fmt.Errorf("keras: feeding input %q: %w", m.inputs[i].Name(), err)
		}
	}
	if r.md != modePredict {
		for i, y := range d.y {
			if p.targets[i] == nil || y == nil {
				continue
			}
			if err := gather(b.rawY[i], y, idx); err != nil {
				return nil, err
			}
			if m.compiled.heads[i].sparse {
				if err := oneHot(b.y[i], y, idx); err != nil {
					return nil, fmt.Errorf("keras: target %q: %w", m.compiled.heads[i].name, err)
				}
			} else if b.y[i] != b.rawY[i] {
				if err := gather(b.y[i], y, idx); err != nil {
					return nil, err
				}
			}
			if err := G.Let(p.targets[i], b.y[i]); err != nil {
				return nil, fmt.Errorf("keras: feeding target %q: %w", m.compiled.heads[i].name, err)
			}
		}
	}
	if err := p.run(); err != nil {
		return nil, err
	}
	if r.md == modeTrain && !r.skipUpdate {
		if err := m.compiled.optimizer.Apply(r.params, p.grads); err != nil {
			return nil, fmt.Errorf("keras: optimizer: %w", err)
		}
	}
	if r.md != modePredict {
		if err := r.track(p, b, len(idx)); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// track adds a batch's losses and metrics to the running results.
func (r *runner) track(p *program, b *batchBuffers, n int) error {
	total, err := scalar(p.totalVal)
	if err != nil {
		return err
	}
	r.loss.Add(total, float64(n))
	for i, h := range r.m.compiled.heads {
		if p.losses[i] == nil {
			continue
		}
		v, err := scalar(p.lossVals[i])
		if err != nil {
			return err
		}
		r.outLoss[i].Add(v, float64(n))
		if len(h.metrics) == 0 {
			continue
		}
		pred, err := p.output(i)
		if err != nil {
			return err
		}
		for _, mt := range h.metrics {
			if err := mt.Update(b.rawY[i], pred); err != nil {
				return fmt.Errorf("keras: metric %q of output %q: %w", mt.Name(), h.name, err)
			}
		}
	}
	return nil
}

func (r *runner) newBuffers(p *program, d dataset) *batchBuffers {
	b := &batchBuffers{}
	for _, n := range p.inputs {
		b.x = append(b.x, tensor.New(tensor.WithShape(n.Shape().Clone()...), tensor.Of(n.Dtype())))
	}
	if r.md != modePredict {
		b.y = make([]*tensor.Dense, len(p.targets))
		b.rawY = make([]*tensor.Dense, len(p.targets))
		batch := p.inputs[0].Shape()[0]
		for i, t := range p.targets {
			if t == nil || d.y[i] == nil {
				continue
			}
			raw := d.y[i].Shape().Clone()
			raw[0] = batch
			b.rawY[i] = tensor.New(tensor.WithShape(raw...), tensor.Of(t.Dtype()))
			if r.m.compiled.heads[i].sparse || !raw.Eq(t.Shape()) {
				b.y[i] = tensor.New(tensor.WithShape(t.Shape().Clone()...), tensor.Of(t.Dtype()))
			} else {
				b.y[i] = b.rawY[i]
			}
		}
	}
	return b
}

// scalar reads a scalar value copied out of a graph.
func scalar(val *G.Value) (float64, error) {
	if val == nil || *val == nil {
		return 0, fmt.Errorf("keras: %w: no scalar value", ErrInternal)
	}
	switch v := (*val).Data().(type) {
	case float32:
		return float64(v), nil
	case float64:
		return v, nil
	case []float32:
		if len(v) == 1 {
			return float64(v[0]), nil
		}
	case []float64:
		if len(v) == 1 {
			return v[0], nil
		}
	}
	return 0, fmt.Errorf("keras: %w: %v is not a scalar", ErrInternal, *val)
}

// batches splits 0..n-1 (permuted when perm is given) into batches of size bs, the last one
// smaller.
func batches(n, bs int, order []int) [][]int {
	var out [][]int
	for s := 0; s < n; s += bs {
		out = append(out, order[s:min(s+bs, n)])
	}
	return out
}

func identity(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// Fit trains the model on x and y for a number of epochs, as Keras's fit does, and returns
// the History. x and y are a *tensor.Dense, a []*tensor.Dense in input (output) order, or
// Named by layer name.
func (m *Model) Fit(x, y any, opts ...FitOption) (h *History, err error) {
	defer recoverErr("Fit", &err)
	if m.compiled == nil {
		return nil, fmt.Errorf("keras: Fit: %w: call Compile first", ErrNotCompiled)
	}
	cfg := defaultFitConfig(opts)
	if err := cfg.check(); err != nil {
		return nil, err
	}
	train, err := m.dataset(x, y, true)
	if err != nil {
		return nil, fmt.Errorf("%w (Fit)", err)
	}
	var val dataset
	hasVal := false
	switch {
	case cfg.hasVal:
		if val, err = m.dataset(cfg.valX, cfg.valY, true); err != nil {
			return nil, fmt.Errorf("%w (validation data)", err)
		}
		hasVal = true
	case cfg.valSplit > 0:
		at := int(float64(train.n) * (1 - cfg.valSplit))
		if at == 0 || at == train.n {
			return nil, fmt.Errorf("keras: Fit: %w: ValidationSplit(%v) of %d samples leaves no training or no validation samples", ErrInvalidArgument, cfg.valSplit, train.n)
		}
		train, val = train.split(at)
		hasVal = true
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
	m.stop = false
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
			if _, err = tr.step(train, idx); err != nil {
				break
			}
			logs := tr.logs()
			if err = cbs.each(func(c Callback) error { return c.OnTrainBatchEnd(step, logs) }); err != nil {
				break
			}
			if m.stop {
				break
			}
		}
		if err != nil {
			break
		}
		logs := tr.logs()
		if hasVal {
			var vl Logs
			if vl, err = m.evaluate(vr, val, cfg.batchSize, cbs); err != nil {
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
		if m.stop {
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

// evaluate runs the test loop over d with the callbacks' test hooks.
func (m *Model) evaluate(r *runner, d dataset, bs int, cbs callbackList) (Logs, error) {
	r.reset()
	if err := cbs.each(func(c Callback) error { return c.OnTestBegin(Logs{}) }); err != nil {
		return nil, err
	}
	for step, idx := range batches(d.n, bs, identity(d.n)) {
		if err := cbs.each(func(c Callback) error { return c.OnTestBatchBegin(step, Logs{}) }); err != nil {
			return nil, err
		}
		if _, err := r.step(d, idx); err != nil {
			return nil, err
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
// BatchSize, Verbose, Callbacks.
func (m *Model) Evaluate(x, y any, opts ...FitOption) (logs Logs, err error) {
	defer recoverErr("Evaluate", &err)
	if m.compiled == nil {
		return nil, fmt.Errorf("keras: Evaluate: %w: call Compile first", ErrNotCompiled)
	}
	cfg := defaultFitConfig(opts)
	if err := cfg.check(); err != nil {
		return nil, err
	}
	d, err := m.dataset(x, y, true)
	if err != nil {
		return nil, fmt.Errorf("%w (Evaluate)", err)
	}
	cbs := callbackList(cfg.callbacks)
	if cfg.verbose > 0 && !hasProgbar(cbs) {
		cbs = append(cbs, newProgbar(cfg.verbose))
	}
	steps := (d.n + cfg.batchSize - 1) / cfg.batchSize
	cbs.setup(m, Params{Verbose: cfg.verbose, Epochs: 1, Steps: steps})
	return m.evaluate(m.newRunner(modeTest), d, cfg.batchSize, cbs)
}

// Predict returns the model's outputs for x, one tensor per output in order, with dropout
// off. Options: BatchSize, Verbose, Callbacks.
func (m *Model) Predict(x any, opts ...FitOption) (out []*tensor.Dense, err error) {
	defer recoverErr("Predict", &err)
	cfg := defaultFitConfig(opts)
	if err := cfg.check(); err != nil {
		return nil, err
	}
	d, err := m.dataset(x, nil, false)
	if err != nil {
		return nil, fmt.Errorf("%w (Predict)", err)
	}
	cbs := callbackList(cfg.callbacks)
	if cfg.verbose > 0 && !hasProgbar(cbs) {
		cbs = append(cbs, newProgbar(cfg.verbose))
	}
	steps := (d.n + cfg.batchSize - 1) / cfg.batchSize
	cbs.setup(m, Params{Verbose: cfg.verbose, Epochs: 1, Steps: steps})
	r := m.newRunner(modePredict)
	if err := cbs.each(func(c Callback) error { return c.OnPredictBegin(Logs{}) }); err != nil {
		return nil, err
	}
	for step, idx := range batches(d.n, cfg.batchSize, identity(d.n)) {
		if err := cbs.each(func(c Callback) error { return c.OnPredictBatchBegin(step, Logs{}) }); err != nil {
			return nil, err
		}
		p, err := r.step(d, idx)
		if err != nil {
			return nil, err
		}
		for i := range p.outputs {
			v, err := p.output(i)
			if err != nil {
				return nil, err
			}
			if out == nil {
				out = make([]*tensor.Dense, len(p.outputs))
			}
			if out[i] == nil {
				s := v.Shape().Clone()
				s[0] = d.n
				out[i] = tensor.New(tensor.WithShape(s...), tensor.Of(v.Dtype()))
			}
			if err := copyRows(out[i], v, idx[0]); err != nil {
				return nil, fmt.Errorf("keras: output %d: %w", i, err)
			}
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
	switch d := dst.Data().(type) {
	case []float32:
		copy(d[from*per:], src.Data().([]float32))
	case []float64:
		copy(d[from*per:], src.Data().([]float64))
	default:
		return fmt.Errorf("%w: %v", ErrDType, dst.Dtype())
	}
	return nil
}
