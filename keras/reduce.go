package keras

import (
	"fmt"

	"gorgonia.org/tensor"
)

// reduce ends a training step run on replicas: it sums the replicas' gradients in replica
// order, each weighted by its shard's rows over the global batch's (the losses are means
// over rows, so this is the global batch's gradient even for unequal shards), sums them over
// the ranks with one AllreduceSum, applies the optimizer once and keeps the running loss and
// metrics. Everything the ranks exchange travels in one flat float64 buffer, laid out the
// same on every rank from the model alone:
//
//	gradients | moving-statistics deltas | loss sums | per output with metrics: targets, predictions
//
// The last two parts are only there with a communicator: one process adds its replicas'
// losses and metrics directly, in replica order.
func (r *runner) reduce(d dataset, progs []*program, bufs []*batchBuffers, parts [][]int, global int) error {
	s, m := r.dist, r.m
	if s.sharded {
		return r.reduceSharded(d, progs, bufs, parts)
	}
	moving := movingVariables(m)
	n := 0
	for _, p := range r.params {
		n += p.Shape().TotalSize()
	}
	movingAt := n
	for _, v := range moving {
		n += v.Value.Shape().TotalSize()
	}
	lossAt := n
	heads := m.compiled.heads
	var yAt, predAt, yPer, predPer []int
	if s.comm != nil {
		n += 1 + len(heads)
		yAt, predAt = make([]int, len(heads)), make([]int, len(heads))
		yPer, predPer = make([]int, len(heads)), make([]int, len(heads))
		for i := range heads {
			if len(r.metrics[i])+len(r.weighted[i]) == 0 || d.y[i] == nil {
				continue
			}
			out := m.outputs[i].Shape()[1:]
			if !out.Known() {
				return fmt.Errorf("keras: %w: output %q has shape %v: metrics over ranks need outputs of known shape", ErrShape, heads[i].name, m.outputs[i].Shape())
			}
			yPer[i] = perRow(d.y[i].Shape())
			predPer[i] = max(1, out.Size())
			yAt[i], n = n, n+global*yPer[i]
			predAt[i], n = n, n+global*predPer[i]
		}
	}
	if cap(s.flat) < n {
		s.flat = make([]float64, n)
	}
	flat := s.flat[:n]
	clear(flat)

	for k, p := range progs {
		w := float64(len(parts[k])) / float64(global)
		at := 0
		for i, g := range p.grads {
			size := r.params[i].Shape().TotalSize()
			if err := addScaled(flat[at:at+size], g, w); err != nil {
				return fmt.Errorf("keras: gradient of %s: %w", r.trainable[i].Path, err)
			}
			at += size
		}
	}
	if err := r.reduceMoving(progs, parts, global, moving, flat[movingAt:lossAt]); err != nil {
		return err
	}
	if s.comm != nil {
		if err := r.packLogs(progs, bufs, parts, flat, lossAt, yAt, predAt, yPer, predPer); err != nil {
			return err
		}
		if err := s.comm.AllreduceSum(flat); err != nil {
			return fmt.Errorf("keras: rank %d: AllreduceSum of the step's gradients: %w", s.rank, err)
		}
	}

	if err := r.applyReduced(flat, moving, movingAt); err != nil {
		return err
	}
	if s.comm == nil {
		for k, p := range progs {
			if err := r.track(p, bufs[k], len(parts[k])); err != nil {
				return err
			}
		}
		return nil
	}
	return r.unpackLogs(flat, global, lossAt, yAt, predAt, d)
}

