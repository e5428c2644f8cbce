package ops

import (
	"bytes"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kerago/kerago/keras/internal/testenv"
	"gorgonia.org/tensor"
)

// rangeFunc makes a function a ranger, for tests (a kernel keeps a struct of its own
// instead: a func value made per call would be allocated).
type rangeFunc func(part, lo, hi int)

func (f rangeFunc) run(part, lo, hi int) { f(part, lo, hi) }

// goid returns the calling goroutine's id, read from its stack header.
func goid() int {
	var buf [64]byte
	s := buf[:runtime.Stack(buf[:], false)]
	s = bytes.TrimPrefix(s, []byte("goroutine "))
	id, _ := strconv.Atoi(string(s[:bytes.IndexByte(s, ' ')]))
	return id
}

// withProcs sets GOMAXPROCS to n until the test ends.
func withProcs(t *testing.T, n int) {
	t.Helper()
	old := runtime.GOMAXPROCS(n)
	t.Cleanup(func() { runtime.GOMAXPROCS(old) })
}

// call is one run of a part: its number, range and goroutine.
type call struct{ part, lo, hi, g int }

// recorder records the calls of its ranger.
type recorder struct {
	mu    sync.Mutex
	calls []call
	delay time.Duration // each part's run time, so that a helper is still busy with one
}

func (r *recorder) run(part, lo, hi int) {
	time.Sleep(r.delay)
	r.mu.Lock()
	r.calls = append(r.calls, call{part, lo, hi, goid()})
	r.mu.Unlock()
}

func (r *recorder) sorted() []call {
	slices.SortFunc(r.calls, func(a, b call) int { return a.part - b.part })
	return r.calls
}

// TestParallelForParts checks parallelFor's parts against the split points it had as
// goroutines (one contiguous chunk of ⌈n/workers⌉ per CPU, workers = min(GOMAXPROCS, n)):
// every index once, in parts numbered in order; with one CPU a single call on the caller's
// goroutine.
func TestParallelForParts(t *testing.T) {
	var sp split
	for _, procs := range []int{1, 2, 3, 4} {
		withProcs(t, procs)
		for _, n := range []int{0, 1, 2, 3, 5, 7, 8, 33} {
			t.Run(fmt.Sprintf("procs=%d/n=%d", procs, n), func(t *testing.T) {
				var r recorder
				sp.parallelFor(n, &r)
				var want []call
				if workers := min(procs, n); workers <= 1 {
					want = []call{{0, 0, n, 0}}
				} else {
					chunk := (n + workers - 1) / workers
					for lo := 0; lo < n; lo += chunk {
						want = append(want, call{len(want), lo, min(lo+chunk, n), 0})
					}
				}
				got := r.sorted()
				if len(got) != len(want) {
					t.Fatalf("parts %v, want %v", got, want)
				}
				for i := range got {
					if got[i].part != want[i].part || got[i].lo != want[i].lo || got[i].hi != want[i].hi {
						t.Fatalf("parts %v, want %v", got, want)
					}
				}
				if procs == 1 && got[0].g != goid() {
					t.Errorf("with one CPU the part ran on goroutine %d, not the caller's %d", got[0].g, goid())
				}
			})
		}
	}
}

// TestSplitAtParts checks splitAt's two parts: with two CPUs the second runs on a helper,
// with one both run on the caller's goroutine, first part first.
func TestSplitAtParts(t *testing.T) {
	var sp split
	for _, procs := range []int{1, 2} {
		withProcs(t, procs)
		var r recorder
		sp.splitAt(9, 4, &r)
		got := r.sorted()
		if len(got) != 2 || got[0] != (call{0, 0, 4, goid()}) || got[1].part != 1 || got[1].lo != 4 || got[1].hi != 9 {
			t.Fatalf("procs %d: parts %v, want (0, 0, 4) here and (1, 4, 9)", procs, got)
		}
		if onCaller := got[1].g == goid(); onCaller != (procs == 1) {
			t.Errorf("procs %d: the second part ran on the caller's goroutine: %v", procs, onCaller)
		}
	}
}

// waitIdle waits until every helper is idle again.
func waitIdle(t *testing.T) {
	t.Helper()
	for i := 0; helpers.idle.Load() != helpers.started.Load(); i++ {
		if i > 1000 {
			t.Fatalf("%d helpers idle of %d", helpers.idle.Load(), helpers.started.Load())
		}
		time.Sleep(time.Millisecond)
	}
}

// TestSplitPanicIsTheCallers checks that a panic in a part, on a helper or on the caller's
// goroutine, reaches the caller (where an op's recoverDo turns it into an error) instead of
// ending the program; that the caller waits for the other parts first, which may still be
// writing the op's memory; and that the helpers serve the next call as before.
func TestSplitPanicIsTheCallers(t *testing.T) {
	withProcs(t, 2)
	var sp split
	catch := func(f func()) (v any) {
		defer func() { v = recover() }()
		f()
		return nil
	}
	for _, where := range []string{"helper", "caller"} {
		t.Run(where, func(t *testing.T) {
			waitIdle(t)
			var finished atomic.Bool
			v := catch(func() {
				sp.splitAt(2, 1, rangeFunc(func(part, _, _ int) {
					if (part == 1) == (where == "helper") {
						panic("boom")
					}
					time.Sleep(20 * time.Millisecond)
					finished.Store(true)
				}))
			})
			if v == nil || !strings.Contains(fmt.Sprint(v), "boom") {
				t.Fatalf("recovered %v, want the part's panic", v)
			}
			if !finished.Load() {
				t.Error("the caller returned before the other part was done")
			}
			waitIdle(t)
			var r recorder
			sp.splitAt(2, 1, &r)
			if got := r.sorted(); len(got) != 2 || got[1].g == goid() {
				t.Errorf("after the panic the second part ran on the caller: %v", got)
			}
		})
	}
	// Through an op: batchHalves in a recurrent kernel's place.
	defer func(v int) { splitMinWork = v }(splitMinWork)
	splitMinWork = 0
	v := catch(func() {
		batchHalves(&sp, 4, 1, rangeFunc(func(_, lo, _ int) {
			if lo > 0 {
				panic("boom")
			}
		}))
	})
	if v == nil {
		t.Fatal("no panic of batchHalves's second half reached the caller")
	}
}

