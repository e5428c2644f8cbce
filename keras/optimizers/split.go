package optimizers

import "runtime"

// splitMin is the length from which an element-wise update is split between two cores: below
// it, handing half to another goroutine costs more than it saves (measured on the MLP's
// 784×256 kernel, 200k elements, where a split Adam update takes ~0.55 of the time).
const splitMin = 1 << 14

// ranger is an element-wise update over the index range [lo, hi) of its operands.
type ranger interface{ run(lo, hi int) }

// span is a range of an update, handed to the helper goroutine.
type span struct {
	lo, hi int
	r      ranger
}

// splitter lets an optimizer's element-wise updates use a second core without allocating:
// a helper goroutine, started on the first long update, does the second half of each range
// while the caller does the first. Operands travel in a ranger the optimizer owns and
// reuses, so nothing is allocated per step. The helper holds only its channels; when the
// optimizer becomes unreachable a cleanup closes them and the helper ends.
//
// An optimizer's Apply is not safe for concurrent use (it updates the iteration count and
// the slots), and neither is its splitter.
type splitter struct {
	jobs chan span
	done chan struct{}
}

// splitRun runs r over [0, n) with s: split in two at once when n is long and there is a
// second CPU, otherwise entirely on the calling goroutine. owner is the optimizer holding s,
// whose collection ends the helper.
func splitRun[O any](owner *O, s *splitter, n int, r ranger) {
	if n < splitMin || runtime.GOMAXPROCS(0) < 2 {
		r.run(0, n)
		return
	}
	if s.jobs == nil {
		s.jobs, s.done = make(chan span), make(chan struct{})
		go helper(s.jobs, s.done)
		runtime.AddCleanup(owner, func(jobs chan span) { close(jobs) }, s.jobs)
	}
	mid := n / 2
	s.jobs <- span{lo: mid, hi: n, r: r}
	r.run(0, mid)
	<-s.done
}

// helper runs the spans it receives until jobs is closed.
func helper(jobs <-chan span, done chan<- struct{}) {
	for sp := range jobs {
		sp.r.run(sp.lo, sp.hi)
		done <- struct{}{}
	}
}