// applyReduced applies a step's summed gradients (flat's first part) with one optimizer step
// and sets the moving statistics to their values before the step (s.snap) plus the summed
// deltas at movingAt.
func (r *runner) applyReduced(flat []float64, moving []*Variable, movingAt int) error {
	s, m := r.dist, r.m
	if !r.skipUpdate {
		if s.sums == nil {
			for _, p := range r.params {
				s.sums = append(s.sums, tensor.New(tensor.WithShape(p.Shape().Clone()...), tensor.Of(p.Dtype())))
			}
		}
		at := 0
		for i, g := range s.sums {
			size := g.Shape().TotalSize()
			if err := setFloats(g, flat[at:at+size]); err != nil {
				return fmt.Errorf("keras: gradient of %s: %w", r.trainable[i].Path, err)
			}
			at += size
		}
		if err := m.compiled.optimizer.Apply(r.params, s.sums); err != nil {
			return fmt.Errorf("keras: optimizer: %w", err)
		}
		// As after a single replica's step: constraints project the updated weights.
		if err := applyConstraints(r.trainable); err != nil {
			return err
		}
	}
	if len(moving) > 0 {
		at := movingAt
		for i, v := range moving {
			size := v.Value.Shape().TotalSize()
			for j := range size {
				flat[at+j] += s.snap[i][j]
			}
			if err := setFloats(v.Value, flat[at:at+size]); err != nil {
				return fmt.Errorf("keras: %s: %w", v.Path, err)
			}
			at += size
		}
	}
	return nil
}

// movingVariables returns the model's non-trainable weights, those layers update after a
// step (BatchNormalization's moving statistics).
func movingVariables(m *Model) []*Variable {
	var out []*Variable
	for _, v := range m.Variables() {
		if !v.Trainable {
			out = append(out, v)
		}
	}
	return out
}

// reduceMoving runs each replica's after-step updates from the same starting weights, one
// replica at a time, and writes into delta the row-weighted sum of the changes they made;
// the weights are then back at the start (s.snap), and reduce sets them to start + delta. A
// moving average's update is affine in the batch statistic, so this is the update from the
// row-weighted mean of the replicas' statistics (not the global batch's: see
// docs/scaling.md on BatchNormalization).
func (r *runner) reduceMoving(progs []*program, parts [][]int, global int, moving []*Variable, delta []float64) error {
	s := r.dist
	if len(moving) == 0 {
		return nil
	}
	if len(s.snap) != len(moving) {
		s.snap = make([][]float64, len(moving))
	}
	for i, v := range moving {
		s.snap[i] = appendFloats(s.snap[i][:0], v.Value)
	}
	restore := func() error {
		for i, v := range moving {
			if err := setFloats(v.Value, s.snap[i]); err != nil {
				return fmt.Errorf("keras: %s: %w", v.Path, err)
			}
		}
		return nil
	}
	for k, p := range progs {
		if len(p.ctx.updates) == 0 {
			continue
		}
		if err := restore(); err != nil {
			return err
		}
		if err := p.afterStep(); err != nil {
			return fmt.Errorf("keras: replica %d: %w", k, err)
		}
		w := float64(len(parts[k])) / float64(global)
		at := 0
		for i, v := range moving {
			size := len(s.snap[i])
			if err := addScaled(delta[at:at+size], v.Value, w); err != nil {
				return fmt.Errorf("keras: %s: %w", v.Path, err)
			}
			for j := range size {
				delta[at+j] -= w * s.snap[i][j]
			}
			at += size
		}
	}
	return restore()
}

// packLogs writes this rank's part of the step's losses (sums over its rows) and, for every
// output with metrics, its rows of targets and predictions at their places in the global
// batch (zeros elsewhere), so that the allreduce gathers the whole batch on every rank.
func (r *runner) packLogs(progs []*program, bufs []*batchBuffers, parts [][]int, flat []float64, lossAt int, yAt, predAt, yPer, predPer []int) error {
	s := r.dist
	local := 0 // this rank's row count so far: row j of this rank is row rank + j*size
	for k, p := range progs {
		rows := float64(len(parts[k]))
		total, err := scalar(p.totalVal)
		if err != nil {
			return err
		}
		flat[lossAt] += total * rows
		for i := range r.m.compiled.heads {
			if p.losses[i] != nil {
				v, err := scalar(p.lossVals[i])
				if err != nil {
					return err
				}
				flat[lossAt+1+i] += v * rows
			}
			if yPer[i] == 0 && predPer[i] == 0 {
				continue
			}
			pred, err := p.output(i)
			if err != nil {
				return err
			}
			ys, ps := floats(bufs[k].rawY[i]), floats(pred)
			if len(ys) != len(parts[k])*yPer[i] || len(ps) != len(parts[k])*predPer[i] {
				return fmt.Errorf("keras: %w: output %d: %d target and %d prediction values for %d rows", ErrInternal, i, len(ys), len(ps), len(parts[k]))
			}
			for j := range parts[k] {
				g := s.rank + (local+j)*s.size
				copy(flat[yAt[i]+g*yPer[i]:], ys[j*yPer[i]:(j+1)*yPer[i]])
				copy(flat[predAt[i]+g*predPer[i]:], ps[j*predPer[i]:(j+1)*predPer[i]])
			}
		}
		local += len(parts[k])
	}
	return nil
}

