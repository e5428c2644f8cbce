package keras

import (
	"fmt"

	"github.com/kerago/kerago/keras/metrics"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// dataset is checked, ordered data: inputs, targets as given (for metrics) and the sample
// count.
type dataset struct {
	x, y []*tensor.Dense
	n    int
	sw   []float64 // per-sample weights (SampleWeight, ClassWeight), nil for none
	// swPer is how many weights each sample has: 1, or the time steps of per-step weights.
	swPer int
}

func (m *Model) dataset(x, y any, needY bool) (dataset, error) {
	xs, err := arrange("input", x, m.inputs, m.InputNames, nil)
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
			optional[i] = h.loss == nil && len(h.metrics)+len(h.weighted) == 0 // metrics need targets too
		}
		if ys, err = arrange("target", y, m.outputs, m.OutputNames, optional); err != nil {
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
	a := dataset{x: sliceRows(d.x, 0, at), y: sliceRows(d.y, 0, at), n: at}
	b := dataset{x: sliceRows(d.x, at, d.n), y: sliceRows(d.y, at, d.n), n: d.n - at}
	if d.sw != nil {
		a.sw, b.sw = d.sw[:at*d.swPer], d.sw[at*d.swPer:]
		a.swPer, b.swPer = d.swPer, d.swPer
	}
	return a, b
}

// batchBuffers holds the tensors one batch is copied into. A program keeps its own and reuses
// them every step, so they go when the program is evicted.
type batchBuffers struct {
	x    []*tensor.Dense // inputs, in the graph's dtypes
	y    []*tensor.Dense // targets as fed (one-hot for sparse losses)
	rawY []*tensor.Dense // targets as given, for metrics
	sw   []*tensor.Dense // per output with a loss: sample weights as fed (weighted programs)
	swB  []float64       // the batch's sample weights, for weighted metrics
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
	c         *compiled // the compilation the runner's metrics and trainable list come from
	md        mode
	trainable []*Variable
	params    []*tensor.Dense
	loss      *metrics.Mean
	outLoss   []*metrics.Mean
	metrics   [][]metrics.Metric // per output: this run's own metric objects
	weighted  [][]metrics.Metric // per output: this run's own weighted metrics
	bucketed  []bool             // per input: batches run without their padding, on bucketed lengths (bucket.go)
	// skipUpdate leaves the weights alone after computing gradients (Model.Gradients).
	skipUpdate bool
	// dist runs each step over replicas and ranks (replicas.go); nil: one replica.
	dist *distState

	// The program key of the last batch and what it was built from: a run of batches of
	// one shape (every batch but an epoch's last) finds its program without building the
	// key's string again. shapeBuf receives each batch's shapes.
	key         string
	keyShapes   []tensor.Shape
	keyWeighted bool
	shapeBuf    []tensor.Shape
	idx         []int // rows' indices
}

func (m *Model) newRunner(md mode) *runner {
	r := &runner{m: m, c: m.compiled, md: md, bucketed: m.bucketedInputs()}
	if md == modeTrain {
		r.trainable = m.compiled.trainable
		r.params = make([]*tensor.Dense, len(r.trainable))
		for i, v := range r.trainable {
			r.params[i] = v.Value
		}
	}
	if md != modePredict {
		r.loss = metrics.NewMean("loss")
		r.outLoss = make([]*metrics.Mean, len(m.compiled.heads))
		r.metrics = make([][]metrics.Metric, len(m.compiled.heads))
		r.weighted = make([][]metrics.Metric, len(m.compiled.heads))
		for i, h := range m.compiled.heads {
			if h.loss != nil {
				r.outLoss[i] = metrics.NewMean(h.name + "_loss")
			}
			// Each run gets its own metric state, so an Evaluate inside a callback or on
			// another goroutine does not reset the numbers of a Fit in progress.
			for _, proto := range h.metrics {
				r.metrics[i] = append(r.metrics[i], metrics.Clone(proto))
			}
			for _, proto := range h.weighted {
				r.weighted[i] = append(r.weighted[i], metrics.Clone(proto))
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
	for i := range r.m.compiled.heads {
		if r.outLoss[i] != nil {
			r.outLoss[i].Reset()
		}
		for _, mt := range r.metrics[i] {
			mt.Reset()
		}
		for _, mt := range r.weighted[i] {
			mt.Reset()
		}
	}
}

// logs returns the running results.
func (r *runner) logs() Logs {
	c := r.m.compiled
	l := Logs{"loss": r.loss.Result()}
	for i := range c.heads {
		if c.multi() && r.outLoss[i] != nil && c.nLosses() > 1 {
			l[c.lossKey(i)] = r.outLoss[i].Result()
		}
		for j, mt := range r.metrics[i] {
			l[c.heads[i].metricKeys[j]] = mt.Result()
		}
		for j, mt := range r.weighted[i] {
			l[c.heads[i].weightedKeys[j]] = mt.Result()
		}
	}
	return l
}

// step runs one batch: rows idx of d, then after (if not nil) with the program, whose read
// slots hold the results of rows (all of idx; under Distribution, after is called once per
// replica with its shard, in replica order). A training step holds the model's lock for
// writing: it changes the weights (optimizer, moving statistics) and its program binds the
// variables' own tensors, whose headers Gorgonia's MatMul transposes in place while it
// runs. An inference step holds it for reading, so steps of Predict and Evaluate on other
// goroutines run at the same time, each on a program of its own from the pool (a program's
// machine, buffers and result slots serve one batch at a time) reading the weights through
// its own headers. Callbacks run between steps, so they may call Predict, Evaluate, Save or
// SetWeights.
func (r *runner) step(d dataset, idx []int, after func(p *program, rows []int) error) (err error) {
	m := r.m
	if r.md == modeTrain {
		defer m.lockWeights()()
	} else {
		defer m.rlockWeights()()
	}
	if r.dist != nil {
		return r.distStep(d, idx, after)
	}
	shapes, err := r.batchShapes(d, idx)
	if err != nil {
		return err
	}
	weighted := d.sw != nil && r.md != modePredict
	key, shapes := r.keyFor(shapes, weighted)
	p, err := m.programAt(key, r.md, shapes, r.trainable, weighted)
	if err != nil {
		return err
	}
	defer p.giveBack()
	b, err := r.feed(p, d, idx)
	if err != nil {
		return err
	}
	if err := p.run(); err != nil {
		return err
	}
	if r.md == modeTrain && !r.skipUpdate {
		if err := m.compiled.optimizer.Apply(r.params, p.grads); err != nil {
			return fmt.Errorf("keras: optimizer: %w", err)
		}
		if err := applyConstraints(r.trainable); err != nil {
			return err
		}
	}
	if r.md != modePredict {
		if err := r.track(p, b, len(idx)); err != nil {
			return err
		}
	}
	if after != nil {
		if err := after(p, idx); err != nil {
			return err
		}
	}
	return nil
}

// shapes returns the input shapes of the batch of rows idx of d.
func (r *runner) shapes(d dataset, idx []int) ([]tensor.Shape, error) {
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
	return shapes, nil
}

// rows returns the row indices 0..n-1, kept for the next call of the same n.
func (r *runner) rows(n int) []int {
	if len(r.idx) != n {
		r.idx = identity(n)
	}
	return r.idx
}

// batchShapes is shapes into memory the runner keeps: valid until the next call.
func (r *runner) batchShapes(d dataset, idx []int) ([]tensor.Shape, error) {
	if len(r.shapeBuf) != len(d.x) {
		r.shapeBuf = make([]tensor.Shape, len(d.x))
	}
	for i, x := range d.x {
		s := append(r.shapeBuf[i][:0], x.Shape()...)
		s[0] = len(idx)
		if r.bucketed[i] {
			n, err := bucketedLength(x, idx)
			if err != nil {
				return nil, err
			}
			s[1] = n
		}
		r.shapeBuf[i] = s
	}
	return r.shapeBuf, nil
}

// keyFor returns the key of the program for a batch of the given shapes (weighted: with
// per-sample weights) and shapes the program may keep: the last batch's when they are the
// same, else a copy, under a key built anew.
func (r *runner) keyFor(shapes []tensor.Shape, weighted bool) (string, []tensor.Shape) {
	if r.keyShapes != nil && weighted == r.keyWeighted && sameShapes(shapes, r.keyShapes) {
		return r.key, r.keyShapes
	}
	keep := make([]tensor.Shape, len(shapes))
	for i, s := range shapes {
		keep[i] = s.Clone()
	}
	r.key, r.keyShapes, r.keyWeighted = weightedKey(programKey(r.md, keep), weighted), keep, weighted
	return r.key, r.keyShapes
}

func sameShapes(a, b []tensor.Shape) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Eq(b[i]) {
			return false
		}
	}
	return true
}

// feed copies rows idx of d into p's buffers and lets them into p's input and target nodes.
func (r *runner) feed(p *program, d dataset, idx []int) (*batchBuffers, error) {
	m := r.m
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
		if err := let(p.inputs[i], b.x[i]); err != nil {
			return nil, fmt.Errorf("keras: feeding input %q: %w", m.inputs[i].Name(), err)
		}
	}
	if r.md != modePredict {
		for i, y := range d.y {
			if y == nil || b.rawY[i] == nil {
				continue
			}
			if err := gather(b.rawY[i], y, idx); err != nil {
				return nil, err
			}
			if p.targets[i] == nil {
				continue // an output with metrics but no loss
			}
			if ts := m.compiled.heads[i].shaped; ts != nil {
				if err := ts.FitTargets(b.y[i], b.rawY[i]); err != nil {
					return nil, fmt.Errorf("keras: target %q: %w", m.compiled.heads[i].name, err)
				}
			} else if m.compiled.heads[i].sparse {
				if err := oneHot(b.y[i], y, idx); err != nil {
					return nil, fmt.Errorf("keras: target %q: %w", m.compiled.heads[i].name, err)
				}
			} else if b.y[i] != b.rawY[i] {
				if err := gather(b.y[i], y, idx); err != nil {
					return nil, err
				}
			}
			if err := let(p.targets[i], b.y[i]); err != nil {
				return nil, fmt.Errorf("keras: feeding target %q: %w", m.compiled.heads[i].name, err)
			}
		}
	}
	if err := r.feedWeights(p, b, d, idx); err != nil {
		return nil, err
	}
	return b, nil
}

// let binds t to the input node n, as G.Let does, unless it is bound already: the loops copy
// every batch into the same buffers, so from the second batch on it is, and G.Let would
// allocate copies of the node's shape to check t against it every step.
func let(n *G.Node, t *tensor.Dense) error {
	if v, ok := n.Value().(*tensor.Dense); ok && v == t {
		return nil
	}
	return G.Let(n, t)
}

// track adds a batch's losses and metrics to the running results.
func (r *runner) track(p *program, b *batchBuffers, n int) error {
	total, err := scalar(p.totalVal)
	if err != nil {
		return err
	}
	r.loss.Add(total, float64(n))
	for i, h := range r.m.compiled.heads {
		if p.losses[i] != nil {
			v, err := scalar(p.lossVals[i])
			if err != nil {
				return err
			}
			r.outLoss[i].Add(v, float64(n))
		}
		if len(r.metrics[i])+len(r.weighted[i]) == 0 || b.rawY[i] == nil {
			continue
		}
		pred, err := p.output(i)
		if err != nil {
			return err
		}
		for _, mt := range r.metrics[i] {
			if err := mt.Update(b.rawY[i], pred); err != nil {
				return fmt.Errorf("keras: metric %q of output %q: %w", mt.Name(), h.name, err)
			}
		}
		if err := updateWeighted(r.weighted[i], b.rawY[i], pred, b.swB); err != nil {
			return fmt.Errorf("keras: output %q: %w", h.name, err)
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
			if d.y[i] == nil || t == nil && len(r.metrics[i])+len(r.weighted[i]) == 0 {
				continue
			}
			raw := d.y[i].Shape().Clone()
			raw[0] = batch
			b.rawY[i] = tensor.New(tensor.WithShape(raw...), tensor.Of(r.m.floatDType()))
			if t == nil {
				continue // metrics only: nothing is fed
			}
			if r.m.compiled.heads[i].sparse || r.m.compiled.heads[i].shaped != nil || !raw.Eq(t.Shape()) {
				b.y[i] = tensor.New(tensor.WithShape(t.Shape().Clone()...), tensor.Of(t.Dtype()))
			} else {
				b.y[i] = b.rawY[i]
			}
		}
	}
	return b
}

// scalar reads a scalar value copied out of a graph. It runs for every loss of every batch,
// so it reads the value's own type: Data would box the number.
func scalar(val *G.Value) (float64, error) {
	if val == nil || *val == nil {
		return 0, fmt.Errorf("keras: %w: no scalar value", ErrInternal)
	}
	switch v := (*val).(type) {
	case *G.F32:
		return float64(*v), nil
	case *G.F64:
		return float64(*v), nil
	case *tensor.Dense:
		if v.Shape().TotalSize() == 1 {
			switch v.Dtype() {
			case tensor.Float32:
				return float64(v.Float32s()[0]), nil
			case tensor.Float64:
				return v.Float64s()[0], nil
			}
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
