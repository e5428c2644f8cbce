package layers_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// TestBatchNormalizationKeepsItsInput: a tensor read by BatchNormalization and by a later layer
// (ResNet50V2's identity shortcut, h + BN(h)) reaches the later layer unchanged. With
// Gorgonia's Reshape, a view of h, the machine ran BatchNormalization's subtraction in place
// over h, and the Add saw BN(h) + BN(h): ResNet50V2 written by Keras predicted other classes.
func TestBatchNormalizationKeepsItsInput(t *testing.T) {
	keras.SetRandomSeed(3)
	in := keras.Input(keras.Shape{4, 4, 3})
	h := layers.Conv2D(8, 3, layers.Padding("same")).Call(in)
	bn := layers.BatchNormalization()
	b := bn.Call(h)
	out := layers.Add().Call(h, b)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out, h, b))
	if err != nil {
		t.Fatal(err)
	}
	// Moving statistics far from (0, 1), so that BN(h) is far from h.
	w := bn.Variables()
	for i, v := range w {
		d := v.Value.Data().([]float32)
		for j := range d {
			d[j] = float32(0.5 + float64(i) + 0.1*float64(j))
		}
	}
	x := make([]float32, 2*4*4*3)
	for i := range x {
		x[i] = float32(math.Sin(float64(i)))
	}
	res, err := m.Predict(tensor.New(tensor.WithShape(2, 4, 4, 3), tensor.WithBacking(x)))
	if err != nil {
		t.Fatal(err)
	}
	sum, hv, bv := res[0].Data().([]float32), res[1].Data().([]float32), res[2].Data().([]float32)
	// h alone, from a model without BatchNormalization.
	alone, err := keras.NewModel(keras.Inputs(in), keras.Outputs(h))
	if err != nil {
		t.Fatal(err)
	}
	ra, err := alone.Predict(tensor.New(tensor.WithShape(2, 4, 4, 3), tensor.WithBacking(x)))
	if err != nil {
		t.Fatal(err)
	}
	ha := ra[0].Data().([]float32)
	for i := range sum {
		if math.Abs(float64(hv[i]-ha[i])) > 1e-6 || math.Abs(float64(sum[i]-(ha[i]+bv[i]))) > 1e-5 {
			t.Fatalf("value %d: h %v (alone %v), BN(h) %v, h + BN(h) %v, want %v", i, hv[i], ha[i], bv[i], sum[i], ha[i]+bv[i])
		}
	}
}
