package keras

import (
	"fmt"

	"gorgonia.org/tensor"
)

// AutoShardDataset says whether Fit shards the data over the ranks of a multi-process job,
// Keras's DataParallel(auto_shard_dataset=...). The default, true, gives every rank the
// whole data: each rank reads every global batch of BatchSize rows and keeps rows r, r+size,
// … of it. AutoShardDataset(false) says the data each rank passes to Fit is already its own
// shard (Horovod's model, and Keras's "the dataset is already sharded across hosts"): arrays
// in memory holding only this rank's rows, or a [Stream] read with [Stream.Shard](rank,
// size), or files of its own.
//
// With AutoShardDataset(false), as in Keras and Horovod, BatchSize is the batch of one rank
// and a step's global batch is the union of the ranks' batches: BatchSize(32) on 2 ranks
// trains on 64 rows a step, as BatchSize(64) with the default does. The gradients are still
// the mean over the global batch (each rank's weighted by its rows over the global rows,
// the global row count travelling in the step's one AllreduceSum), so no learning-rate
// scaling is needed. For a stream, BatchSize must be at least the rows of the largest batch
// a rank reads when the model has metrics: it sizes each rank's share of the exchange that
// gathers targets and predictions, so the metrics are those of one process on the global
// batch.
//
// Ranks may hold different numbers of batches: a rank whose epoch is over keeps joining the
// others' steps with no rows, as Horovod's join does, and the epoch ends on every rank when
// no rank has a batch left, so the last steps' global batches are the rows that remain and
// no rank waits forever. The logs are the same on every rank; validation is not sharded (each
// rank validates on the data it passes, so give every rank the same validation data).
//
// It only matters with [WithCommunicator]: one process's data is its own shard.
func AutoShardDataset(on bool) DataParallelOption {
	return func(c *DataParallelConfig) { c.sharded = !on }
}

