package optimizers

import (
	"runtime"
	"slices"
	"testing"
	"time"

	"gorgonia.org/tensor"
)

// splitCase returns parameters and gradients of lengths long enough to split (odd, so the
// halves differ) and too short to, in float32 and float64.
func splitCase() (params, grads []*tensor.Dense) {
	for _, n := range []int{3*splitMin + 7, 100} {
		g32, g64 := make([]float32, n), make([]float64, n)
		for i := range n {
			g64[i] = float64((i*7919)%23)*0.01 - 0.11
			g32[i] = float32(g64[i])
		}
		params = append(params,
			tensor.New(tensor.WithShape(n), tensor.WithBacking(make([]float32, n))),
			tensor.New(tensor.WithShape(n), tensor.WithBacking(make([]float64, n))))
		grads = append(grads,
			tensor.New(tensor.WithShape(n), tensor.WithBacking(g32)),
			tensor.New(tensor.WithShape(n), tensor.WithBacking(g64)))
	}
	return params, grads
}

// TestSplitMatchesSerial checks that the updates split between two goroutines give exactly
// the weights of the same update run in one piece (GOMAXPROCS 1), for every Adam and RMSprop
// variant, over several steps.
func TestSplitMatchesSerial(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	cases := []struct {
		name string
		opt  func() Optimizer
	}{
		{"adam", func() Optimizer { return Adam() }},
		{"adam amsgrad", func() Optimizer { return Adam(AMSGrad(true)) }},
		{"rmsprop", func() Optimizer { return RMSprop() }},
		{"rmsprop centered momentum", func() Optimizer { return RMSprop(Centered(true), Momentum(0.9)) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := func(procs int) []*tensor.Dense {
				runtime.GOMAXPROCS(procs)
				params, grads := splitCase()
				o := c.opt()
				for range 3 {
					if err := o.Apply(params, grads); err != nil {
						t.Fatal(err)
					}
				}
				return params
			}
			serial, split := run(1), run(2)
			for i := range serial {
				var same bool
				if serial[i].Dtype() == tensor.Float32 {
					same = slices.Equal(serial[i].Float32s(), split[i].Float32s())
				} else {
					same = slices.Equal(serial[i].Float64s(), split[i].Float64s())
				}
				if !same {
					t.Fatalf("parameter %d (%v, %d elements) differs between the split and the serial update", i, serial[i].Dtype(), serial[i].Size())
				}
			}
		})
	}
}

// TestSplitNoAllocs checks that a split update allocates nothing per step.
func TestSplitNoAllocs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	params, grads := splitCase()
	for _, o := range []Optimizer{Adam(), RMSprop()} {
		if err := o.Apply(params, grads); err != nil { // builds the slots, starts the helper
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(10, func() {
			if err := o.Apply(params, grads); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: %v allocations per Apply", o.Name(), n)
		}
	}
}

// TestSplitHelperEnds checks that an optimizer's helper goroutine ends once the optimizer
// is unreachable.
func TestSplitHelperEnds(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	params, grads := splitCase()
	// Helpers of earlier tests' optimizers end when the GC gets to them: wait for that.
	before := runtime.NumGoroutine()
	for stable := 0; stable < 5; {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		if n := runtime.NumGoroutine(); n < before {
			before, stable = n, 0
		} else {
			stable++
		}
	}
	func() {
		o := Adam()
		if err := o.Apply(params, grads); err != nil {
			t.Fatal(err)
		}
		if runtime.NumGoroutine() != before+1 {
			t.Fatalf("%d goroutines after a split update, want %d", runtime.NumGoroutine(), before+1)
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("the helper goroutine outlived its optimizer: %d goroutines, want %d", runtime.NumGoroutine(), before)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}
