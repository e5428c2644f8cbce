package layers_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

func TestDropout(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.Dropout(0.4) },
		InputShapes:  []keras.Shape{{3, 2}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2}},
		BadInputs:    [][]keras.Shape{{{3, 2}, {3, 2}}},
		NoGradients:  "the training loss depends on a fresh random mask every step",
	})
}

// TestDropoutTrainingScales: in the training graph, a fraction rate of the entries is zeroed
// and the rest scaled by 1/(1-rate), so the mean of (dropout(1))² over many entries is
// 1/(1-rate); at inference the layer is the identity (the kit's saving check predicts).
func TestDropoutTrainingScales(t *testing.T) {
	keras.SetRandomSeed(3)
	const n, rate = 4000, 0.5
	in := keras.Input(keras.Shape{n}, keras.DType("float64"))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Dropout(rate).Call(in)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(optimizers.SGD(), "mse"); err != nil {
		t.Fatal(err)
	}
	ones := kerastest.Float64(func(int) float64 { return 1 }, 1, n)
	zeros := tensor.New(tensor.WithShape(1, n), tensor.Of(tensor.Float64))
	loss, _, err := m.Gradients(ones, zeros)
	if err != nil {
		t.Fatal(err)
	}
	// mean(mask²) = keep·(1/keep)² = 2; its standard error over 4000 entries is about 0.03.
	if want := 1 / (1 - rate); math.Abs(loss-want) > 0.15 {
		t.Errorf("training loss %v, want about %v", loss, want)
	}
}
