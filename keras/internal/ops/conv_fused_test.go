package ops

import (
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// convFusedCase is one window and input the fused convolution is checked on.
type convFusedCase struct {
	name  string
	x     []int // input shape: 3-D for a 1-D window
	w     Window
	f     int
	bias  bool
	act   DenseAct
	leafX bool // x fed directly: the op computes no dX
}

// convPair is the fused op and the same convolution composed from Im2col, reshapes and the
// fused Dense op (whose gradients TestDenseMatchesReference checks), each in a float64 graph
// of its own over the same input tensors, with the cost Σ y ⊙ R and its gradients.
type convPair struct {
	x, k, b         *tensor.Dense
	y, yRef         G.Value
	grads, gradsRef []G.Value
	vms             []G.VM
}

func newConvPair(t *testing.T, c convFusedCase) *convPair {
	t.Helper()
	p := &convPair{}
	n := tensor.Shape(c.x).TotalSize()
	p.x = tensor.New(tensor.WithShape(c.x...), tensor.WithBacking(convCheckValues(n, 0.1)))
	ch := c.x[len(c.x)-1]
	kShape := []int{c.w.KH, c.w.KW, ch, c.f}
	if len(c.x) == 3 {
		kShape = []int{c.w.KW, ch, c.f}
	}
	p.k = tensor.New(tensor.WithShape(kShape...), tensor.WithBacking(convCheckValues(tensor.Shape(kShape).TotalSize(), 0.4)))
	p.b = tensor.New(tensor.WithShape(c.f), tensor.WithBacking(convCheckValues(c.f, 0.9)))
	side := func(ref bool, y *G.Value, grads *[]G.Value) {
		g := G.NewGraph()
		xn := G.NewTensor(g, tensor.Float64, len(c.x), G.WithShape(c.x...), G.WithValue(p.x), G.WithName("x"))
		kn := G.NewTensor(g, tensor.Float64, len(kShape), G.WithShape(kShape...), G.WithValue(p.k), G.WithName("k"))
		var bn *G.Node
		if c.bias {
			bn = G.NewVector(g, tensor.Float64, G.WithShape(c.f), G.WithValue(p.b), G.WithName("b"))
		}
		x := xn
		if !c.leafX {
			x = G.Must(G.Neg(xn))
		}
		var out *G.Node
		var err error
		if ref {
			b, h, wd := c.x[0], 1, c.x[1]
			if len(c.x) == 4 {
				h, wd = c.x[1], c.x[2]
			}
			cols := G.Must(Im2col(G.Must(G.Reshape(x, tensor.Shape{b, h, wd, ch})), c.w))
			oh, ow := c.w.Out(h, wd)
			kk := c.w.KH * c.w.KW * ch
			out, err = Dense(G.Must(G.Reshape(cols, tensor.Shape{b * oh * ow, kk})), G.Must(G.Reshape(kn, tensor.Shape{kk, c.f})), bn, c.act)
			if err == nil {
				shape := tensor.Shape{b, ow, c.f}
				if len(c.x) == 4 {
					shape = tensor.Shape{b, oh, ow, c.f}
				}
				out, err = G.Reshape(out, shape)
			}
		} else {
			out, err = Conv(x, kn, bn, c.w, c.act)
		}
		if err != nil {
			t.Fatal(err)
		}
		r := tensor.New(tensor.WithShape(out.Shape()...), tensor.WithBacking(convCheckValues(out.Shape().TotalSize(), 0.7)))
		rn := G.NewTensor(g, tensor.Float64, out.Dims(), G.WithShape(out.Shape()...), G.WithValue(r), G.WithName("r"))
		wrt := G.Nodes{kn}
		if !c.leafX {
			wrt = append(wrt, xn)
		}
		if c.bias {
			wrt = append(wrt, bn)
		}
		cost := G.Must(G.Sum(G.Must(G.HadamardProd(out, rn))))
		gs, err := G.Grad(cost, wrt...)
		if err != nil {
			t.Fatal(err)
		}
		G.Read(out, y)
		*grads = make([]G.Value, len(gs))
		for i := range gs {
			G.Read(gs[i], &(*grads)[i])
		}
		p.vms = append(p.vms, G.NewTapeMachine(g))
	}
	side(false, &p.y, &p.grads)
	side(true, &p.yRef, &p.gradsRef)
	return p
}

func (p *convPair) close() {
	for _, vm := range p.vms {
		vm.Close()
	}
}

// compare runs both graphs and checks the fused op's output and gradients against the
// reference's.
func (p *convPair) compare(t *testing.T) {
	t.Helper()
	for _, vm := range p.vms {
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		defer vm.Reset()
	}
	check := func(what string, got, want G.Value) {
		t.Helper()
		g, w := got.Data().([]float64), want.Data().([]float64)
		if len(g) != len(w) {
			t.Fatalf("%s: %d values, reference %d", what, len(g), len(w))
		}
		for i := range g {
			if math.Abs(g[i]-w[i]) > 1e-12*math.Max(1, math.Abs(w[i])) {
				t.Fatalf("%s[%d] = %.15g, reference %.15g", what, i, g[i], w[i])
			}
		}
	}
	check("y", p.y, p.yRef)
	for i := range p.grads {
		check(fmt.Sprintf("gradient %d", i), p.grads[i], p.gradsRef[i])
	}
}

// TestConvMatchesComposition checks the fused convolution (1-D on a 3-D input, 2-D, padded,
// strided, dilated, 1×1, each activation, with and without bias, with and without dX) against
// im2col followed by the Dense op, twice with different inputs: the second run reuses the
// op's kept patches and gradients.
func TestConvMatchesComposition(t *testing.T) {
	one := Window{KH: 1, KW: 1, SH: 1, SW: 1, DH: 1, DW: 1}
	cases := []convFusedCase{
		{name: "1d_valid_relu", x: []int{2, 9, 3}, w: Window{KH: 1, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1}, f: 4, bias: true, act: DenseRelu},
		{name: "1d_causal_dilated_tanh", x: []int{2, 7, 2}, w: Window{KH: 1, KW: 2, SH: 1, SW: 1, DH: 1, DW: 3, Left: 3}, f: 3, bias: true, act: DenseTanh},
		{name: "1d_strided_leaf_nobias", x: []int{3, 10, 2}, w: Window{KH: 1, KW: 4, SH: 1, SW: 3, DH: 1, DW: 1}, f: 2, act: DenseLinear, leafX: true},
		{name: "2d_same_relu", x: []int{2, 5, 6, 3}, w: Window{KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, Top: 1, Bottom: 1, Left: 1, Right: 1}, f: 4, bias: true, act: DenseRelu},
		{name: "2d_strided_asym_linear", x: []int{2, 6, 5, 2}, w: Window{KH: 2, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, Bottom: 1, Left: 1, Right: 1}, f: 3, bias: true, act: DenseLinear},
		{name: "2d_1x1_tanh", x: []int{2, 3, 4, 5}, w: one, f: 3, bias: true, act: DenseTanh},
		{name: "2d_leaf_relu", x: []int{1, 4, 4, 2}, w: Window{KH: 2, KW: 2, SH: 1, SW: 1, DH: 1, DW: 1}, f: 2, bias: true, act: DenseRelu, leafX: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newConvPair(t, c)
			defer p.close()
			p.compare(t)
			// New numbers in the same tensors: the op must not serve the last run's.
			for i, v := range convCheckValues(len(p.x.Float64s()), 2.5) {
				p.x.Float64s()[i] = v
			}
			for i, v := range convCheckValues(len(p.k.Float64s()), 1.7) {
				p.k.Float64s()[i] = v
			}
			p.compare(t)
		})
	}
}

