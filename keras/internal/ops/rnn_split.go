package ops

import (
	"fmt"
	"runtime"
	"sync"
)

// splitMinWork is the least work (time steps × samples × gate width) for which a recurrent
// kernel runs its batch in two halves on two goroutines: below it the goroutine costs more
// than it saves. A variable so tests can force the split on small inputs.
var splitMinWork = 1 << 14

// batchHalves calls f(lo, hi) on the rows of a batch of n samples: on two goroutines, one
// half each, when there are two samples, two Ps and work ≥ splitMinWork; else once over all
// rows. The samples of a recurrent layer never read each other's states, so the halves share
// nothing but read-only inputs; one fork and join per sequence keeps the cost to a few
// microseconds whatever its length.
func batchHalves(n, work int, f func(lo, hi int)) {
	if n < 2 || work < splitMinWork || runtime.GOMAXPROCS(0) < 2 {
		f(0, n)
		return
	}
	splitAt(n, n/2, f)
}

// splitAt calls f(0, mid) in the caller's goroutine and f(mid, n) on another, and returns
// when both are done. A panic in the second part is raised again in the caller's goroutine,
// where the op's recoverDo turns it into an error.
func splitAt(n, mid int, f func(lo, hi int)) {
	var wg sync.WaitGroup
	var panicked any
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer func() {
			if r := recover(); r != nil {
				panicked = fmt.Sprintf("%v (in the second half of the batch)", r)
			}
		}()
		f(mid, n)
	}()
	func() {
		defer wg.Wait() // also when this half panics: the other must be done with the buffers
		f(0, mid)
	}()
	if panicked != nil {
		panic(panicked)
	}
}
