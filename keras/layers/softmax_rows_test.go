package layers_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/losses"
	"gorgonia.org/tensor"
)

// The repro of issue 14: a Dense softmax with an identity kernel on [[200,0,0],[0,0,0]].
// Gorgonia's SoftMax kernel started the second row's maximum from the batch's first element
// (200), so the row became 0/0: [1 0 0 NaN NaN NaN] in a batch of 2, [1 0 0 1/3 1/3 1/3] one
// row at a time. Both batch sizes must give the row-at-a-time answer, bit for bit.
func TestDenseSoftmaxRowsDoNotDependOnTheBatch(t *testing.T) {
	for _, dtype := range []string{"float32", "float64"} {
		t.Run(dtype, func(t *testing.T) {
			in := keras.Input(keras.Shape{3}, keras.DType(dtype))
			out := layers.Dense(3, layers.Activation("softmax"), layers.UseBias(false), layers.KernelInitializer("identity")).Call(in)
			m, err := keras.NewModel([]*keras.Tensor{in}, keras.Outputs(out))
			if err != nil {
				t.Fatal(err)
			}
			// 200 is the repro (float32 underflows below ~-88); 1000 makes float64
			// underflow as well (below ~-745).
			for _, big := range []float64{200, 1000} {
				x := []float64{big, 0, 0, 0, 0, 0}
				var xt *tensor.Dense
				if dtype == "float32" {
					xt = tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{float32(big), 0, 0, 0, 0, 0}))
				} else {
					xt = tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(x))
				}
				predict := func(bs int) []float64 {
					p, err := m.Predict(xt, keras.BatchSize(bs), keras.Verbose(0))
					if err != nil {
						t.Fatal(err)
					}
					return valuesOf(p[0])
				}
				batch, rows := predict(2), predict(1)
				want := []float64{1, 0, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3}
				for i := range want {
					if batch[i] != rows[i] {
						t.Fatalf("x %v: batch of 2 predicts %v, one row at a time %v", x, batch, rows)
					}
					if math.Abs(batch[i]-want[i]) > 1e-7 {
						t.Fatalf("x %v: predicts %v, want %v", x, batch, want)
					}
				}
			}
		})
	}
}

func valuesOf(d *tensor.Dense) []float64 {
	switch v := d.Data().(type) {
	case []float32:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return v
	}
	panic(fmt.Sprintf("%v values", d.Dtype()))
}

// Gradients through kerago's softmax ops, inside a model: the softmax activation in a hidden
// layer, and the cross-entropies from logits, label-smoothed and not, against finite
// differences of the training loss.
func TestSoftmaxOpGradientsInModels(t *testing.T) {
	x := kerastest.Float64(wave, 6, 4)
	oneHot := kerastest.Float64(func(i int) float64 {
		if i%3 == (i/3)%3 {
			return 1
		}
		return 0
	}, 6, 3)
	ids := tensor.New(tensor.WithShape(6), tensor.WithBacking([]int{0, 1, 2, 2, 1, 0}))
	cases := []struct {
		name       string
		hidden     string // activation of the hidden layer
		activation string // of the output layer
		loss       losses.Loss
		y          *tensor.Dense
	}{
		{"softmax hidden, mse", "softmax", "", losses.MeanSquaredError{}, targets(6, 3)},
		{"cce from logits", "tanh", "", losses.CategoricalCrossentropy{FromLogits: true}, oneHot},
		{"cce from logits, smoothed", "tanh", "", losses.CategoricalCrossentropy{FromLogits: true, LabelSmoothing: 0.2}, oneHot},
		{"cce of softmax, smoothed", "tanh", "softmax", losses.CategoricalCrossentropy{LabelSmoothing: 0.1}, oneHot},
		{"scce from logits", "tanh", "", losses.SparseCategoricalCrossentropy{FromLogits: true}, ids},
		{"bce from logits, smoothed", "tanh", "", losses.BinaryCrossentropy{FromLogits: true, LabelSmoothing: 0.1}, targets(6, 3)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			keras.SetRandomSeed(7)
			in := f64Input(4)
			h := layers.Dense(5, layers.Activation(c.hidden)).Call(in)
			out := layers.Dense(3, layers.Activation(c.activation)).Call(h)
			m, err := keras.NewModel([]*keras.Tensor{in}, keras.Outputs(out))
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Compile("sgd", c.loss); err != nil {
				t.Fatal(err)
			}
			kerastest.CheckGradients(t, m, x, c.y, kerastest.GradCheckOptions{})
		})
	}
}
