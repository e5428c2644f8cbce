package exec

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// collidingDifference builds w270175 − w1248870 over two float64 leaves of 3 whose 32-bit
// Gorgonia hashes are equal (found by trying names w0, w1, …; AddNode keeps both, as their
// names differ), with values 1 and 2, and reads the difference into v.
func collidingDifference(t *testing.T) (*G.ExprGraph, *G.Value) {
	g := G.NewGraph()
	a := G.NewTensor(g, tensor.Float64, 1, G.WithShape(3), G.WithName("w270175"), G.WithValue(tensor.New(tensor.WithBacking([]float64{1, 1, 1}))))
	b := G.NewTensor(g, tensor.Float64, 1, G.WithShape(3), G.WithName("w1248870"), G.WithValue(tensor.New(tensor.WithBacking([]float64{2, 2, 2}))))
	if a == b || a.Hashcode() != b.Hashcode() {
		t.Fatalf("the leaves: one node %v, hashes %x and %x", a == b, a.Hashcode(), b.Hashcode())
	}
	d, err := G.Sub(a, b)
	if err != nil {
		t.Fatal(err)
	}
	v := new(G.Value)
	G.Read(d, v)
	return g, v
}

// TestMachineKeepsNodesWhoseHashesCollide: the TapeMachine's compiler numbers values by the
// 32-bit hash alone (analyze, dataflow.vn), so two different leaves that hash alike are one
// value there and a − b is 0; kerago's machine runs every node and gives −1.
func TestMachineKeepsNodesWhoseHashesCollide(t *testing.T) {
	g, v := collidingDifference(t)
	m, err := New(g)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	if got := (*v).Data().([]float64); got[0] != -1 {
		t.Errorf("a − b = %v on kerago's machine, want −1", got)
	}

	g, v = collidingDifference(t)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if got := (*v).Data().([]float64); got[0] != 0 {
		t.Errorf("a − b = %v on the TapeMachine: it no longer merges leaves by hash; update docs/gorgonia.md", got)
	}
}
