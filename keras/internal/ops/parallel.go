package ops

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// The kernels of the convolution, pooling and recurrent ops split their work over the cores.
// Starting goroutines for that on every call cost allocations every training step (each
// goroutine's closure, and the WaitGroup and panic slot they share), so the parts run instead
// on a few helper goroutines that live as long as the process, and the work reaches them as
// a value each op keeps: a ranger, a pointer to a struct in the op's state that the kernel
// fills with the call's operands. Nothing is allocated per call.
//
// The helpers are shared by every op of every graph, as the cores are: GOMAXPROCS−1 of them
// (for the largest GOMAXPROCS a split has seen), started on first use. A part goes to a
// helper only if one is idle; otherwise its caller runs it itself. So graphs that run at the
// same time (data-parallel replicas, two models, Predict while another model trains) never
// wait for each other's parts and never start more threads of work than there are cores,
// and a part that itself splits (a caller running on a helper) cannot deadlock: every part
// handed over is already being run by a helper that waits for nothing but the parts it
// handed over in turn. Since the helpers belong to no graph, nothing is left behind when a
// graph is dropped.

// A ranger is work over an index range that can be cut into parts: run does indices
// [lo, hi), the part-th part of the call (parts numbered from 0), and may use per-part
// scratch indexed by part. Parts of one call run at the same time on different goroutines,
// so they must write disjoint memory.
type ranger interface {
	run(part, lo, hi int)
}

// A preparer is a ranger with per-part scratch: parallelFor calls prepare with the number
// of parts of the call before any part runs.
type preparer interface {
	prepare(parts int)
}

// split is what an op keeps to run its kernels in parts: the parts of the call in progress
// that helpers still run and the first panic of one, and the op's ranger (see jobOf). One
// split serves one call at a time, as an op's state does; the zero value is ready to use.
type split struct {
	wg       sync.WaitGroup
	mu       sync.Mutex // guards panicked, which several helpers may set at once
	panicked any
	job      any // the op's ranger, a pointer made on first use
}

// jobOf returns the job of type J that sp keeps, made on first use, and sp itself; a nil sp
// (an op that keeps no state: tests, transposed convolutions' col2im) gets a fresh split and
// job, which is the only case that allocates.
func jobOf[J any](sp *split) (*split, *J) {
	if sp == nil {
		sp = new(split)
	}
	j, ok := sp.job.(*J)
	if !ok {
		j = new(J)
		sp.job = j
	}
	return sp, j
}

// piece is a part of a call handed to a helper.
type piece struct {
	part, lo, hi int
	r            ranger
	sp           *split
}

// helpers is the process's pool of helper goroutines. idle counts the helpers committed to
// take the next piece: a helper adds itself before it reports its last piece done, so a
// caller that splits again right after finds it; a caller claims one by decrementing idle and
// then sends its piece, which that helper (or another committed one) receives at once.
var helpers struct {
	jobs    chan piece // unbuffered: a piece is received only by a helper ready to run it
	idle    atomic.Int64
	started atomic.Int64
	handed  atomic.Uint64 // pieces handed to helpers so far, which tests read
	mu      sync.Mutex    // serialises starting helpers
}

func init() { helpers.jobs = make(chan piece) }

// ensureHelpers starts helpers until there are n.
func ensureHelpers(n int) {
	if helpers.started.Load() >= int64(n) {
		return
	}
	helpers.mu.Lock()
	defer helpers.mu.Unlock()
	for helpers.started.Load() < int64(n) {
		helpers.started.Add(1)
		helpers.idle.Add(1)
		go helper()
	}
}

// helper runs the pieces it receives, for the life of the process.
func helper() {
	for p := range helpers.jobs {
		if !p.runOnHelper() {
			return // the part called runtime.Goexit: a replacement has taken this helper's place
		}
	}
}

