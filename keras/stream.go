package keras

import (
	"errors"
	"fmt"
	"iter"
	"sort"

	"gorgonia.org/tensor"
)

// Batch is one batch of a [Stream]: inputs X and targets Y in any form Fit takes (a
// *tensor.Dense, a []*tensor.Dense in input or output order, or [Named]). Y is nil for
// Predict. Batches of one stream may differ in their number of rows and, for inputs with an
// unknown dimension, in their shape; each shape gets its own compiled program.
type Batch struct {
	X, Y any
}

// Stream is data read one batch at a time, for data that does not fit in memory: Keras's
// PyDataset or generator. Pass it as x to [Model.Fit], [Model.Evaluate] or [Model.Predict]
// with y nil (and in [ValidationData]).
//
// A Stream is made from a Go iterator ([FromIterator]), a channel ([FromChannel]) or CSV
// files on disk ([FromCSV]). The iterator shape (iter.Seq2[Batch, error]) was chosen over a
// Next() method because ranging it again starts a new pass, as Keras calls a dataset again
// every epoch; a loop that stops early (StepsPerEpoch, an error, EarlyStopping) makes the
// iterator's yield return false, so a source that opened files closes them in its own
// defer; and a failing read is reported in the same loop, beside the batch it spoils.
//
// Passes: with no [StepsPerEpoch], every epoch is one whole pass, started anew. With
// StepsPerEpoch(n), an epoch is n batches and the next epoch continues the same pass where
// the last stopped, as Keras does; when the pass runs out before n batches, the epoch ends
// there and the next one starts a new pass. An endless source therefore needs StepsPerEpoch
// (and ValidationSteps or Steps where it is validated or evaluated).
//
// Batches are read ahead by a goroutine ([Prefetch]), so loading overlaps the step;
// [ShuffleBuffer] shuffles rows across batches; [Stream.Shard] keeps one replica's or one
// rank's rows. A Stream is read by one loop at a time: give each concurrent Fit, Evaluate or
// Predict a Stream of its own.
type Stream struct {
	// pass returns one pass over the batches; done is closed when the reader stops early,
	// so that a source blocked on a channel returns.
	pass func(done <-chan struct{}) iter.Seq2[Batch, error]
	// oneShot marks a source that cannot be read twice (a channel).
	oneShot bool
	opened  bool
	shardI  int
	shardN  int
	name    string
}

// FromIterator makes a Stream of the batches seq yields. Fit ranges seq once per pass (once
// per epoch without StepsPerEpoch), so seq must start over each time it is ranged, as a
// function that opens its files when called does. A non-nil error stops the loop that reads
// it and is returned with the number of the batch.
func FromIterator(seq iter.Seq2[Batch, error]) *Stream {
	return &Stream{name: "iterator", pass: func(<-chan struct{}) iter.Seq2[Batch, error] { return seq }}
}

// FromChannel makes a Stream of the batches received from ch until it is closed. A channel
// is read once: a second pass (a second epoch without StepsPerEpoch, or a second call) is an
// error, so train from a channel with StepsPerEpoch and Epochs that together take no more
// batches than it sends.
func FromChannel(ch <-chan Batch) *Stream {
	return &Stream{name: "channel", oneShot: true, pass: func(done <-chan struct{}) iter.Seq2[Batch, error] {
		return func(yield func(Batch, error) bool) {
			for {
				select {
				case <-done:
					return
				case b, ok := <-ch:
					if !ok || !yield(b, nil) {
						return
					}
				}
			}
		}
	}}
}

// Shard returns the stream of rows i, i+n, i+2n, … of s (rows counted from the start of each
// pass, across batches), for replica or MPI rank i of n: each reads its part of every
// batch, so n shards together see every row once. A batch left with no rows is skipped.
// An i outside [0, n) is reported by the loop that reads the stream.
func (s *Stream) Shard(i, n int) *Stream {
	c := *s
	c.shardI, c.shardN = i, n
	return &c
}

