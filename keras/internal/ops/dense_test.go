package ops

import (
	"math"
	"runtime"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// denseRef computes act(x·w + b) and, for the cost Σ y ⊙ r, the gradients of x, w and b by
// plain loops in float64: the reference the fused op is checked against.
func denseRef(x, w, b, r []float64, rows, in, units int, act DenseAct) (y, dx, dw, db []float64) {
	y = make([]float64, rows*units)
	dz := make([]float64, rows*units)
	for i := range rows {
		for j := range units {
			s := b[j]
			for k := range in {
				s += x[i*in+k] * w[k*units+j]
			}
			d := r[i*units+j]
			switch act {
			case DenseRelu:
				if s <= 0 {
					s, d = 0, 0
				}
			case DenseTanh:
				s = math.Tanh(s)
				d *= 1 - s*s
			}
			y[i*units+j], dz[i*units+j] = s, d
		}
	}
	dx, dw, db = make([]float64, rows*in), make([]float64, in*units), make([]float64, units)
	for i := range rows {
		for j := range units {
			d := dz[i*units+j]
			db[j] += d
			for k := range in {
				dw[k*units+j] += x[i*in+k] * d
				dx[i*in+k] += d * w[k*units+j]
			}
		}
	}
	return y, dx, dw, db
}

// TestDenseMatchesReference runs the fused op and its gradients in a float64 graph on a rank-3
// input, twice with different inputs (the second run reuses the op's memory), against
// denseRef.
func TestDenseMatchesReference(t *testing.T) {
	const b0, b1, in, units = 2, 3, 4, 5
	rows := b0 * b1
	for _, act := range []DenseAct{DenseLinear, DenseRelu, DenseTanh} {
		t.Run(act.String(), func(t *testing.T) {
			g := G.NewGraph()
			xv := tensor.New(tensor.WithShape(b0, b1, in), tensor.WithBacking(convCheckValues(rows*in, 0.1)))
			wv := tensor.New(tensor.WithShape(in, units), tensor.WithBacking(convCheckValues(in*units, 1.3)))
			bv := tensor.New(tensor.WithShape(units), tensor.WithBacking(convCheckValues(units, 2.9)))
			rv := tensor.New(tensor.WithShape(b0, b1, units), tensor.WithBacking(convCheckValues(rows*units, 0.7)))
			xLeaf := G.NewTensor(g, tensor.Float64, 3, G.WithShape(b0, b1, in), G.WithValue(xv), G.WithName("x"))
			w := G.NewMatrix(g, tensor.Float64, G.WithShape(in, units), G.WithValue(wv), G.WithName("w"))
			b := G.NewVector(g, tensor.Float64, G.WithShape(units), G.WithValue(bv), G.WithName("b"))
			r := G.NewTensor(g, tensor.Float64, 3, G.WithShape(b0, b1, units), G.WithValue(rv), G.WithName("r"))
			x := G.Must(G.Neg(xLeaf)) // computed, so the op computes dX too
			y, err := Dense(x, w, b, act)
			if err != nil {
				t.Fatal(err)
			}
			cost := G.Must(G.Sum(G.Must(G.HadamardProd(y, r))))
			grads, err := G.Grad(cost, xLeaf, w, b)
			if err != nil {
				t.Fatal(err)
			}
			var yV, dxV, dwV, dbV G.Value
			G.Read(y, &yV)
			G.Read(grads[0], &dxV)
			G.Read(grads[1], &dwV)
			G.Read(grads[2], &dbV)
			vm := G.NewTapeMachine(g)
			defer vm.Close()
			for run := range 2 {
				if run == 1 { // new numbers in the same graph
					copy(xv.Float64s(), convCheckValues(rows*in, 4.2))
					copy(wv.Float64s(), convCheckValues(in*units, 5.1))
				}
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				vm.Reset()
				negX := append([]float64(nil), xv.Float64s()...)
				for i := range negX {
					negX[i] = -negX[i]
				}
				wantY, wantDX, wantDW, wantDB := denseRef(negX, wv.Float64s(), bv.Float64s(), rv.Float64s(), rows, in, units, act)
				for i := range wantDX {
					wantDX[i] = -wantDX[i] // through the Neg
				}
				for _, c := range []struct {
					name      string
					got       G.Value
					want      []float64
					wantShape tensor.Shape
				}{
					{"y", yV, wantY, tensor.Shape{b0, b1, units}},
					{"dx", dxV, wantDX, tensor.Shape{b0, b1, in}},
					{"dw", dwV, wantDW, tensor.Shape{in, units}},
					{"db", dbV, wantDB, tensor.Shape{units}},
				} {
					if !c.got.Shape().Eq(c.wantShape) {
						t.Fatalf("run %d: %s has shape %v, want %v", run, c.name, c.got.Shape(), c.wantShape)
					}
					got := c.got.Data().([]float64)
					for i, want := range c.want {
						if math.Abs(got[i]-want) > 1e-12*math.Max(1, math.Abs(want)) {
							t.Fatalf("run %d: %s[%d] = %.15g, want %.15g", run, c.name, i, got[i], want)
						}
					}
				}
			}
		})
	}
}

// TestDenseInputGradient checks dX against finite differences, with and without a bias.
func TestDenseInputGradient(t *testing.T) {
	w := tensor.New(tensor.WithShape(6, 3), tensor.WithBacking(convCheckValues(18, 1.1)))
	bias := tensor.New(tensor.WithShape(3), tensor.WithBacking(convCheckValues(3, 0.4)))
	for _, act := range []DenseAct{DenseLinear, DenseRelu, DenseTanh} {
		for _, withBias := range []bool{true, false} {
			convCheckInputGradient(t, []int{4, 6}, func(x *G.Node) (*G.Node, error) {
				g := x.Graph()
				wn := G.NewMatrix(g, tensor.Float64, G.WithShape(6, 3), G.WithValue(w))
				var bn *G.Node
				if withBias {
					bn = G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithValue(bias))
				}
				nx, err := G.Neg(x)
				if err != nil {
					return nil, err
				}
				return Dense(nx, wn, bn, act)
			})
		}
	}
}

