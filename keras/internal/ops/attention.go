package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// attnKind is one of the three contractions of multi-head dot-product attention. Each is
// Keras's einsum on the heads' layout, (batch, steps, heads, features), so no transpose or
// reshape (and none of the register sharing docs/gorgonia.md describes) sits between the
// projections and the products, and the gradient of each is another of the three:
//
//	scores   Y[b,h,t,s] = Σ_d A[b,t,h,d]·C[b,s,h,d]   (Keras's "aecd,abcd->acbe" on key, query)
//	combine  Y[b,t,h,e] = Σ_s P[b,h,t,s]·V[b,s,h,e]   (Keras's "acbe,aecd->abcd")
//	combineT Y[b,s,h,e] = Σ_t P[b,h,t,s]·X[b,t,h,e]   (the gradients' transposed combine)
type attnKind int

const (
	attnScores attnKind = iota
	attnCombine
	attnCombineT
)

var attnNames = [...]string{"attention_scores", "attention_combine", "attention_combine_t"}

// attentionOp is one attnKind on operands of fixed shapes, with the gradient of each operand
// built from the other kinds (SymDiff), so every backward op reads its inputs and writes a
// new tensor only.
type attentionOp struct {
	Base
	kind    attnKind
	a, c    tensor.Shape
	b, h    int // batch, heads
	t, s, f int // query steps, key steps, features contracted or kept
}

var _ G.SDOp = attentionOp{}

// AttentionScores returns, for q of shape (batch, T, heads, d) and k of shape (batch, S, heads,
// d), the dot products of every query step with every key step, head by head, shaped
// (batch, heads, T, S): Keras's einsum("aecd,abcd->acbe", key, query).
func AttentionScores(q, k *G.Node) (*G.Node, error) { return applyAttention(attnScores, q, k) }

// AttentionCombine returns, for weights p of shape (batch, heads, T, S) and v of shape
// (batch, S, heads, e), the weighted sums of v's steps for every query step, shaped
// (batch, T, heads, e): Keras's einsum("acbe,aecd->abcd", p, value).
func AttentionCombine(p, v *G.Node) (*G.Node, error) { return applyAttention(attnCombine, p, v) }

func applyAttention(kind attnKind, x, y *G.Node) (*G.Node, error) {
	op, err := newAttentionOp(kind, x.Shape(), y.Shape())
	if err != nil {
		return nil, err
	}
	if x.Dtype() != y.Dtype() || (x.Dtype() != tensor.Float32 && x.Dtype() != tensor.Float64) {
		return nil, fmt.Errorf("%s: operands %v and %v, want float32 or float64 of one dtype", attnNames[kind], x.Dtype(), y.Dtype())
	}
	out, err := G.ApplyOp(op, x, y)
	if err != nil {
		return nil, fmt.Errorf("%s of %v and %v: %w", attnNames[kind], x.Shape(), y.Shape(), err)
	}
	return out, nil
}

// newAttentionOp checks the operands' shapes for kind and reads the sizes from them.
func newAttentionOp(kind attnKind, a, c tensor.Shape) (attentionOp, error) {
	op := attentionOp{kind: kind, a: a.Clone(), c: c.Clone()}
	bad := len(a) != 4 || len(c) != 4 || a[0] != c[0]
	if !bad {
		switch kind {
		case attnScores: // a (b,t,h,d), c (b,s,h,d)
			op.b, op.t, op.h, op.f, op.s = a[0], a[1], a[2], a[3], c[1]
			bad = c[2] != op.h || c[3] != op.f
		case attnCombine: // a (b,h,t,s), c (b,s,h,e)
			op.b, op.h, op.t, op.s, op.f = a[0], a[1], a[2], a[3], c[3]
			bad = c[1] != op.s || c[2] != op.h
		default: // a (b,h,t,s), c (b,t,h,e)
			op.b, op.h, op.t, op.s, op.f = a[0], a[1], a[2], a[3], c[3]
			bad = c[1] != op.t || c[2] != op.h
		}
	}
	if bad {
		return op, fmt.Errorf("%s: operand shapes %v and %v do not fit (want rank 4, one batch and head count)", attnNames[kind], a, c)
	}
	op.Base = Base{Name: attnNames[kind], Params: fmt.Sprintf("a=%v,c=%v", []int(a), []int(c)), Inputs: 2}
	return op, nil
}

