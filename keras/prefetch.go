package keras

import (
	"fmt"
	"iter"
	"sync"
)

// reader hands out the batches of one pass of a stream. With read-ahead, a goroutine ranges
// the pass and keeps up to k batches ready, so that loading (files, decoding, a slow
// source) overlaps the step that runs on the loop's goroutine.
type reader struct {
	next func() (Batch, error, bool)
	stop func()
}

// readAhead reads seq ahead by k batches (k = 0: on the caller's goroutine, as it asks).
// stop ends the pass early: the goroutine's yield returns false, the source's own cleanup
// runs, and stop returns only once the goroutine has exited, so a Fit that stops (an error,
// StepsPerEpoch, EarlyStopping) leaves no goroutine behind. A source that blocks forever
// inside one read (not on a channel of FromChannel, which watches done) would hold stop.
func readAhead(seq iter.Seq2[Batch, error], done chan struct{}, k int) *reader {
	var once sync.Once
	closeDone := func() { once.Do(func() { close(done) }) }
	if k <= 0 {
		next, stop := iter.Pull2(seq)
		return &reader{
			next: func() (b Batch, err error, ok bool) {
				defer func() {
					if r := recover(); r != nil {
						b, err, ok = Batch{}, fmt.Errorf("keras: %w: the stream panicked: %v", ErrData, r), true
					}
				}()
				return next()
			},
			stop: func() { closeDone(); stop() },
		}
	}
	type item struct {
		b   Batch
		err error
	}
	// One batch waits in the goroutine's send while k-1 wait in the channel: k in all.
	ch := make(chan item, k-1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(ch)
		defer func() {
			// A panic in the user's iterator would end the program from this goroutine;
			// it becomes the loop's error instead.
			if r := recover(); r != nil {
				select {
				case ch <- item{err: fmt.Errorf("keras: %w: the stream panicked: %v", ErrData, r)}:
				case <-done:
				}
			}
		}()
		for b, err := range seq {
			// A stopped reader takes no more batches, even if the channel has room.
			select {
			case <-done:
				return
			default:
			}
			select {
			case ch <- item{b, err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return &reader{
		next: func() (Batch, error, bool) {
			it, ok := <-ch
			return it.b, it.err, ok
		},
		stop: func() {
			closeDone() // a send in progress sees done and returns
			wg.Wait()
		},
	}
}
