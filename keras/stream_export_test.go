package keras

import "iter"

// CSVBatchesForTest returns one pass of s as Fit reads it (sharded), or the error of
// starting it.
func CSVBatchesForTest(s *Stream) iter.Seq2[Batch, error] {
	seq, err := s.open(make(chan struct{}))
	if err != nil {
		return func(yield func(Batch, error) bool) { yield(Batch{}, err) }
	}
	return seq
}