// out is the result's shape.
func (op attentionOp) out() tensor.Shape {
	switch op.kind {
	case attnScores:
		return tensor.Shape{op.b, op.h, op.t, op.s}
	case attnCombine:
		return tensor.Shape{op.b, op.t, op.h, op.f}
	default:
		return tensor.Shape{op.b, op.s, op.h, op.f}
	}
}

// Type returns a → a → a over rank-4 tensors of one element type.
func (op attentionOp) Type() hm.Type {
	t := tensorType(4, hm.TypeVariable('a'))
	return hm.NewFnType(t, t, t)
}

// DiffWRT: differentiable with respect to both operands.
func (attentionOp) DiffWRT(int) []bool { return []bool{true, true} }

// InferShape returns the result's shape.
func (op attentionOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.out(), nil }

// Do computes the contraction into a new tensor.
func (op attentionOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	a, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	c, err := dense(op, in[1])
	if err != nil {
		return nil, err
	}
	if !a.Shape().Eq(op.a) || !c.Shape().Eq(op.c) || a.Dtype() != c.Dtype() {
		return nil, fmt.Errorf("%v: operands %v %v and %v %v, built for %v and %v", op, a.Dtype(), a.Shape(), c.Dtype(), c.Shape(), op.a, op.c)
	}
	out := tensor.New(tensor.Of(a.Dtype()), tensor.WithShape(op.out()...))
	if a.Dtype() == tensor.Float32 {
		attention(op, data[float32](a), data[float32](c), data[float32](out))
	} else {
		attention(op, data[float64](a), data[float64](c), data[float64](out))
	}
	return out, nil
}

// attention runs op's contraction; sums are taken in float64 for either dtype.
func attention[T float](op attentionOp, a, c, out []T) {
	B, H, Tq, S, F := op.b, op.h, op.t, op.s, op.f
	// offsets into the (batch, steps, heads, features) and (batch, heads, T, S) layouts
	bthf := func(b, t, h, n int) int { return ((b*n+t)*H + h) * F }
	bhts := func(b, h, t int) int { return ((b*H+h)*Tq + t) * S }
	for b := 0; b < B; b++ {
		for h := 0; h < H; h++ {
			switch op.kind {
			case attnScores:
				for t := 0; t < Tq; t++ {
					q := a[bthf(b, t, h, Tq):][:F]
					row := out[bhts(b, h, t):][:S]
					for s := range row {
						k := c[bthf(b, s, h, S):][:F]
						var sum float64
						for d, v := range q {
							sum += float64(v) * float64(k[d])
						}
						row[s] = T(sum)
					}
				}
			case attnCombine:
				for t := 0; t < Tq; t++ {
					p := a[bhts(b, h, t):][:S]
					y := out[bthf(b, t, h, Tq):][:F]
					for e := range y {
						var sum float64
						for s, w := range p {
							sum += float64(w) * float64(c[bthf(b, s, h, S)+e])
						}
						y[e] = T(sum)
					}
				}
			default:
				for s := 0; s < S; s++ {
					y := out[bthf(b, s, h, S):][:F]
					for e := range y {
						var sum float64
						for t := 0; t < Tq; t++ {
							sum += float64(a[bhts(b, h, t)+s]) * float64(c[bthf(b, t, h, Tq)+e])
						}
						y[e] = T(sum)
					}
				}
			}
		}
	}
}

// SymDiff returns both operands' gradients, each one of the three contractions of the
// output's gradient g with the other operand.
func (op attentionOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	x, y := in[0], in[1]
	var da, dc *G.Node
	var err error
	switch op.kind {
	case attnScores: // Y = scores(Q, K): dQ = combine(g, K), dK = combineT(g, Q)
		if da, err = applyAttention(attnCombine, g, y); err == nil {
			dc, err = applyAttention(attnCombineT, g, x)
		}
	case attnCombine: // Y = combine(P, V): dP = scores(g, V), dV = combineT(P, g)
		if da, err = applyAttention(attnScores, g, y); err == nil {
			dc, err = applyAttention(attnCombineT, x, g)
		}
	default: // Y = combineT(P, X): dP = scores(X, g), dX = combine(P, g)
		if da, err = applyAttention(attnScores, y, g); err == nil {
			dc, err = applyAttention(attnCombine, x, g)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%v: gradient: %w", op, err)
	}
	return G.Nodes{da, dc}, nil
}
