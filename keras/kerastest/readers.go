package kerastest

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/kerago/kerago/keras"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The layers CheckKeepsInputs puts around the layer under test.

// reader returns its first n inputs plus 0·Σ of its other (float) inputs: the same values,
// computed after the layer whose outputs the other inputs are. stop passes no gradient to
// the other inputs.
type reader struct {
	keras.LayerBase
	n    int
	stop bool
}

func newReader(n int, stop bool) *reader {
	r := &reader{n: n, stop: stop}
	r.Init("InputReader", "")
	return r
}

func (r *reader) ClassName() string         { return "InputReader" }
func (r *reader) Build([]keras.Shape) error { return nil }
func (r *reader) Config() map[string]any    { return map[string]any{"n": r.n} }

func (r *reader) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	out := make([]keras.Shape, r.n)
	for i := range out {
		out[i] = in[i].Clone()
	}
	return out, nil
}

func (r *reader) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	var s *G.Node
	for _, y := range in[r.n:] {
		if dt := y.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
			continue
		}
		if dt := y.Dtype(); dt != ctx.FloatDType() {
			continue
		}
		t := o.SumAll(y)
		if s == nil {
			s = t
		} else {
			s = o.Add(s, t)
		}
	}
	if s == nil {
		return nil, fmt.Errorf("kerastest: the layer has no float output to read after")
	}
	if r.stop && o.Err() == nil {
		var err error
		if s, err = G.ApplyOp(stopGradient{internalops.Base{Name: "kerastest.stop_gradient", Inputs: 1}}, s); err != nil {
			return nil, err
		}
	}
	zero := o.Scale(s, 0)
	out := make([]*G.Node, r.n)
	for i, x := range in[:r.n] {
		y, err := G.Add(x, zero)
		if err != nil {
			return nil, err
		}
		out[i] = y
	}
	return o.Result(out...)
}

// stopGradient passes a scalar through and no gradient back, so that the readers of a layer
// without gradients (token ids) can be part of a training graph.
type stopGradient struct{ internalops.Base }

func (stopGradient) Type() hm.Type {
	return hm.NewFnType(hm.TypeVariable('a'), hm.TypeVariable('a'))
}

func (stopGradient) InferShape(...G.DimSizer) (tensor.Shape, error) { return tensor.ScalarShape(), nil }

func (stopGradient) Do(in ...G.Value) (G.Value, error) { return G.CloneValue(in[0]) }

func (stopGradient) DiffWRT(int) []bool { return []bool{false} }

func (stopGradient) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("kerastest: stop_gradient has no gradient")
}

// shift returns x + 1 with Gorgonia's addition, which the tape machine runs in place over x
// when nothing reads x afterwards.
type shift struct{ keras.LayerBase }

func newShift() *shift {
	l := &shift{}
	l.Init("InPlaceShift", "")
	return l
}

func (l *shift) ClassName() string         { return "InPlaceShift" }
func (l *shift) Build([]keras.Shape) error { return nil }
func (l *shift) Config() map[string]any    { return map[string]any{} }

func (l *shift) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return []keras.Shape{in[0].Clone()}, nil
}

func (l *shift) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	y, err := G.Add(in[0], ctx.Constant(1))
	if err != nil {
		return nil, err
	}
	return []*G.Node{y}, nil
}
