package keras

import (
	"runtime"
	"testing"
	"time"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// lruModel builds a small model with its own (tiny) program cache.
func lruModel(t *testing.T, size int) *Model {
	t.Helper()
	in := Input(Shape{256})
	out := CallOne(&testDense{units: 256}, in)
	m, err := NewModel(Inputs(in), Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	m.programs = &programCache{max: size}
	return m
}

// Evicted programs release their machines: building hundreds of graphs keeps the heap flat.
// (Gorgonia's TapeMachine sets a finalizer on an object in a reference cycle; without
// clearing it every discarded machine leaks.)
func TestProgramCacheReleasesEvictedMachines(t *testing.T) {
	if testing.Short() {
		t.Skip("builds hundreds of graphs")
	}
	m := lruModel(t, 4)
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	m.programs = &programCache{max: 4}
	predictBatch := func(n int) {
		x := tensor.New(tensor.WithShape(n, 256), tensor.Of(tensor.Float32))
		y := tensor.New(tensor.WithShape(n, 256), tensor.Of(tensor.Float32))
		if _, err := m.Fit(x, y, Verbose(0), BatchSize(n)); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Predict(x, Verbose(0), BatchSize(n)); err != nil {
			t.Fatal(err)
		}
	}
	// The cached programs keep their values between runs (kerago's machine allocates them
	// once per program), so both measurements are taken with the same programs cached:
	// those of the last batch sizes, 317 to 320.
	for n := 1; n <= 20; n++ { // warm up
		predictBatch(n)
	}
	for n := 317; n <= 320; n++ {
		predictBatch(n)
	}
	before := heap()
	for n := 21; n <= 320; n++ {
		predictBatch(n)
	}
	after := heap()
	if got := m.programs.len(); got != 4 { // training and inference graphs share the bound
		t.Errorf("cache holds %d programs, want its bound 4", got)
	}
	// 300 leaked graphs of this model would hold well over 30 MB.
	if grow := int64(after) - int64(before); grow > 8<<20 {
		t.Errorf("heap grew by %d bytes over 300 evicted graphs", grow)
	}
	t.Logf("heap in use before %d, after 300 more graphs %d", before, after)
}

func TestProgramCacheLRU(t *testing.T) {
	c := &programCache{max: 2}
	build := func(k string) func() (*program, error) {
		return func() (*program, error) { return &program{key: k}, nil }
	}
	use := func(k string) *program {
		p, err := c.acquire(k, 1, build(k))
		if err != nil {
			t.Fatal(err)
		}
		p.giveBack()
		return p
	}
	a, b := use("a"), use("b")
	if use("a") != a { // a is now the most recent
		t.Error("a was rebuilt while cached")
	}
	use("c")
	if use("a") != a {
		t.Error("a, used most recently, was evicted")
	}
	if use("b") == b {
		t.Error("b, the least recently used, was not evicted")
	}
}

// A key's pool hands each goroutine a program of its own, up to the limit; the next waits
// until one comes back. A program evicted while in use is released when it comes back.
func TestProgramPool(t *testing.T) {
	c := &programCache{max: 1}
	built := 0
	build := func() (*program, error) {
		built++
		g := G.NewGraph()
		G.NewScalar(g, tensor.Float32, G.WithName("x"))
		return &program{key: "k", vm: G.NewTapeMachine(g)}, nil
	}
	p1, err := c.acquire("k", 2, build)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := c.acquire("k", 2, build)
	if err != nil {
		t.Fatal(err)
	}
	if p1 == p2 || built != 2 {
		t.Fatalf("two goroutines share a program (built %d)", built)
	}
	got := make(chan *program)
	go func() {
		p, err := c.acquire("k", 2, build)
		if err != nil {
			t.Error(err)
		}
		got <- p
	}()
	select {
	case <-got:
		t.Fatal("a third program was handed out beyond the pool's limit of 2")
	case <-time.After(50 * time.Millisecond):
	}
	p1.giveBack()
	if p3 := <-got; p3 != p1 || built != 2 {
		t.Errorf("the waiting goroutine got %p (built %d), want the program given back %p", p3, built, p1)
	}
	// A new key evicts k (max 1) while p1 and p2 are in use: they go when given back.
	q, err := c.acquire("other", 2, func() (*program, error) { return &program{key: "other"}, nil })
	if err != nil {
		t.Fatal(err)
	}
	if p2.vm == nil {
		t.Error("an evicted program was released while in use")
	}
	p2.giveBack()
	p1.giveBack()
	q.giveBack()
	if p1.vm != nil || p2.vm != nil {
		t.Error("evicted programs were not released when given back")
	}
}
