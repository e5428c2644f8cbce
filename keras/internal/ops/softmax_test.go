package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// run builds f on a fresh graph with x as a constant input and returns the output's values
// as float64s.
func run(t *testing.T, x *tensor.Dense, f func(*G.Node) (*G.Node, error)) []float64 {
	t.Helper()
	g := G.NewGraph()
	xn := G.NewTensor(g, x.Dtype(), x.Dims(), G.WithShape(x.Shape()...), G.WithValue(x), G.WithName("x"))
	out, err := f(xn)
	if err != nil {
		t.Fatal(err)
	}
	var v G.Value
	G.Read(out, &v)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return float64s(v.Data())
}

func float64s(d any) []float64 {
	switch d := d.(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	panic("not float data")
}

// tensorOf returns a (rows, cols) tensor of dtype dt holding v.
func tensorOf(dt tensor.Dtype, v []float64, shape ...int) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
}

// offsetRows returns n rows of c logits: small values around an offset per row drawn from
// ±1000, so rows lie far above and below one another (and the batch's first element). It
// also returns each row's offset, for the reference.
func offsetRows(r *rand.Rand, n, c int) (rows, offsets []float64) {
	for range n {
		// An offset representable in float32 keeps the float32 reference exact.
		off := float64(float32((r.Float64()*2 - 1) * 1000))
		offsets = append(offsets, off)
		for range c {
			rows = append(rows, off+r.NormFloat64()*3)
		}
	}
	return rows, offsets
}

// smallParts returns a row as fed in dtype dt, minus its offset: exact in float64.
func smallParts(dt tensor.Dtype, row []float64, off float64) []float64 {
	out := make([]float64, len(row))
	for i, v := range row {
		if dt == tensor.Float32 {
			v = float64(float32(v))
		}
		out[i] = v - off
	}
	return out
}

// referenceSoftmax is softmax of a row of small values, computed naively in float64: the
// row's offset cancels, so the reference never sees it.
func referenceSoftmax(small []float64, log bool) []float64 {
	out := make([]float64, len(small))
	s := 0.0
	for _, v := range small {
		s += math.Exp(v)
	}
	for i, v := range small {
		if log {
			out[i] = v - math.Log(s)
		} else {
			out[i] = math.Exp(v) / s
		}
	}
	return out
}

// The property: a row's softmax does not depend on its batch. Each row of a batch of
// rows far apart (offsets up to ±1000) equals, bit for bit, the row computed alone and in a
// shuffled batch, and matches a float64 reference. Gorgonia's SoftMax and LogSoftMax fail
// this: rows ~88 below the batch's first element come out NaN.
func TestSoftmaxRowsAreIndependent(t *testing.T) {
	const n, c = 17, 6
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, k := range []struct {
			name string
			log  bool
			f    func(*G.Node) (*G.Node, error)
		}{{"softmax", false, Softmax}, {"log_softmax", true, LogSoftmax}} {
			t.Run(k.name+"/"+dt.String(), func(t *testing.T) {
				r := rand.New(rand.NewPCG(1, 2))
				rows, offsets := offsetRows(r, n, c)
				batch := run(t, tensorOf(dt, rows, n, c), k.f)
				perm := r.Perm(n)
				var shuffled []float64
				for _, i := range perm {
					shuffled = append(shuffled, rows[i*c:(i+1)*c]...)
				}
				inShuffled := run(t, tensorOf(dt, shuffled, n, c), k.f)
				tol := 1e-12
				if dt == tensor.Float32 {
					tol = 1e-5
				}
				for i := range n {
					alone := run(t, tensorOf(dt, rows[i*c:(i+1)*c], 1, c), k.f)
					ref := referenceSoftmax(smallParts(dt, rows[i*c:(i+1)*c], offsets[i]), k.log)
					for j := range c {
						got := batch[i*c+j]
						if got != alone[j] {
							t.Fatalf("row %d col %d: %v in the batch, %v alone", i, j, got, alone[j])
						}
						if sj := indexOf(perm, i); inShuffled[sj*c+j] != got {
							t.Fatalf("row %d col %d: %v in the batch, %v in a shuffled batch", i, j, got, inShuffled[sj*c+j])
						}
						scale := 1.0
						if k.log {
							scale = math.Max(1, math.Abs(ref[j]))
						}
						if math.IsNaN(got) || math.Abs(got-ref[j]) > tol*scale {
							t.Fatalf("row %d col %d: %v, reference %v", i, j, got, ref[j])
						}
					}
				}
			})
		}
	}
}