// nested is a ranger whose parts each split again, over their own split state: the sum of
// f(i) over [0, n), computed as parts of parts.
type nested struct {
	f      func(i int) int64
	inner  []split
	sums   []int64
	nested bool
}

func (r *nested) prepare(parts int) {
	r.inner, r.sums = make([]split, parts), make([]int64, parts)
}

func (r *nested) run(part, lo, hi int) {
	if !r.nested {
		for i := lo; i < hi; i++ {
			r.sums[part] += r.f(i)
		}
		return
	}
	in := &nested{f: func(i int) int64 { return r.f(lo + i) }}
	r.inner[part].parallelFor(hi-lo, in)
	for _, s := range in.sums {
		r.sums[part] += s
	}
}

// TestSplitConcurrentCallersNest runs many callers at once, each splitting work whose parts
// split again (with more parts than helpers, and helpers busy with other callers' parts):
// every sum must be right and every call must return. Run it with -race too.
func TestSplitConcurrentCallersNest(t *testing.T) {
	withProcs(t, 4)
	const callers, rounds, n = 8, 50, 97
	want := int64(0)
	for i := range n {
		want += int64(i * i)
	}
	done := make(chan error, callers)
	for c := range callers {
		go func() {
			var sp split
			for k := range rounds {
				r := &nested{f: func(i int) int64 { return int64(i * i) }, nested: true}
				if (c+k)%2 == 0 {
					sp.parallelFor(n, r)
				} else {
					r.prepare(2)
					sp.splitAt(n, n/3, r)
				}
				var got int64
				for _, s := range r.sums {
					got += s
				}
				if got != want {
					done <- fmt.Errorf("caller %d round %d: sum %d, want %d", c, k, got, want)
					return
				}
			}
			done <- nil
		}()
	}
	timeout := time.After(2 * time.Minute)
	for range callers {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-timeout:
			buf := make([]byte, 1<<20)
			t.Fatalf("deadlock: callers still waiting after 2 minutes\n%s", buf[:runtime.Stack(buf, true)])
		}
	}
}

// pingPong is a ranger whose part 0 waits (a bounded while) for part 1 to start, so that a
// run tells whether part 1 ran on a helper, at the same time.
type pingPong struct {
	started    atomic.Int64
	concurrent int
}

func (r *pingPong) run(part, _, _ int) {
	if part != 0 {
		r.started.Add(1)
		return
	}
	want := r.started.Load() + 1
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); runtime.Gosched() {
		if r.started.Load() >= want {
			r.concurrent++
			return
		}
	}
}

// splitAllocs returns the heap allocations per call of f, over runs calls, with GOMAXPROCS 2
// (testing.AllocsPerRun sets it to 1, where nothing is split).
func splitAllocs(t *testing.T, runs int, f func()) uint64 {
	t.Helper()
	if testenv.RaceEnabled {
		t.Skip("the race detector changes what allocates")
	}
	withProcs(t, 2)
	f() // first use: helpers, jobs and buffers
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.Mallocs - before.Mallocs) / uint64(runs)
}

// TestSplitAllocatesNothing checks that handing parts to the helpers allocates nothing per
// call, and that the parts did run on a helper meanwhile.
func TestSplitAllocatesNothing(t *testing.T) {
	var sp split
	r := &pingPong{}
	const runs = 200
	if n := splitAllocs(t, runs, func() { sp.parallelFor(2, r) }); n != 0 {
		t.Errorf("parallelFor allocates %d times a call", n)
	}
	if n := splitAllocs(t, runs, func() { sp.splitAt(2, 1, r) }); n != 0 {
		t.Errorf("splitAt allocates %d times a call", n)
	}
	if r.concurrent < runs {
		t.Errorf("part 1 ran at the same time as part 0 in %d calls of %d", r.concurrent, 2*runs+2)
	}
}

// TestSplitHelpersDoNotLeak builds, runs and drops many split ops (recurrent, im2col,
// pooling): the helpers are the process's, so the number of goroutines does not grow.
func TestSplitHelpersDoNotLeak(t *testing.T) {
	withProcs(t, 2)
	defer func(v int) { splitMinWork = v }(splitMinWork)
	splitMinWork = 0
	for _, spec := range splitSpecs() {
		rnnRun(t, spec, false) // starts the helpers
		break
	}
	runtime.GC()
	before, helpersBefore := runtime.NumGoroutine(), helpers.started.Load()
	for range 20 {
		for _, spec := range splitSpecs() {
			rnnRun(t, spec, false)
		}
		w := Window{KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, Top: 1, Bottom: 1, Left: 1, Right: 1}
		x := tensor.New(tensor.WithShape(4, 6, 6, 2), tensor.WithBacking(convCheckValues(4*6*6*2, 0.3)))
		if _, err := newIm2col(w, new(scratch)).Do(x); err != nil {
			t.Fatal(err)
		}
		if _, err := newPool2D(w, false).Do(x); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	if got := helpers.started.Load(); got != helpersBefore {
		t.Errorf("%d helpers after 20 rounds of new ops, %d before", got, helpersBefore)
	}
	for i := 0; runtime.NumGoroutine() > before; i++ {
		if i > 200 {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}
