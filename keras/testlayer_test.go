package keras

import (
	G "gorgonia.org/gorgonia"
)

// testDense is a minimal dense layer for the package's internal tests (package layers
// imports keras, so keras's own tests cannot use it).
type testDense struct {
	LayerBase
	units  int
	kernel *Variable
}

func (l *testDense) ClassName() string { return "Dense" }

func (l *testDense) Build(in []Shape) error {
	if l.name == "" {
		l.Init("Dense", "")
	}
	var err error
	l.kernel, err = l.AddWeight("kernel", Shape{in[0].Last(), l.units}, "glorot_uniform", true)
	return err
}

func (l *testDense) OutputShapes(in []Shape) ([]Shape, error) {
	return []Shape{{in[0][0], l.units}}, nil
}

func (l *testDense) Forward(ctx *Context, in []*G.Node) ([]*G.Node, error) {
	y, err := G.Mul(in[0], ctx.Var(l.kernel))
	return []*G.Node{y}, err
}

func (l *testDense) Config() map[string]any { return map[string]any{"units": l.units} }