// runOnHelper runs p, records its panic in p's split, and reports p done; it returns false
// when the part ended the goroutine (runtime.Goexit).
func (p piece) runOnHelper() (ok bool) {
	defer func() {
		r := recover()
		switch {
		case r != nil:
			p.sp.fail(fmt.Sprintf("%v (in part %d of a split kernel, on a helper goroutine)", r, p.part))
			ok = true
		case !ok:
			p.sp.fail(fmt.Sprintf("part %d of a split kernel called runtime.Goexit on a helper goroutine", p.part))
			helpers.started.Add(-1)
			ensureHelpers(int(helpers.started.Load()) + 1)
		}
		if ok {
			helpers.idle.Add(1) // committed to the next piece before the caller learns this one is done
		}
		p.sp.wg.Done()
	}()
	p.r.run(p.part, p.lo, p.hi)
	return true
}

// fail records v as the split's panic unless one is recorded already.
func (sp *split) fail(v any) {
	sp.mu.Lock()
	if sp.panicked == nil {
		sp.panicked = v
	}
	sp.mu.Unlock()
}

// claim takes an idle helper, and reports whether there was one.
func claim() bool {
	for {
		n := helpers.idle.Load()
		if n <= 0 {
			return false
		}
		if helpers.idle.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// handOff gives part p of r, [lo, hi), to an idle helper and reports whether one took it.
func (sp *split) handOff(r ranger, part, lo, hi int) bool {
	if !claim() {
		return false
	}
	sp.wg.Add(1)
	helpers.handed.Add(1)
	helpers.jobs <- piece{part: part, lo: lo, hi: hi, r: r, sp: sp}
	return true
}

// wait waits for the parts handed off and raises again, in the caller's goroutine, a panic
// one of them raised (where the op's recoverDo turns it into an error).
func (sp *split) wait() {
	sp.wg.Wait()
	if v := sp.panicked; v != nil {
		sp.panicked = nil
		panic(v)
	}
}

// chunks returns the number of parts parallelFor cuts [0, n) into, and their length: one
// per CPU, contiguous, the last possibly shorter.
func chunks(n int) (parts, chunk int) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		return 1, n
	}
	chunk = (n + workers - 1) / workers
	return (n + chunk - 1) / chunk, chunk
}

// parallelFor runs r over [0, n) cut into chunks(n) contiguous parts (preparing r first
// when it is a preparer): the first on the calling goroutine, the others on idle helpers, or on the calling goroutine too when none
// is idle. It returns when every part is done; a part's panic is raised again here.
func (sp *split) parallelFor(n int, r ranger) {
	parts, chunk := chunks(n)
	if pr, ok := r.(preparer); ok {
		pr.prepare(parts)
	}
	if parts <= 1 {
		r.run(0, 0, n)
		return
	}
	ensureHelpers(runtime.GOMAXPROCS(0) - 1)
	sp.panicked = nil
	defer sp.wait() // also when a part of this goroutine panics: the others must be done with the memory
	// Hand off from the last part down; those no helper takes run here, in order.
	last := parts - 1
	for ; last > 0; last-- {
		if !sp.handOff(r, last, last*chunk, min((last+1)*chunk, n)) {
			break
		}
	}
	for p := 0; p <= last; p++ {
		r.run(p, p*chunk, min((p+1)*chunk, n))
	}
}

// splitAt runs r over [0, n) in two parts, [0, mid) on the calling goroutine and [mid, n)
// on an idle helper (or after the first on the calling goroutine when none is idle, or when
// there is one CPU), and returns when both are done; a part's panic is raised again here.
func (sp *split) splitAt(n, mid int, r ranger) {
	if runtime.GOMAXPROCS(0) < 2 {
		r.run(0, 0, mid)
		r.run(1, mid, n)
		return
	}
	ensureHelpers(runtime.GOMAXPROCS(0) - 1)
	sp.panicked = nil
	defer sp.wait()
	if sp.handOff(r, 1, mid, n) {
		r.run(0, 0, mid)
		return
	}
	r.run(0, 0, mid)
	r.run(1, mid, n)
}
