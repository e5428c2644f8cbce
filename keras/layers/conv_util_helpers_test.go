package layers_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"gorgonia.org/tensor"
)

// Test helpers shared by the convolution, pooling and padding layer tests.

// convShapeCase is one row of an output-shape table: a layer called on an input of shape in
// (batch excluded) must give want (batch included, as None) and params weights.
type convShapeCase struct {
	name   string
	in     keras.Shape
	layer  func() caller
	want   keras.Shape
	params int
}

// runConvShapeCases checks static shape inference and the parameter count of each case.
func runConvShapeCases(t *testing.T, cases []convShapeCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := keras.Input(c.in)
			l := c.layer()
			out := l.Call(in)
			if err := out.Err(); err != nil {
				t.Fatal(err)
			}
			if !out.Shape().Equal(c.want) {
				t.Errorf("output shape %v, want %v", out.Shape(), c.want)
			}
			n := 0
			for _, v := range l.(keras.Layer).Variables() {
				n += v.Shape().Size()
			}
			if n != c.params {
				t.Errorf("%d parameters, want %d", n, c.params)
			}
		})
	}
}

// convErrCase is a mistake that NewModel must report: an error wrapping is, naming the
// layer and containing each of the strings in mention.
type convErrCase struct {
	name    string
	in      keras.Shape
	layer   func() caller
	is      error
	mention []string
}

func runConvErrCases(t *testing.T, cases []convErrCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := keras.Input(c.in)
			l := c.layer()
			out := l.Call(in)
			_, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
			if err == nil {
				t.Fatal("NewModel: no error")
			}
			if !errors.Is(err, c.is) {
				t.Errorf("error %q does not wrap %v", err, c.is)
			}
			var le *keras.LayerError
			if !errors.As(err, &le) || le.Layer != l.(keras.Layer).Name() {
				t.Errorf("error %q does not name the layer %s", err, l.(keras.Layer).Name())
			}
			for _, m := range c.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
		})
	}
}

// convWave gives deterministic, irregular values without ties.
func convWave(i int) float64 {
	return math.Sin(0.83*float64(i)+0.4) + 0.011*float64(i%13)
}

// convTargets are regression targets of the given shape.
func convTargets(shape ...int) *tensor.Dense {
	return kerastest.Float64(func(i int) float64 { return 0.3 * math.Cos(0.61*float64(i)) }, shape...)
}

// convCheckModelGradients builds a float64 model from in (shape without batch) through
// build, compiles it with SGD and MSE, and checks every weight's gradient against central
// finite differences on a batch of the given size.
func convCheckModelGradients(t *testing.T, in keras.Shape, batch int, build func(x *keras.Tensor) *keras.Tensor) {
	t.Helper()
	keras.SetRandomSeed(11)
	x := keras.Input(in, keras.DType("float64"))
	out := build(x)
	m, err := keras.NewModel(keras.Inputs(x), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	xs := append([]int{batch}, in...)
	ys := append([]int{batch}, out.Shape()[1:]...)
	kerastest.CheckGradients(t, m, kerastest.Float64(convWave, xs...), convTargets(ys...),
		kerastest.GradCheckOptions{Tol: 1e-6, MaxEntries: 60})
}