// unpackLogs adds the allreduced losses and the gathered global batch to the running loss
// and metrics: the same numbers on every rank, and those of one process on the global
// batch.
func (r *runner) unpackLogs(flat []float64, global, lossAt int, yAt, predAt []int, d dataset) error {
	m := r.m
	g := float64(global)
	r.loss.Add(flat[lossAt]/g, g)
	for i, h := range m.compiled.heads {
		if r.outLoss[i] != nil {
			r.outLoss[i].Add(flat[lossAt+1+i]/g, g)
		}
		if len(r.metrics[i])+len(r.weighted[i]) == 0 || d.y[i] == nil {
			continue
		}
		ys := d.y[i].Shape().Clone()
		ys[0] = global
		ps := append(tensor.Shape{global}, m.outputs[i].Shape()[1:]...)
		yT := tensor.New(tensor.WithShape(ys...), tensor.Of(m.floatDType()))
		pT := tensor.New(tensor.WithShape(ps...), tensor.Of(m.floatDType()))
		if err := setFloats(yT, flat[yAt[i]:yAt[i]+ys.TotalSize()]); err != nil {
			return err
		}
		if err := setFloats(pT, flat[predAt[i]:predAt[i]+ps.TotalSize()]); err != nil {
			return err
		}
		for _, mt := range r.metrics[i] {
			if err := mt.Update(yT, pT); err != nil {
				return fmt.Errorf("keras: metric %q of output %q: %w", mt.Name(), h.name, err)
			}
		}
		// Ranks take no sample weights (Fit refuses them), so weighted metrics see weight 1.
		if err := updateWeighted(r.weighted[i], yT, pT, nil); err != nil {
			return fmt.Errorf("keras: output %q: %w", h.name, err)
		}
	}
	return nil
}

// addScaled adds w·t to dst elementwise, in float64.
func addScaled(dst []float64, t *tensor.Dense, w float64) error {
	switch v := t.Data().(type) {
	case []float32:
		if len(v) != len(dst) {
			return fmt.Errorf("%w: %d values, want %d", ErrInternal, len(v), len(dst))
		}
		for i, x := range v {
			dst[i] += w * float64(x)
		}
	case []float64:
		if len(v) != len(dst) {
			return fmt.Errorf("%w: %d values, want %d", ErrInternal, len(v), len(dst))
		}
		for i, x := range v {
			dst[i] += w * x
		}
	default:
		return fmt.Errorf("%w: %v values", ErrDType, t.Dtype())
	}
	return nil
}

// setFloats writes src into t, converting to t's dtype.
func setFloats(t *tensor.Dense, src []float64) error {
	switch v := t.Data().(type) {
	case []float32:
		if len(v) != len(src) {
			return fmt.Errorf("%w: %d values, want %d", ErrInternal, len(src), len(v))
		}
		for i, x := range src {
			v[i] = float32(x)
		}
	case []float64:
		if len(v) != len(src) {
			return fmt.Errorf("%w: %d values, want %d", ErrInternal, len(src), len(v))
		}
		copy(v, src)
	default:
		return fmt.Errorf("%w: %v values", ErrDType, t.Dtype())
	}
	return nil
}

// appendFloats appends t's values, as float64, to dst.
func appendFloats(dst []float64, t *tensor.Dense) []float64 {
	switch v := t.Data().(type) {
	case []float32:
		for _, x := range v {
			dst = append(dst, float64(x))
		}
	case []float64:
		dst = append(dst, v...)
	}
	return dst
}

// floats returns t's values as float64.
func floats(t *tensor.Dense) []float64 { return appendFloats(nil, t) }

// perRow is the number of values per row (first dimension) of a tensor of shape s.
func perRow(s tensor.Shape) int {
	n := 1
	for _, d := range s[1:] {
		n *= d
	}
	return n
}
