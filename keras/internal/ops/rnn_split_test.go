package ops

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// rnnRun builds the op of spec over a masked batch (some samples end early) and the gradients
// of Σ out ⊙ r with respect to x, both kernels and the bias, runs it and returns the output
// and the gradients. With rerun it runs twice, first with another mask (every sample's steps
// all valid but one), so the second run starts from buffers the first left behind.
func rnnRun(t *testing.T, spec RNNSpec, rerun bool) [][]float64 {
	return rnnRunLoss(t, spec, rerun, false)
}

// rnnRunLoss is rnnRun; with finalLoss the loss weighs the final states only (the weights of
// every per-step state are 0), and the output returned is the final states.
func rnnRunLoss(t *testing.T, spec RNNSpec, rerun, finalLoss bool) [][]float64 {
	t.Helper()
	const b, steps, f = 5, 7, 3
	u := spec.Units
	gu := spec.Gates() * u
	g := G.NewGraph()
	param := func(name string, phase float64, shape ...int) *G.Node {
		v := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(convCheckValues(tensor.Shape(shape).TotalSize(), phase)))
		return G.NewTensor(g, tensor.Float64, len(shape), G.WithShape(shape...), G.WithValue(v), G.WithName(name))
	}
	xLeaf := param("x", 0.2, b, steps, f)
	w, rec := param("w", 1.1, f, gu), param("r", 2.3, u, gu)
	bias := param("b", 0.5, gu)
	if spec.Kind == KindGRU && spec.ResetAfter {
		bias = param("b", 0.5, 2, gu)
	}
	maskv := make([]float64, b*steps)
	for i := range maskv {
		if i%steps < steps-i/steps%3 { // some samples end early
			maskv[i] = 1
		}
	}
	mask := G.NewMatrix(g, tensor.Float64, G.WithShape(b, steps), G.WithValue(tensor.New(tensor.WithShape(b, steps), tensor.WithBacking(maskv))), G.WithName("mask"))
	x := G.Must(G.Neg(xLeaf))
	out, err := RNN(spec, x, w, rec, bias, mask, true)
	if err != nil {
		t.Fatal(err)
	}
	rv := convCheckValues(out.Shape().TotalSize(), 0.9)
	seq := out.Shape()[1] - b*u // the per-step part of each state's row
	if finalLoss {
		fin := convCheckValues(spec.States()*b*u, 0.9)
		for k := range spec.States() {
			row := rv[k*(seq+b*u) : (k+1)*(seq+b*u)]
			clear(row[:seq])
			copy(row[seq:], fin[k*b*u:(k+1)*b*u])
		}
	}
	r := G.NewTensor(g, tensor.Float64, 2, G.WithShape(out.Shape()...), G.WithValue(tensor.New(tensor.WithShape(out.Shape()...), tensor.WithBacking(rv))))
	cost := G.Must(G.Sum(G.Must(G.HadamardProd(out, r))))
	grads, err := G.Grad(cost, xLeaf, w, rec, bias)
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]G.Value, 5)
	for i, n := range append(G.Nodes{out}, grads...) {
		G.Read(n, &vals[i])
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if rerun {
		want := append([]float64(nil), maskv...)
		for i := range maskv {
			maskv[i] = 1
			if i%steps == i/steps%steps {
				maskv[i] = 0
			}
		}
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		vm.Reset()
		copy(maskv, want)
	}
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	res := make([][]float64, len(vals))
	for i, v := range vals {
		res[i] = append([]float64(nil), v.Data().([]float64)...)
	}
	if finalLoss {
		var fin []float64
		for k := range spec.States() {
			fin = append(fin, res[0][k*(seq+b*u)+seq:(k+1)*(seq+b*u)]...)
		}
		res[0] = fin
	}
	return res
}

