package layers_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// TestSpatialDropout: in inference both layers are the identity, as Keras's (the golden
// files, which Keras can only write if it loads the Go-written config, trainable-less).
func TestSpatialDropout(t *testing.T) {
	t.Run("1D", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New:          func() keras.Layer { return layers.SpatialDropout1D(0.3) },
			InputShapes:  []keras.Shape{{3, 4}},
			OutputShapes: []keras.Shape{{none, 3, 4}},
			BadInputs:    [][]keras.Shape{{{3, 4}, {3, 4}}, {{4}}, {{2, 3, 4}}},
			NoGradients:  "the training loss depends on fresh channels dropped every step",
			Golden:       "testdata/kit/spatial_dropout1d.json",
		})
	})
	t.Run("2D", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New:          func() keras.Layer { return layers.SpatialDropout2D(0.3) },
			InputShapes:  []keras.Shape{{3, 2, 4}},
			OutputShapes: []keras.Shape{{none, 3, 2, 4}},
			BadInputs:    [][]keras.Shape{{{3, 4}}, {{2, 3, 2, 4}}},
			NoGradients:  "the training loss depends on fresh channels dropped every step",
			Golden:       "testdata/kit/spatial_dropout2d.json",
		})
	})
}

// TestSpatialDropoutConfig: the config has Keras 3's keys exactly, without trainable, which
// Keras's constructor refuses; the rate's range is enforced.
func TestSpatialDropoutConfig(t *testing.T) {
	for _, c := range []struct {
		l    keras.Layer
		keys []string
	}{
		{layers.SpatialDropout1D(0.25), []string{"dtype", "name", "rate", "seed"}},
		{layers.SpatialDropout2D(0.25), []string{"data_format", "dtype", "name", "rate", "seed"}},
	} {
		cfg := keras.LayerConfig(c.l)
		var keys []string
		for k := range cfg {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, c.keys) {
			t.Errorf("%s: config keys %v, Keras 3's are %v", c.l.ClassName(), keys, c.keys)
		}
		if cfg["rate"] != 0.25 {
			t.Errorf("%s: rate %v", c.l.ClassName(), cfg["rate"])
		}
	}
	if _, ok := keras.LayerConfig(layers.Dropout(0.25))["trainable"]; !ok {
		t.Error("Dropout's config lost its trainable key")
	}
	if err := layers.SpatialDropout1D(1.5).Call(keras.Input(keras.Shape{3, 2})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("SpatialDropout1D(1.5): got %v, want ErrInvalidArgument", err)
	}
}

// channelGradients returns, for one example of minus ones through PReLU(alpha = 1, one per
// position) and the layer, against zeros, the gradient of the mean squared error with respect
// to alpha: 2·m²/n at each position, where m is the layer's training multiplier there, so the
// gradient shows which positions the layer dropped and its scale.
func channelGradients(t *testing.T, l keras.Layer, shape keras.Shape) []float64 {
	t.Helper()
	in := keras.Input(shape, keras.DType("float64"))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(keras.CallOne(l, layers.PReLU("ones", nil).Call(in))))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(optimizers.SGD(), "mse"); err != nil {
		t.Fatal(err)
	}
	full := append([]int{1}, shape...)
	n := tensor.Shape(full).TotalSize()
	_, grads, err := m.Gradients(kerastest.Float64(func(int) float64 { return -1 }, full...), kerastest.Float64(func(int) float64 { return 0 }, full...))
	if err != nil {
		t.Fatal(err)
	}
	g := grads[0].Data().([]float64)
	for i := range g {
		g[i] *= float64(n) / 2 // m²
	}
	return g
}

// TestSpatialDropoutTrainingStatistics: in training each channel is either zero at every step
// (or pixel) or kept at every one, scaled by 1/(1−rate); about rate of the channels are
// dropped; in Predict the layer is the identity.
func TestSpatialDropoutTrainingStatistics(t *testing.T) {
	keras.SetRandomSeed(7)
	const rate, steps, channels = 0.4, 6, 500
	for _, c := range []struct {
		l     keras.Layer
		shape keras.Shape
	}{
		{layers.SpatialDropout1D(rate), keras.Shape{steps, channels}},
		{layers.SpatialDropout2D(rate), keras.Shape{2, 3, channels}},
	} {
		m2 := channelGradients(t, c.l, c.shape)
		scale2 := 1 / ((1 - rate) * (1 - rate))
		dropped := 0
		for ch := range channels {
			first := m2[ch]
			if math.Abs(first) > 1e-9 && math.Abs(first-scale2) > 1e-9 {
				t.Fatalf("%s: channel %d multiplier² %v, want 0 or %v", c.l.ClassName(), ch, first, scale2)
			}
			for pos := ch; pos < len(m2); pos += channels {
				if math.Abs(m2[pos]-first) > 1e-9 {
					t.Fatalf("%s: channel %d is %v at position %d but %v at its first: not a whole channel", c.l.ClassName(), ch, m2[pos], pos/channels, first)
				}
			}
			if first == 0 {
				dropped++
			}
		}
		t.Logf("%s: dropped %d of %d channels (rate %v)", c.l.ClassName(), dropped, channels, rate)
		// 500 channels: the dropped fraction's standard error is about 0.022.
		if frac := float64(dropped) / channels; math.Abs(frac-rate) > 0.1 {
			t.Errorf("%s: dropped %v of the channels, want about %v", c.l.ClassName(), frac, rate)
		}
	}
	in := keras.Input(keras.Shape{steps, 3})
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.SpatialDropout1D(rate).Call(in)))
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]float32, 2*steps*3)
	for i := range vals {
		vals[i] = float32(i) - 7
	}
	x := tensor.New(tensor.WithShape(2, steps, 3), tensor.WithBacking(slices.Clone(vals)))
	got, err := m.Predict([]*tensor.Dense{x}, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got[0].Data().([]float32), vals) {
		t.Errorf("Predict changed its input: %v", got[0].Data())
	}
}
