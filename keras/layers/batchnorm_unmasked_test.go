package layers_test

import (
	"encoding/json"
	"fmt"
	"github.com/kerago/kerago/keras/internal/blasimpl"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// bnBitsFile holds, as hexadecimal float64 bits, what an unmasked BatchNormalization model
// computed at commit cfdfeb9, before the masked statistics were added (written there by
// running this test with KERAGO_WRITE_BN_BITS=1).
const bnBitsFile = "testdata/batchnorm_unmasked_bits.json"

// bnUnmaskedBits runs a model with two unmasked BatchNormalization layers (rank 3 with scale
// and center; rank 2 without either) in dtype dt from fixed weights: the loss and gradients of
// one batch, the weights after that (moving statistics), then two SGD steps and Predict. It
// returns every number as float64 bits.
func bnUnmaskedBits(t *testing.T, dt string) map[string][]string {
	t.Helper()
	f := layers.DType(dt)
	in := keras.Input(keras.Shape{3, 4}, keras.DType(dt))
	h := layers.Dense(5, f).Call(in)
	h = layers.BatchNormalization(layers.Momentum(0.7), f).Call(h)
	h = layers.ActivationOf("tanh", f).Call(h)
	h = layers.Flatten(f).Call(h)
	h = layers.Dense(4, f).Call(h)
	h = layers.BatchNormalization(layers.Scale(false), layers.Center(false), layers.Epsilon(0.01), f).Call(h)
	out := layers.Dense(2, f).Call(h)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(optimizers.SGD(optimizers.LearningRate(0.05)), "mse"); err != nil {
		t.Fatal(err)
	}
	var ws []*tensor.Dense
	for i, w := range m.Weights() {
		v := make([]float64, w.Shape().TotalSize())
		for j := range v {
			v[j] = 0.3*math.Sin(0.7*float64(j)+float64(i)) + 0.05*float64(i)
		}
		if len(w.Shape()) == 1 && i == 5 { // the first layer's moving variance: positive
			for j := range v {
				v[j] = 1 + math.Abs(v[j])
			}
		}
		ws = append(ws, denseOf(goldenArray{Shape: w.Shape(), Data: v}, dt))
	}
	if err := m.SetWeights(ws); err != nil {
		t.Fatal(err)
	}
	x := denseOf(goldenArray{Shape: []int{6, 3, 4}, Data: floatsOfWave(72, 1.3)}, dt)
	y := denseOf(goldenArray{Shape: []int{6, 2}, Data: floatsOfWave(12, 0.2)}, dt)
	bits := map[string][]string{}
	put := func(name string, v []float64) {
		for _, x := range v {
			bits[name] = append(bits[name], strconv.FormatUint(math.Float64bits(x), 16))
		}
	}
	loss, grads, err := m.Gradients(x, y)
	if err != nil {
		t.Fatal(err)
	}
	put("loss", []float64{loss})
	for i, g := range grads {
		put(fmt.Sprint("grad ", i), floats(t, g))
	}
	for i, w := range m.Weights() {
		put(fmt.Sprint("after gradients ", i), floats(t, w))
	}
	for s := range 2 {
		logs, err := m.TrainOnBatch(x, y)
		if err != nil {
			t.Fatal(err)
		}
		put(fmt.Sprint("step loss ", s), []float64{logs["loss"]})
	}
	for i, w := range m.Weights() {
		put(fmt.Sprint("trained ", i), floats(t, w))
	}
	pred, err := m.Predict(x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	put("predict", floats(t, pred[0]))
	return bits
}

func floatsOfWave(n int, phase float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = math.Sin(1.7*float64(i)+phase) + 0.1*math.Cos(0.37*float64(i))
	}
	return v
}

// TestBatchNormalizationUnmaskedUnchanged checks that the unmasked path computes, bit for bit,
// what it computed before masked statistics were added (commit cfdfeb9): training's loss,
// gradients and moving statistics, two SGD steps and Predict, in float32 and float64.
func TestBatchNormalizationUnmaskedUnchanged(t *testing.T) {
	if blasimpl.Name() != "gonum" {
		// The bits were written by the default build; another BLAS rounds the matrix
		// products of the model around the layer differently.
		t.Skipf("the pinned bits are the default (gonum) build's, not %s's", blasimpl.Name())
	}
	got := map[string]map[string][]string{}
	for _, dt := range []string{"float32", "float64"} {
		got[dt] = bnUnmaskedBits(t, dt)
	}
	if os.Getenv("KERAGO_WRITE_BN_BITS") == "1" {
		raw, err := json.MarshalIndent(got, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bnBitsFile, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", bnBitsFile)
		return
	}
	raw, err := os.ReadFile(bnBitsFile)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]map[string][]string
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	n := 0
	for dt, ws := range want {
		if len(ws) != len(got[dt]) {
			t.Errorf("%s: %d quantities, the file has %d", dt, len(got[dt]), len(ws))
		}
		for name, w := range ws {
			g := got[dt][name]
			if len(g) != len(w) {
				t.Errorf("%s %s: %d values, the file has %d", dt, name, len(g), len(w))
				continue
			}
			for i := range w {
				n++
				if g[i] != w[i] {
					t.Errorf("%s %s[%d]: bits %s, before the mask %s", dt, name, i, g[i], w[i])
				}
			}
		}
	}
	t.Logf("%d values bit-identical to commit cfdfeb9's", n)
}