// TestDenseReusesItsMemory checks that a second run of the op writes into the memory of the
// first: a training step allocates no new output (only tensor headers, a few hundred bytes
// whatever the size).
func TestDenseReusesItsMemory(t *testing.T) {
	const rows, in, units = 512, 4, 64
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(rows, in), G.WithInit(G.RangedFrom(0)))
	w := G.NewMatrix(g, tensor.Float32, G.WithShape(in, units), G.WithInit(G.RangedFrom(1)))
	y, err := Dense(x, w, nil, DenseRelu)
	if err != nil {
		t.Fatal(err)
	}
	op := y.Op().(*denseOp)
	v1, err := op.Do(x.Value(), w.Value())
	if err != nil {
		t.Fatal(err)
	}
	v2, err := op.Do(x.Value(), w.Value())
	if err != nil {
		t.Fatal(err)
	}
	d1, d2 := v1.Data().([]float32), v2.Data().([]float32)
	if &d1[0] != &d2[0] {
		t.Error("the second run allocated a new output")
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const runs = 20
	for range runs {
		if _, err := op.Do(x.Value(), w.Value()); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if perRun := (after.TotalAlloc - before.TotalAlloc) / runs; perRun > 4096 {
		t.Errorf("a run allocates %d bytes; the output alone is %d", perRun, rows*units*4)
	}
}

// TestDenseErrors checks that bad operands are errors naming the problem, not panics.
func TestDenseErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 4))
	w := G.NewMatrix(g, tensor.Float32, G.WithShape(5, 3))
	w64 := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 3))
	b := G.NewVector(g, tensor.Float32, G.WithShape(2))
	vec := G.NewVector(g, tensor.Float32, G.WithShape(4))
	w4 := G.NewMatrix(g, tensor.Float32, G.WithShape(4, 3))
	for _, c := range []struct {
		name    string
		x, w, b *G.Node
		want    string
	}{
		{"features", x, w, nil, "kernel (5, 3)"},
		{"dtype", x, w64, nil, "one dtype"},
		{"bias", x, w4, b, "bias shape (2)"},
		{"rank", vec, w4, nil, "want x (…, in)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Dense(c.x, c.w, c.b, DenseLinear)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	// Values of the wrong shape at run time are the op's error too.
	y, err := Dense(x, w4, nil, DenseLinear)
	if err != nil {
		t.Fatal(err)
	}
	bad := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(2, 5))
	if _, err := y.Op().(*denseOp).Do(bad, tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(4, 3))); err == nil {
		t.Fatal("a (2, 5) x with a (4, 3) kernel ran")
	}
}
