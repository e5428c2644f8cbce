package layers_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// wave gives deterministic, irregular test values.
func wave(i int) float64 { return math.Sin(1.7*float64(i)+0.3) + 0.1*math.Cos(0.37*float64(i)) }

func f64Input(shape ...int) *keras.Tensor {
	return keras.Input(keras.Shape(shape), keras.DType("float64"))
}

// gradModel compiles a float64 model with SGD and the given loss.
func gradModel(t *testing.T, in []*keras.Tensor, out *keras.Tensor, loss string) *keras.Model {
	t.Helper()
	m, err := keras.NewModel(in, keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", loss); err != nil {
		t.Fatal(err)
	}
	return m
}

func targets(shape ...int) *tensor.Dense {
	return kerastest.Float64(func(i int) float64 { return 0.5 + 0.4*math.Sin(0.9*float64(i)) }, shape...)
}

func TestCoreLayerGradients(t *testing.T) {
	x4 := kerastest.Float64(wave, 5, 4)
	cases := []struct {
		name  string
		build func() ([]*keras.Tensor, *keras.Tensor)
		x     any
		y     *tensor.Dense
	}{
		{"dense relu", func() ([]*keras.Tensor, *keras.Tensor) {
			in := f64Input(4)
			return []*keras.Tensor{in}, layers.Dense(3).Call(layers.Dense(6, layers.Activation("relu"), layers.BiasInitializer("ones")).Call(in))
		}, x4, targets(5, 3)},
		{"dense rank 3", func() ([]*keras.Tensor, *keras.Tensor) {
			in := f64Input(3, 4)
			return []*keras.Tensor{in}, layers.Dense(2, layers.Activation("tanh")).Call(in)
		}, kerastest.Float64(wave, 5, 3, 4), targets(5, 3, 2)},
		{"activations", func() ([]*keras.Tensor, *keras.Tensor) {
			in := f64Input(4)
			x := layers.Dense(4).Call(in)
			for _, a := range []string{"sigmoid", "softplus", "silu", "softsign", "exponential", "gelu", "tanh"} {
				x = layers.ActivationOf(a).Call(x)
			}
			return []*keras.Tensor{in}, layers.Dense(2).Call(x)
		}, x4, targets(5, 2)},
		{"batch normalization", func() ([]*keras.Tensor, *keras.Tensor) {
			in := f64Input(4)
			x := layers.BatchNormalization().Call(layers.Dense(3).Call(in))
			return []*keras.Tensor{in}, layers.Dense(2).Call(x)
		}, x4, targets(5, 2)},
		{"concatenate and merges", func() ([]*keras.Tensor, *keras.Tensor) {
			a, b := f64Input(4), f64Input(4)
			da, db := layers.Dense(3).Call(a), layers.Dense(3).Call(b)
			x := layers.Concatenate().Call(
				layers.Add().Call(da, db), layers.Subtract().Call(da, db), layers.Multiply().Call(da, db),
				layers.Average().Call(da, db), layers.Maximum().Call(da, db), layers.Minimum().Call(da, db))
			return []*keras.Tensor{a, b}, layers.Dense(2).Call(x)
		}, []*tensor.Dense{x4, kerastest.Float64(func(i int) float64 { return wave(i + 50) }, 5, 4)}, targets(5, 2)},
		{"reshape and flatten", func() ([]*keras.Tensor, *keras.Tensor) {
			in := f64Input(6)
			x := layers.Reshape(keras.Shape{2, -1}).Call(layers.Dense(6).Call(in))
			x = layers.Flatten().Call(layers.Dense(2).Call(x))
			return []*keras.Tensor{in}, x
		}, kerastest.Float64(wave, 5, 6), targets(5, 4)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			keras.SetRandomSeed(3)
			in, out := c.build()
			m := gradModel(t, in, out, "mse")
			kerastest.CheckGradients(t, m, c.x, c.y, kerastest.GradCheckOptions{})
		})
	}
}

func TestLossGradients(t *testing.T) {
	x := kerastest.Float64(wave, 6, 4)
	probs := kerastest.Float64(func(i int) float64 { return 0.2 + 0.6*math.Abs(math.Sin(float64(i))) }, 6, 3)
	oneHot := kerastest.Float64(func(i int) float64 {
		if i%3 == (i/3)%3 {
			return 1
		}
		return 0
	}, 6, 3)
	ids := tensor.New(tensor.WithShape(6), tensor.WithBacking([]int{0, 1, 2, 2, 1, 0}))
	cases := []struct {
		loss, activation string
		y                *tensor.Dense
	}{
		{"mse", "", probs},
		{"mae", "", probs},
		{"binary_crossentropy", "sigmoid", probs},       // from the logits: softplus(z) - y·z
		{"binary_crossentropy", "softmax", probs},       // from probabilities, clipped
		{"categorical_crossentropy", "softmax", oneHot}, // from the logits: ops.SoftmaxCrossEntropy
		{"categorical_crossentropy", "sigmoid", oneHot}, // from probabilities, normalised
		{"sparse_categorical_crossentropy", "softmax", ids},
	}
	for _, c := range cases {
		t.Run(c.loss+"/"+c.activation, func(t *testing.T) {
			keras.SetRandomSeed(5)
			in := f64Input(4)
			out := layers.Dense(3, layers.Activation(c.activation)).Call(layers.Dense(5, layers.Activation("tanh")).Call(in))
			m := gradModel(t, []*keras.Tensor{in}, out, c.loss)
			kerastest.CheckGradients(t, m, x, c.y, kerastest.GradCheckOptions{})
		})
	}
}