// splitSpecs are the cells the batch-halves test runs: every kind, both GRU variants, both
// directions, sequence outputs zeroed at masked steps or not.
func splitSpecs() map[string]RNNSpec {
	return map[string]RNNSpec{
		"lstm":                  {Kind: KindLSTM, Units: 4, Act: ActTanh, RecAct: ActSigmoid},
		"lstm_backwards":        {Kind: KindLSTM, Units: 4, Act: ActTanh, RecAct: ActSigmoid, GoBackwards: true},
		"lstm_relu_hard":        {Kind: KindLSTM, Units: 3, Act: ActReLU, RecAct: ActHardSigmoid, ZeroMasked: true},
		"gru_reset_after":       {Kind: KindGRU, Units: 4, Act: ActTanh, RecAct: ActSigmoid, ResetAfter: true},
		"gru_reset_after_flip":  {Kind: KindGRU, Units: 4, Act: ActTanh, RecAct: ActSigmoid, ResetAfter: true, GoBackwards: true, FlipOut: true},
		"gru_reset_before":      {Kind: KindGRU, Units: 4, Act: ActTanh, RecAct: ActSigmoid},
		"gru_reset_before_back": {Kind: KindGRU, Units: 3, Act: ActSoftsign, RecAct: ActSigmoid, GoBackwards: true, ZeroMasked: true},
		"simple":                {Kind: KindSimple, Units: 4, Act: ActTanh},
		"simple_backwards":      {Kind: KindSimple, Units: 4, Act: ActTanh, GoBackwards: true},
	}
}

// TestRecurrentBatchHalvesMatchOneRun checks that every recurrent kernel gives the same output
// and gradients, to the bit, with the batch (and with it the input projection) and the
// backward pass's whole-sequence GEMMs split over two goroutines as in one run (an odd batch,
// a mask, both directions; float64).
func TestRecurrentBatchHalvesMatchOneRun(t *testing.T) {
	defer func(v int) { splitMinWork = v }(splitMinWork)
	for name, spec := range splitSpecs() {
		t.Run(name, func(t *testing.T) {
			splitMinWork = math.MaxInt
			one := rnnRun(t, spec, false)
			splitMinWork = 0
			halves := rnnRun(t, spec, false)
			for i, part := range []string{"output", "dx", "dkernel", "drecurrent", "dbias"} {
				for j := range one[i] {
					if one[i][j] != halves[i][j] { // float64: equal to the bit
						t.Fatalf("%s[%d] = %.15g in halves, %.15g in one run", part, j, halves[i][j], one[i][j])
					}
				}
			}
		})
	}
}

// TestRecurrentRerunMatchesFreshRun checks that a recurrent op run a second time, with another
// mask, gives what a fresh op gives: the buffers it keeps from run to run (some not cleared,
// as every element read is written first) carry nothing over.
func TestRecurrentRerunMatchesFreshRun(t *testing.T) {
	for name, spec := range splitSpecs() {
		t.Run(name, func(t *testing.T) {
			fresh, again := rnnRun(t, spec, false), rnnRun(t, spec, true)
			for i, part := range []string{"output", "dx", "dkernel", "drecurrent", "dbias"} {
				for j := range fresh[i] {
					if fresh[i][j] != again[i][j] {
						t.Fatalf("%s[%d] = %.15g on the second run, %.15g on a fresh op", part, j, again[i][j], fresh[i][j])
					}
				}
			}
		})
	}
}

// TestRecurrentFinalOnlyMatchesFull checks that an op with FinalOnly, which outputs the final
// states alone, gives the final states and the gradients of the full op under a loss that
// reads only those.
func TestRecurrentFinalOnlyMatchesFull(t *testing.T) {
	for name, spec := range splitSpecs() {
		t.Run(name, func(t *testing.T) {
			full := rnnRunLoss(t, spec, false, true)
			spec.FinalOnly = true
			final := rnnRunLoss(t, spec, true, true)
			for i, part := range []string{"final states", "dx", "dkernel", "drecurrent", "dbias"} {
				if len(full[i]) != len(final[i]) {
					t.Fatalf("%s: %d values with FinalOnly, %d without", part, len(final[i]), len(full[i]))
				}
				for j := range full[i] {
					if d := math.Abs(full[i][j] - final[i][j]); d > 1e-12*math.Max(1, math.Abs(full[i][j])) {
						t.Fatalf("%s[%d] = %.15g with FinalOnly, %.15g without", part, j, final[i][j], full[i][j])
					}
				}
			}
		})
	}
}