// reduceSharded ends a training step when every rank feeds its own shard: as reduce, but the
// global batch's row count is learnt from the allreduce itself. The flat buffer holds, the
// same on every rank:
//
//	gradients | moving-statistics deltas | loss sums | rows per rank | per output with metrics: targets, predictions
//
// Gradients, deltas and losses are weighted by rows (sums over this rank's rows) and divided
// by the global rows after the sum. Targets and predictions go to this rank's slot of s.slot
// rows. A rank with no batch (progs empty) contributes zeros; when every rank does, the step
// is none: s.global is 0 and nothing changes.
func (r *runner) reduceSharded(d dataset, progs []*program, bufs []*batchBuffers, parts [][]int) error {
	s, m := r.dist, r.m
	heads := m.compiled.heads
	local := 0
	for _, p := range parts {
		local += len(p)
	}
	if len(progs) > 0 {
		s.yRow = make([]tensor.Shape, len(heads))
		for i := range heads {
			if i < len(d.y) && d.y[i] != nil {
				s.yRow[i] = d.y[i].Shape().Clone()
				s.yRow[i][0] = 0
			}
		}
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
	rowsAt := lossAt + 1 + len(heads)
	n = rowsAt + s.size
	yAt, predAt := make([]int, len(heads)), make([]int, len(heads))
	yPer, predPer := make([]int, len(heads)), make([]int, len(heads))
	for i := range heads {
		if len(r.metrics[i]) == 0 {
			continue
		}
		if s.yRow == nil {
			// The exchange's layout depends on the targets' shape, which only a batch shows.
			return fmt.Errorf("keras: rank %d: %w: this rank had no batch in this Fit (its shard is empty), so it cannot join the others' steps", s.rank, ErrData)
		}
		if s.yRow[i] == nil {
			continue
		}
		out := m.outputs[i].Shape()[1:]
		if !out.Known() {
			return fmt.Errorf("keras: %w: output %q has shape %v: metrics over ranks need outputs of known shape", ErrShape, heads[i].name, m.outputs[i].Shape())
		}
		if local > s.slot {
			return fmt.Errorf("keras: rank %d: %w: a batch of %d rows, more than BatchSize %d: with AutoShardDataset(false) and metrics, BatchSize must be at least the rows of the largest batch a rank reads", s.rank, ErrInvalidArgument, local, s.slot)
		}
		yPer[i] = perRow(s.yRow[i])
		predPer[i] = max(1, out.Size())
		yAt[i], n = n, n+s.size*s.slot*yPer[i]
		predAt[i], n = n, n+s.size*s.slot*predPer[i]
	}
	if cap(s.flat) < n {
		s.flat = make([]float64, n)
	}
	flat := s.flat[:n]
	clear(flat)

	for k, p := range progs {
		w := float64(len(parts[k]))
		at := 0
		for i, g := range p.grads {
			size := r.params[i].Shape().TotalSize()
			if err := addScaled(flat[at:at+size], g, w); err != nil {
				return fmt.Errorf("keras: gradient of %s: %w", r.trainable[i].Path, err)
			}
			at += size
		}
	}
	// global 1: each replica's delta weighted by its rows, divided below as the gradients.
	if err := r.reduceMoving(progs, parts, 1, moving, flat[movingAt:lossAt]); err != nil {
		return err
	}
	if err := r.packShard(progs, bufs, parts, flat, lossAt, yAt, predAt, yPer, predPer); err != nil {
		return err
	}
	flat[rowsAt+s.rank] = float64(local)
	if err := s.comm.AllreduceSum(flat); err != nil {
		return fmt.Errorf("keras: rank %d: AllreduceSum of the step's gradients: %w", s.rank, err)
	}
	rows := flat[rowsAt : rowsAt+s.size]
	global := 0
	for _, c := range rows {
		global += int(c)
	}
	s.global = global
	if global == 0 {
		return nil // every rank's epoch is over
	}
	inv := 1 / float64(global)
	for j := range flat[:lossAt] {
		flat[j] *= inv
	}
	if err := r.applyReduced(flat, moving, movingAt); err != nil {
		return err
	}
	g := float64(global)
	r.loss.Add(flat[lossAt]/g, g)
	for i, h := range heads {
		if r.outLoss[i] != nil {
			r.outLoss[i].Add(flat[lossAt+1+i]/g, g)
		}
		if yPer[i] == 0 {
			continue
		}
		ys := s.yRow[i].Clone()
		ys[0] = global
		ps := append(tensor.Shape{global}, m.outputs[i].Shape()[1:]...)
		yT := tensor.New(tensor.WithShape(ys...), tensor.Of(m.floatDType()))
		pT := tensor.New(tensor.WithShape(ps...), tensor.Of(m.floatDType()))
		// The ranks' rows one after the other, in rank order.
		yv, pv := make([]float64, 0, ys.TotalSize()), make([]float64, 0, ps.TotalSize())
		for q, c := range rows {
			at := q * s.slot
			yv = append(yv, flat[yAt[i]+at*yPer[i]:yAt[i]+(at+int(c))*yPer[i]]...)
			pv = append(pv, flat[predAt[i]+at*predPer[i]:predAt[i]+(at+int(c))*predPer[i]]...)
		}
		if err := setFloats(yT, yv); err != nil {
			return err
		}
		if err := setFloats(pT, pv); err != nil {
			return err
		}
		for _, mt := range r.metrics[i] {
			if err := mt.Update(yT, pT); err != nil {
				return fmt.Errorf("keras: metric %q of output %q: %w", mt.Name(), h.name, err)
			}
		}
	}
	return nil
}

// packShard writes this rank's losses (sums over its rows) and, for every output with
// metrics, its rows of targets and predictions into its slot (rows rank·slot, …).
func (r *runner) packShard(progs []*program, bufs []*batchBuffers, parts [][]int, flat []float64, lossAt int, yAt, predAt, yPer, predPer []int) error {
	s := r.dist
	at := s.rank * s.slot
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
			if yPer[i] == 0 {
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
			copy(flat[yAt[i]+at*yPer[i]:], ys)
			copy(flat[predAt[i]+at*predPer[i]:], ps)
		}
		at += len(parts[k])
	}
	return nil
}

// joinEpoch is called on every rank when its epoch's batches are over (or a callback stopped
// it) under AutoShardDataset(false): it joins the other ranks' steps with no rows of its own,
// with the same optimizer steps, logs and batch callbacks, numbered on from step, until a
// step finds no rank with a batch. Without sharded ranks it does nothing.
func (m *Model) joinEpoch(tr *runner, step int, cbs callbackList) error {
	s := tr.dist
	if s == nil || !s.sharded {
		return nil
	}
	for ; ; step++ {
		unlock := m.lockWeights()
		err := tr.reduceSharded(dataset{}, nil, nil, nil)
		unlock()
		if err != nil {
			return inCall("Fit", "", err)
		}
		if s.global == 0 {
			return nil
		}
		// The batch ran on the other ranks already; this rank's callbacks see it as one of
		// its own, so that the progress bar and the batch logs go on.
		if err := cbs.each(func(c Callback) error { return c.OnTrainBatchBegin(step, Logs{}) }); err != nil {
			return err
		}
		logs := tr.logs()
		if err := cbs.each(func(c Callback) error { return c.OnTrainBatchEnd(step, logs) }); err != nil {
			return err
		}
	}
}