func indexOf(p []int, v int) int {
	for i, x := range p {
		if x == v {
			return i
		}
	}
	return -1
}

// Inputs of rank 1 and 3 are softmaxed over their last axis, every row on its own.
func TestSoftmaxOtherRanks(t *testing.T) {
	for _, c := range []struct {
		x     []float64
		shape []int
		want  []float64
	}{
		{[]float64{0, 0, 1000, 1000, -1000, 0, 3, 3}, []int{2, 2, 2}, []float64{0.5, 0.5, 0.5, 0.5, 0, 1, 0.5, 0.5}},
		{[]float64{-1000, -1000}, []int{2}, []float64{0.5, 0.5}},
	} {
		got := run(t, tensorOf(tensor.Float64, c.x, c.shape...), Softmax)
		for i := range c.want {
			if math.Abs(got[i]-c.want[i]) > 1e-15 {
				t.Fatalf("softmax of %v %v = %v, want %v", c.shape, c.x, got, c.want)
			}
		}
	}
}

// Softmax and LogSoftmax of one node are two nodes: Gorgonia's own SoftMax and LogSoftMax
// hash alike (its issue #569) and the second call returned the first's node.
func TestSoftmaxAndLogSoftmaxStayApart(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(1, 2), G.WithValue(tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{0, 0}))))
	s := G.Must(Softmax(x))
	l := G.Must(LogSoftmax(x))
	if s == l || s.Hashcode() == l.Hashcode() {
		t.Fatalf("softmax and log-softmax share node %v", s)
	}
	if s2 := G.Must(Softmax(x)); s2 != s {
		t.Errorf("softmax of one node twice gave two nodes")
	}
	var sv, lv G.Value
	G.Read(s, &sv)
	G.Read(l, &lv)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if got := sv.Data().([]float64)[0]; got != 0.5 {
		t.Errorf("softmax = %v, want 0.5", got)
	}
	if got := lv.Data().([]float64)[0]; math.Abs(got-math.Log(0.5)) > 1e-15 {
		t.Errorf("log softmax = %v, want log 0.5", got)
	}
}

// Bad inputs get errors that name the op, not panics.
func TestSoftmaxErrors(t *testing.T) {
	g := G.NewGraph()
	s := G.NewScalar(g, tensor.Float64, G.WithName("s"))
	if _, err := Softmax(s); err == nil {
		t.Error("softmax of a scalar: no error")
	}
	z := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("z"))
	y := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 4), G.WithName("y"))
	if _, err := SoftmaxCrossEntropy(z, y); err == nil {
		t.Error("cross-entropy of mismatched shapes: no error")
	}
	v := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("v"))
	if _, err := SoftmaxCrossEntropy(v, v); err == nil {
		t.Error("cross-entropy of a vector: no error")
	}
	y32 := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("y32"))
	if _, err := SoftmaxCrossEntropy(z, y32); err == nil {
		t.Error("cross-entropy of mixed dtypes: no error")
	}
}

// The ops allocate per call, never per row: Gorgonia's kernels allocated for every row, which
// was most of a classifier step's allocations.
func TestOpsDoNotAllocatePerRow(t *testing.T) {
	allocs := func(rows int) []float64 {
		x := tensorOf(tensor.Float32, make([]float64, rows*10), rows, 10)
		y := tensorOf(tensor.Float32, make([]float64, rows*10), rows, 10)
		g := tensorOf(tensor.Float32, make([]float64, rows), rows)
		do := []func(){
			func() { _, _ = newSoftmaxOp(false, 2).Do(x) },
			func() { _, _ = newSoftmaxOp(true, 2).Do(x) },
			func() { _, _ = softmaxGradOp{Base: Base{Inputs: 2}, dims: 2}.Do(x, y) },
			func() { _, _ = newCrossEntropyOp(2).Do(x, y) },
			func() { _, _ = crossEntropyGradOp{Base: Base{Inputs: 3}, dims: 2}.Do(x, y, g) },
		}
		var out []float64
		for _, f := range do {
			out = append(out, testing.AllocsPerRun(20, f))
		}
		return out
	}
	// A per-row allocation would add 500 allocations; the race detector's runtime may add or
	// drop one now and then, which is not what this guards against.
	few, many := allocs(2), allocs(500)
	for i := range few {
		if many[i] > few[i]+2 {
			t.Errorf("op %d: %v allocations for 2 rows, %v for 500", i, few[i], many[i])
		}
	}
}
