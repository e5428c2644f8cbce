package kerastest

import (
	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// probe multiplies its input by a weight of the input's shape (batch excluded), initialised to
// ones: it leaves the values alone and gives the gradient check a weight whose gradient is the
// input gradient of the layer that follows, so layers without weights get checked too.
type probe struct {
	keras.LayerBase
	w *keras.Variable
}

func newProbe() *probe {
	p := &probe{}
	p.Init("Probe", "")
	return p
}

func (p *probe) ClassName() string { return "Probe" }

func (p *probe) Build(in []keras.Shape) (err error) {
	p.w, err = p.AddWeight("w", in[0][1:], "ones", true)
	return err
}

func (p *probe) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return []keras.Shape{in[0].Clone()}, nil
}

func (p *probe) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	return o.Result(o.Mul(in[0], o.Var(p.w)))
}

func (p *probe) Config() map[string]any { return map[string]any{} }
