package keras

import (
	"fmt"
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// shuffleBuffer shuffles the rows of a stream across batches, as tf.data's shuffle does: it
// holds at least size rows and fills each output batch with rows drawn uniformly from it,
// reading more batches as it empties. Every row read comes out exactly once per pass. The
// output batches have as many rows as the stream's first batch (the last one fewer).
type shuffleBuffer struct {
	size int
	rng  *rand.Rand
	read func() (dataset, bool, error)

	rows []rowRef
	bs   int
	eof  bool
}

// rowRef is one row of a batch read from the stream; the batch is kept (not copied) until
// its last row leaves the buffer.
type rowRef struct {
	d   *dataset
	row int
}

func (s *shuffleBuffer) next() (dataset, bool, error) {
	for !s.eof && len(s.rows) < s.size {
		d, ok, err := s.read()
		if err != nil {
			return dataset{}, false, err
		}
		if !ok {
			s.eof = true
			break
		}
		if s.bs == 0 {
			s.bs = d.n
		}
		for r := range d.n {
			s.rows = append(s.rows, rowRef{&d, r})
		}
	}
	if len(s.rows) == 0 {
		return dataset{}, false, nil
	}
	take := make([]rowRef, min(s.bs, len(s.rows)))
	for i := range take {
		j := s.rng.IntN(len(s.rows))
		take[i] = s.rows[j]
		last := len(s.rows) - 1
		s.rows[j] = s.rows[last]
		s.rows = s.rows[:last]
	}
	return gatherRefs(take)
}

// gatherRefs copies the rows refs point at into one new dataset.
func gatherRefs(refs []rowRef) (dataset, bool, error) {
	first := refs[0].d
	out := dataset{n: len(refs), x: make([]*tensor.Dense, len(first.x)), y: make([]*tensor.Dense, len(first.y))}
	for i := range first.x {
		t, err := concatRows(refs, func(d *dataset) *tensor.Dense { return d.x[i] })
		if err != nil {
			return dataset{}, false, fmt.Errorf("keras: ShuffleBuffer: input %d: %w", i, err)
		}
		out.x[i] = t
	}
	for i := range first.y {
		if first.y[i] == nil {
			continue
		}
		t, err := concatRows(refs, func(d *dataset) *tensor.Dense { return d.y[i] })
		if err != nil {
			return dataset{}, false, fmt.Errorf("keras: ShuffleBuffer: target %d: %w", i, err)
		}
		out.y[i] = t
	}
	return out, true, nil
}

// concatRows copies one row per ref of the tensor of picks out of the ref's batch.
func concatRows(refs []rowRef, of func(*dataset) *tensor.Dense) (*tensor.Dense, error) {
	t0 := of(refs[0].d)
	s := t0.Shape().Clone()
	for _, r := range refs {
		t := of(r.d)
		if t == nil || t.Dtype() != t0.Dtype() || !t.Shape()[1:].Eq(s[1:]) {
			return nil, fmt.Errorf("%w: rows of shape %v (%v) and %v mixed in one batch: ShuffleBuffer needs batches with one row shape and dtype", ErrShape, Shape(s[1:]), t0.Dtype(), shapeOrNil(t))
		}
	}
	per := 1
	if len(s) > 1 {
		per = s[1:].TotalSize()
	}
	s[0] = len(refs)
	var data any
	switch t0.Data().(type) {
	case []float32:
		data = concatData[float32](refs, of, per)
	case []float64:
		data = concatData[float64](refs, of, per)
	case []int:
		data = concatData[int](refs, of, per)
	case []int32:
		data = concatData[int32](refs, of, per)
	case []int64:
		data = concatData[int64](refs, of, per)
	default:
		return nil, fmt.Errorf("%w: %v is not supported", ErrDType, t0.Dtype())
	}
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(data)), nil
}

func concatData[T any](refs []rowRef, of func(*dataset) *tensor.Dense, per int) []T {
	out := make([]T, 0, len(refs)*per)
	for _, r := range refs {
		src := of(r.d).Data().([]T)
		out = append(out, src[r.row*per:(r.row+1)*per]...)
	}
	return out
}

func shapeOrNil(t *tensor.Dense) any {
	if t == nil {
		return "none"
	}
	return Shape(t.Shape())
}