// open starts a pass, with the shard applied.
func (s *Stream) open(done <-chan struct{}) (iter.Seq2[Batch, error], error) {
	if s == nil || s.pass == nil {
		return nil, fmt.Errorf("keras: %w: the stream is nil", ErrData)
	}
	if s.shardN != 0 && (s.shardN < 0 || s.shardI < 0 || s.shardI >= s.shardN) {
		return nil, fmt.Errorf("keras: %w: Shard(%d, %d): the index must be in [0, %d)", ErrInvalidArgument, s.shardI, s.shardN, s.shardN)
	}
	if s.oneShot {
		if s.opened {
			return nil, fmt.Errorf("keras: %w: the %s stream was read to its end already; a channel is read once: train with StepsPerEpoch so that epochs continue it", ErrData, s.name)
		}
		s.opened = true
	}
	seq := s.pass(done)
	if s.shardN <= 1 {
		return seq, nil
	}
	i, n := s.shardI, s.shardN
	return func(yield func(Batch, error) bool) {
		row := 0
		for b, err := range seq {
			if err != nil {
				yield(Batch{}, err)
				return
			}
			rows, err := batchRows(b)
			if err != nil {
				yield(Batch{}, err)
				return
			}
			var keep []int
			for r := range rows {
				if (row+r)%n == i {
					keep = append(keep, r)
				}
			}
			row += rows
			if len(keep) == 0 {
				continue
			}
			var sb Batch
			if sb.X, err = pickRows(b.X, keep); err == nil {
				sb.Y, err = pickRows(b.Y, keep)
			}
			if !yield(sb, err) || err != nil {
				return
			}
		}
	}, nil
}

// batchRows returns the number of rows of a batch (of its first tensor).
func batchRows(b Batch) (int, error) {
	for _, v := range []any{b.X, b.Y} {
		for _, t := range tensorsOf(v) {
			if t != nil && t.Dims() > 0 {
				return t.Shape()[0], nil
			}
		}
	}
	return 0, fmt.Errorf("keras: %w: a batch holds no tensor with rows (X is %T)", ErrData, b.X)
}

// tensorsOf returns the tensors of data in any of the forms Fit takes, in a fixed order.
func tensorsOf(v any) []*tensor.Dense {
	switch d := v.(type) {
	case *tensor.Dense:
		return []*tensor.Dense{d}
	case []*tensor.Dense:
		return d
	case Named:
		return tensorsOf(map[string]*tensor.Dense(d))
	case map[string]*tensor.Dense:
		keys := make([]string, 0, len(d))
		for k := range d {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]*tensor.Dense, len(keys))
		for i, k := range keys {
			out[i] = d[k]
		}
		return out
	}
	return nil
}

// pickRows returns rows idx of data in any of the forms Fit takes, in the same form.
func pickRows(v any, idx []int) (any, error) {
	switch d := v.(type) {
	case nil:
		return nil, nil
	case *tensor.Dense:
		return takeRows(d, idx)
	case []*tensor.Dense:
		out := make([]*tensor.Dense, len(d))
		for i, t := range d {
			var err error
			if out[i], err = takeRows(t, idx); err != nil {
				return nil, err
			}
		}
		return out, nil
	case Named:
		out, err := pickRows(map[string]*tensor.Dense(d), idx)
		if err != nil {
			return nil, err
		}
		return Named(out.(map[string]*tensor.Dense)), nil
	case map[string]*tensor.Dense:
		out := make(map[string]*tensor.Dense, len(d))
		for k, t := range d {
			var err error
			if out[k], err = takeRows(t, idx); err != nil {
				return nil, fmt.Errorf("%q: %w", k, err)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("keras: %w: batch data must be a *tensor.Dense, []*tensor.Dense or keras.Named, got %T", ErrData, v)
}

// takeRows copies rows idx of t into a new tensor of the same dtype.
func takeRows(t *tensor.Dense, idx []int) (*tensor.Dense, error) {
	if t == nil {
		return nil, nil
	}
	if t.Dims() == 0 {
		return nil, fmt.Errorf("keras: %w: a scalar cannot hold rows", ErrData)
	}
	if t.RequiresIterator() {
		t = t.Materialize().(*tensor.Dense)
	}
	s := t.Shape().Clone()
	per := 1
	if len(s) > 1 {
		per = s[1:].TotalSize()
	}
	for _, r := range idx {
		if r < 0 || r >= s[0] {
			return nil, fmt.Errorf("keras: %w: row %d of a tensor of shape %v", ErrInternal, r, s)
		}
	}
	s[0] = len(idx)
	var data any
	switch v := t.Data().(type) {
	case []float32:
		data = pick(v, idx, per)
	case []float64:
		data = pick(v, idx, per)
	case []int:
		data = pick(v, idx, per)
	case []int32:
		data = pick(v, idx, per)
	case []int64:
		data = pick(v, idx, per)
	default:
		return nil, fmt.Errorf("keras: %w: %v is not supported", ErrDType, t.Dtype())
	}
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(data)), nil
}

func pick[T any](src []T, idx []int, per int) []T {
	out := make([]T, 0, len(idx)*per)
	for _, r := range idx {
		out = append(out, src[r*per:(r+1)*per]...)
	}
	return out
}

// errStopEpoch ends an epoch's loop early on purpose (SetStopTraining); Fit does not report it.
var errStopEpoch = errors.New("keras: training stopped")
