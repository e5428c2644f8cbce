package ops

import (
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestEmbedMatchesByIndices checks the lookup and its table gradient against Gorgonia's
// ByIndices on 2-D ids with repeats, twice with different ids and table (the second run
// reuses the ops' memory, and the gradient must not keep the first run's rows).
func TestEmbedMatchesByIndices(t *testing.T) {
	const v, d, b, n = 7, 3, 2, 5
	table := tensor.New(tensor.WithShape(v, d), tensor.WithBacking(convCheckValues(v*d, 0.2)))
	ids := tensor.New(tensor.WithShape(b, n), tensor.WithBacking([]int{1, 4, 4, 0, 6, 2, 1, 1, 3, 6}))
	side := func(ref bool) (y, grad *G.Value, vm G.VM) {
		g := G.NewGraph()
		tn := G.NewMatrix(g, tensor.Float64, G.WithShape(v, d), G.WithValue(table), G.WithName("table"))
		in := G.NewMatrix(g, tensor.Int, G.WithShape(b, n), G.WithValue(ids), G.WithName("ids"))
		var out *G.Node
		if ref {
			rows := G.Must(G.ByIndices(tn, G.Must(G.Reshape(in, tensor.Shape{b * n})), 0))
			out = G.Must(G.Reshape(rows, tensor.Shape{b, n, d}))
		} else {
			var err error
			if out, err = Embed(tn, in); err != nil {
				t.Fatal(err)
			}
		}
		r := tensor.New(tensor.WithShape(b, n, d), tensor.WithBacking(convCheckValues(b*n*d, 0.6)))
		rn := G.NewTensor(g, tensor.Float64, 3, G.WithShape(b, n, d), G.WithValue(r), G.WithName("r"))
		gs, err := G.Grad(G.Must(G.Sum(G.Must(G.HadamardProd(out, rn)))), tn)
		if err != nil {
			t.Fatal(err)
		}
		y, grad = new(G.Value), new(G.Value)
		G.Read(out, y)
		G.Read(gs[0], grad)
		return y, grad, G.NewTapeMachine(g)
	}
	y, grad, vm := side(false)
	yRef, gradRef, vmRef := side(true)
	defer vm.Close()
	defer vmRef.Close()
	for run := range 2 {
		for _, m := range []G.VM{vm, vmRef} {
			if err := m.RunAll(); err != nil {
				t.Fatal(err)
			}
			m.Reset()
		}
		for _, c := range []struct {
			what      string
			got, want G.Value
		}{{"rows", *y, *yRef}, {"table gradient", *grad, *gradRef}} {
			gs, ws := c.got.Data().([]float64), c.want.Data().([]float64)
			if len(gs) != len(ws) {
				t.Fatalf("run %d: %s has %d values, ByIndices %d", run, c.what, len(gs), len(ws))
			}
			for i := range ws {
				if gs[i] != ws[i] {
					t.Fatalf("run %d: %s[%d] = %g, ByIndices %g", run, c.what, i, gs[i], ws[i])
				}
			}
		}
		copy(ids.Ints(), []int{0, 0, 5, 3, 2, 6, 6, 1, 4, 0})
		copy(table.Float64s(), convCheckValues(v*d, 1.9))
	}
}

// TestEmbedRejectsBadIDs checks that an id outside the vocabulary is an error naming it,
// forward and backward, not a panic; and that a preallocated output is used.
func TestEmbedRejectsBadIDs(t *testing.T) {
	op := &embedOp{Base: Base{Name: "embed", Params: "test", Inputs: 2}, idsDims: 1}
	table := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking(convCheckValues(6, 0.1)))
	if _, err := op.Do(table, tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, 3}))); err == nil || !strings.Contains(err.Error(), "id 3") {
		t.Fatalf("forward with id 3 of 3: error %v", err)
	}
	gop := &embedGradOp{Base: Base{Name: "∂embed", Params: "test", Inputs: 2}, fwd: op, v: 3, d: 2}
	dy := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking(convCheckValues(4, 0.3)))
	if _, err := gop.Do(tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{-1, 0})), dy); err == nil || !strings.Contains(err.Error(), "id -1") {
		t.Fatalf("backward with id -1: error %v", err)
	}
	pre := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(2, 2))
	got, err := op.UsePreallocDo(pre, table, tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{2, 0})))
	if err != nil || got != pre {
		t.Fatalf("UsePreallocDo returned %v, %v; want the preallocated tensor", got, err)
	}
	if want := []float64{table.Float64s()[4], table.Float64s()[5], table.Float64s()[0], table.Float64s()[1]}; pre.Float64s()[0] != want[0] || pre.Float64s()[3] != want[3] {
		t.Fatalf("prealloc = %v, want %v", pre.Float64s(), want)
	}
}
