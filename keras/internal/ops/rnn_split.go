package ops

import "runtime"

// splitMinWork is the least work (time steps × samples × gate width) for which a recurrent
// kernel runs its batch in two halves on two goroutines: below it handing half to a helper
// costs more than it saves. A variable so tests can force the split on small inputs.
var splitMinWork = 1 << 14

// batchHalves runs r on the rows of a batch of n samples: in two halves, [0, n/2) on the
// calling goroutine and [n/2, n) on a helper (sp.splitAt), when there are two samples, two
// Ps and work ≥ splitMinWork; else once over all rows, as part 0. The samples of a recurrent
// layer never read each other's states, so the halves share nothing but read-only inputs;
// one hand-off and join per sequence keeps the cost to a few microseconds whatever its
// length.
func batchHalves(sp *split, n, work int, r ranger) {
	if n < 2 || work < splitMinWork || runtime.GOMAXPROCS(0) < 2 {
		r.run(0, 0, n)
		return
	}
	sp.splitAt(n, n/2, r)
}
