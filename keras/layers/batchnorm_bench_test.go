package layers_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// A small Conv2D + BatchNormalization network, MobileNet's pattern at a small size: two
// 3x3 convolutions of 32 channels over 16x16 maps, each followed by BatchNormalization and
// ReLU, global average pooling and a Dense head; batch 8, float32, one SGD step with MSE.
// BatchNormalization's training path is what it measures (8·16·16 = 2048 values per channel).
const bnBenchBatch, bnBenchSide, bnBenchIn, bnBenchFilters = 8, 16, 8, 32

func newBenchBNModel(b testing.TB) *keras.Model {
	keras.SetRandomSeed(1)
	in := keras.Input(keras.Shape{bnBenchSide, bnBenchSide, bnBenchIn})
	x := in
	for range 2 {
		x = layers.Conv2D(bnBenchFilters, 3, layers.Padding("same"), layers.UseBias(false)).Call(x)
		x = layers.BatchNormalization().Call(x)
		x = layers.ActivationOf("relu").Call(x)
	}
	x = layers.GlobalAveragePooling2D().Call(x)
	out := layers.Dense(10).Call(x)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		b.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		b.Fatal(err)
	}
	return m
}

func benchBNData() (x, y *tensor.Dense) {
	xs := make([]float32, bnBenchBatch*bnBenchSide*bnBenchSide*bnBenchIn)
	for i := range xs {
		xs[i] = float32(1 + math.Sin(0.37*float64(i)))
	}
	ys := make([]float32, bnBenchBatch*10)
	for i := range ys {
		ys[i] = float32(i%3) - 1
	}
	return tensor.New(tensor.WithShape(bnBenchBatch, bnBenchSide, bnBenchSide, bnBenchIn), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(bnBenchBatch, 10), tensor.WithBacking(ys))
}

// BenchmarkBatchNormConvStep is one training step of the network (TrainOnBatch).
func BenchmarkBatchNormConvStep(b *testing.B) {
	m := newBenchBNModel(b)
	xd, yd := benchBNData()
	if _, err := m.TrainOnBatch(xd, yd); err != nil { // builds the graph
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.TrainOnBatch(xd, yd); err != nil {
			b.Fatal(err)
		}
	}
}