// TestConvInputGradient checks the fused op's dX against finite differences on its own, for
// a padded 2-D window with relu off its kink (tanh is smooth).
func TestConvInputGradient(t *testing.T) {
	w := Window{KH: 3, KW: 2, SH: 2, SW: 1, DH: 1, DW: 1, Top: 1, Bottom: 1, Right: 1}
	convCheckInputGradient(t, []int{2, 5, 4, 3}, func(x *G.Node) (*G.Node, error) {
		k := G.NewTensor(x.Graph(), tensor.Float64, 4, G.WithShape(3, 2, 3, 2), G.WithValue(tensor.New(tensor.WithShape(3, 2, 3, 2), tensor.WithBacking(convCheckValues(36, 0.2)))))
		return Conv(G.Must(G.Neg(x)), k, nil, w, DenseTanh)
	})
}

// TestConvPrealloc checks that UsePreallocDo writes the convolution into the tensor given,
// with the same numbers as Do, and refuses one of the wrong shape.
func TestConvPrealloc(t *testing.T) {
	w := Window{KH: 1, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, Left: 1, Right: 1}
	op := &convOp{Base: Base{Name: "conv", Params: "test", Inputs: 3}, w: w, act: DenseRelu, xDims: 3, kDims: 3, hasBias: true}
	x := tensor.New(tensor.WithShape(2, 5, 3), tensor.WithBacking(convCheckValues(30, 0.3)))
	k := tensor.New(tensor.WithShape(3, 3, 4), tensor.WithBacking(convCheckValues(36, 0.6)))
	b := tensor.New(tensor.WithShape(4), tensor.WithBacking(convCheckValues(4, 0.8)))
	want, err := op.Do(x, k, b)
	if err != nil {
		t.Fatal(err)
	}
	wantData := append([]float64(nil), want.Data().([]float64)...)
	pre := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(2, 5, 4))
	got, err := op.UsePreallocDo(pre, x, k, b)
	if err != nil {
		t.Fatal(err)
	}
	if got != pre {
		t.Fatal("UsePreallocDo did not return the preallocated tensor")
	}
	for i, v := range pre.Float64s() {
		if v != wantData[i] {
			t.Fatalf("prealloc[%d] = %g, Do gave %g", i, v, wantData[i])
		}
	}
	if _, err := op.UsePreallocDo(tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(2, 4, 4)), x, k, b); err == nil {
		t.Fatal("a preallocated output of the wrong shape was accepted")
	}
}
