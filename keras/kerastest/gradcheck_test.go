package kerastest_test

import (
	"math"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	G "gorgonia.org/gorgonia"
)

// invSqrtLayer computes 1/sqrt(x² + 1) with Gorgonia's InverseSqrt op, whose gradient is wrong
// in v0.9.18 (docs/gorgonia.md), or with Inverse(Sqrt(.)), whose gradient is right.
type invSqrtLayer struct {
	keras.LayerBase
	broken bool
}

func newInvSqrt(broken bool) *invSqrtLayer {
	l := &invSqrtLayer{broken: broken}
	l.Init("InvSqrt", "")
	return l
}

func (l *invSqrtLayer) ClassName() string                      { return "InvSqrt" }
func (l *invSqrtLayer) Build([]keras.Shape) error              { return nil }
func (l *invSqrtLayer) Config() map[string]any                 { return map[string]any{} }
func (l *invSqrtLayer) Call(in ...*keras.Tensor) *keras.Tensor { return keras.CallOne(l, in...) }
func (l *invSqrtLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return []keras.Shape{in[0].Clone()}, nil
}

func (l *invSqrtLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	sq, err := G.Square(in[0])
	if err != nil {
		return nil, err
	}
	s, err := G.Add(sq, ctx.Constant(1))
	if err != nil {
		return nil, err
	}
	var y *G.Node
	if l.broken {
		y, err = G.InverseSqrt(s)
	} else {
		if s, err = G.Sqrt(s); err == nil {
			y, err = G.Inverse(s)
		}
	}
	return []*G.Node{y}, err
}

func model(t *testing.T, broken bool) *keras.Model {
	t.Helper()
	in := keras.Input(keras.Shape{3}, keras.DType("float64"))
	out := layers.Dense(2).Call(newInvSqrt(broken).Call(layers.Dense(3).Call(in)))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	return m
}

// The check passes a correct gradient and catches a wrong one: Gorgonia's InverseSqrt.
func TestCheckGradientsCatchesAWrongGradient(t *testing.T) {
	keras.SetRandomSeed(1)
	x := kerastest.Float64(func(i int) float64 { return math.Sin(float64(i)) }, 4, 3)
	y := kerastest.Float64(func(i int) float64 { return math.Cos(float64(i)) }, 4, 2)
	if err := kerastest.GradientError(model(t, false), x, y, kerastest.GradCheckOptions{}); err != nil {
		t.Errorf("correct gradient rejected: %v", err)
	}
	err := kerastest.GradientError(model(t, true), x, y, kerastest.GradCheckOptions{})
	if err == nil || !strings.Contains(err.Error(), "finite differences") {
		t.Errorf("InverseSqrt's wrong gradient was not caught: %v", err)
	}
}
