package keras

import (
	"errors"
	"runtime"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestMachineChoice: programs run on kerago's machine by default, on the TapeMachine with
// KERAGO_MACHINE=tape, and an unknown value is an error naming the variable; a graph the
// machine refuses runs on the TapeMachine.
func TestMachineChoice(t *testing.T) {
	g := G.NewGraph()
	a := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 2), G.WithName("a"), G.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.Of(tensor.Float32))))
	if _, err := G.Mul(a, a); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		env  string
		want machineKind
	}{{"", machineExec}, {"exec", machineExec}, {"tape", machineTape}} {
		t.Setenv(machineEnv, c.env)
		vm, got, err := newMachine(g)
		if err != nil || got != c.want {
			t.Errorf("%s=%q: machine %q, error %v; want %q", machineEnv, c.env, got, err, c.want)
		}
		if vm != nil {
			vm.Close()
		}
	}
	t.Setenv(machineEnv, "lisp")
	if _, _, err := newMachine(g); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("%s=lisp: error %v, want ErrInvalidArgument", machineEnv, err)
	}
	t.Setenv(machineEnv, "")
	b := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 2), G.WithName("b"), G.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.Of(tensor.Float32))))
	G.Set(a, b) // a statement kerago's machine does not run
	if _, got, err := newMachine(g); err != nil || got != machineTape {
		t.Errorf("graph with Set: machine %q, error %v; want the TapeMachine", got, err)
	}
}

// TestMachineMemoryFlat trains 1000 steps (and predicts after each hundred) on kerago's
// machine: the heap in use after the first hundred and after the thousandth differ by less
// than a megabyte, so nothing a run allocates stays behind.
func TestMachineMemoryFlat(t *testing.T) {
	t.Setenv(machineEnv, "exec")
	in := Input(Shape{32})
	m, err := NewModel(Inputs(in), Outputs(CallOne(&testDense{units: 8}, in)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("adam", "mse"); err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(16, 32), tensor.WithBacking(make([]float32, 16*32)))
	y := tensor.New(tensor.WithShape(16, 8), tensor.WithBacking(make([]float32, 16*8)))
	for i, v := range x.Data().([]float32) {
		x.Data().([]float32)[i] = v + float32(i%7)/7
	}
	heap := func() int64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapInuse)
	}
	var before int64
	for step := 1; step <= 1000; step++ {
		if _, err := m.TrainOnBatch(x, y); err != nil {
			t.Fatal(err)
		}
		if step%100 == 0 {
			if _, err := m.Predict(x, Verbose(0)); err != nil {
				t.Fatal(err)
			}
		}
		if step == 100 {
			before = heap()
		}
	}
	after := heap()
	if after-before > 1<<20 {
		t.Errorf("heap in use grew from %d to %d bytes over 900 steps", before, after)
	}
	p, err := m.programFor(modeTrain, []tensor.Shape{{16, 32}}, m.compiled.trainable, false)
	if err != nil {
		t.Fatal(err)
	}
	defer p.giveBack()
	if p.machine != machineExec {
		t.Errorf("the training program ran on %q, want exec", p.machine)
	}
	t.Logf("heap in use after 100 steps %d, after 1000 %d", before, after)
}
