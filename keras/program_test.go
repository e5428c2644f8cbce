package keras

import (
	"runtime"
	"testing"

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
	for n := 1; n <= 20; n++ { // warm up
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
	for _, k := range []string{"a", "b"} {
		c.put(&program{key: k})
	}
	c.get("a") // a is now the most recent
	c.put(&program{key: "c"})
	if c.get("b") != nil || c.get("a") == nil || c.get("c") == nil {
		t.Error("least recently used program was not the one evicted")
	}
}
