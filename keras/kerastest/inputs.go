package kerastest

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// CheckKeepsInputs checks that a layer leaves the tensors it reads alone, as the "inputs"
// subtest of [RunLayerTest] does: a tensor that a layer reads and that another layer reads
// after it (ResNet's h + f(h), DenseNet's concatenation of h and f(h)) must reach the other
// layer unchanged.
//
// Gorgonia's tape machine does not know that two registers can share memory: a view (its
// Reshape, a Concat of one tensor, an op that returns its input) lives in a register of its
// own, and once the view is dead an element-wise operator may write its result in place
// there, i.e. into the memory of the tensor the view was made from, which other nodes may
// still read (docs/gorgonia.md). The check builds, for every input x of the layer, two
// readers that run after the layer, because they depend on its outputs y:
//
//	x + 0·Σy         (x a model input: the layer reads a graph argument)
//	h + 0·Σy, h = x ⊙ 1   (the layer reads an intermediate tensor)
//
// and requires each reader to return x exactly, with Predict on a batch of 1 and of
// BatchSize (or on c.Inputs alone when they are given), and in training mode (a mean squared
// error against x must be 0, or grow by exactly the right amount against x + 1 when the model
// adds losses of its own). It checks the other direction too, when the layer has gradients
// (c.NoGradients empty): a model that also computes h + 1, in place over h once nothing else
// reads h, must have the same loss and gradients as one that does not, which fails when the
// layer's backward pass reads a view of its input. The fed arrays must be unchanged after
// every run, and the weights after Predict and Gradients (neither updates them). Inputs whose
// dtype is not float (integer ids) are fed and checked to be unchanged but not read back;
// outputs that are not float do not enter Σy. The layer's outputs must be finite on the test
// inputs.
func CheckKeepsInputs(t *testing.T, c LayerCase) {
	t.Helper()
	if c.BatchSize == 0 {
		c.BatchSize = 2
	}
	dtype := c.InputDType
	if dtype == "" {
		dtype = "float32"
	}
	m, floats, err := keepsInputsModel(c, dtype, false)
	if err != nil {
		t.Fatalf("calling the layer on %v: %v", c.InputShapes, err)
	}
	feeds := [][]*tensor.Dense{c.inputsOf(dtype, c.BatchSize)}
	if c.Inputs == nil && c.BatchSize != 1 {
		feeds = append(feeds, c.inputsOf(dtype, 1))
	}
	weights := m.Weights() // copies
	for _, xs := range feeds {
		batch := xs[0].Shape()[0]
		kept := cloneAll(xs)
		got, err := m.Predict(feedOf(xs), keras.Verbose(0), keras.BatchSize(batch))
		if err != nil {
			t.Fatalf("Predict, batch %d: %v", batch, err)
		}
		if len(floats) > 0 {
			for k, y := range got {
				x := xs[floats[k%len(floats)]]
				if d := maxDiff(y, x); d != 0 {
					t.Errorf("batch %d, predict: input %d read back after the layer (%s) differs from the fed values by %g: the layer wrote into a tensor it read", batch, floats[k%len(floats)], readerKind(k, len(floats)), d)
				}
			}
		}
		checkUnchanged(t, fmt.Sprintf("batch %d, predict", batch), xs, kept)
		checkWeightsUnchanged(t, fmt.Sprintf("batch %d, predict", batch), m.Variables(), weights)
	}
	if len(floats) == 0 {
		return
	}
	for _, xs := range feeds {
		checkTrainingKeepsInputs(t, c, dtype, floats, xs)
	}
	if c.NoGradients == "" {
		for _, xs := range feeds {
			checkBackwardKeepsInputs(t, c, dtype, xs)
		}
	}
}

// checkBackwardKeepsInputs checks the other direction: a layer whose backward pass reads a
// view of its input h must not see a later in-place write into h. Model B is h = x ⊙ 1 →
// layer; model A, on the same layers, also outputs h + 1, which Gorgonia computes in place
// over h once nothing else reads h itself. With the targets of h + 1 equal to x + 1, A's
// extra loss term and its gradient are 0, so A's loss and gradients must equal B's.
func checkBackwardKeepsInputs(t *testing.T, c LayerCase, dtype string, xs []*tensor.Dense) {
	t.Helper()
	batch := xs[0].Shape()[0]
	ins := make([]*keras.Tensor, len(c.InputShapes))
	hs := make([]*keras.Tensor, len(c.InputShapes))
	for i, s := range c.InputShapes {
		ins[i] = keras.Input(s, keras.DType(dtype))
		hs[i] = keras.CallOne(newProbe(), ins[i])
	}
	ys := keras.Call(c.New(), hs...)
	var shifted []*keras.Tensor
	for _, h := range hs {
		shifted = append(shifted, keras.CallOne(newShift(), h))
	}
	b, err := keras.NewModel(ins, ys)
	if err != nil {
		t.Fatalf("calling the layer on %v: %v", c.InputShapes, err)
	}
	a, err := keras.NewModel(ins, append(slices.Clone(ys), shifted...))
	if err != nil {
		t.Fatal(err)
	}
	pred, err := b.Predict(feedOf(xs), keras.Verbose(0), keras.BatchSize(batch))
	if err != nil {
		t.Fatalf("Predict, batch %d: %v", batch, err)
	}
	targets := make([]*tensor.Dense, len(pred))
	for k, y := range pred {
		if targets[k], _ = shifted1(y); targets[k] == nil {
			return
		}
	}
	targetsA := slices.Clone(targets)
	for _, x := range xs {
		x1, _ := shifted1(x)
		targetsA = append(targetsA, x1)
	}
	for _, m := range []*keras.Model{a, b} {
		if err := m.Compile(optimizers.SGD(), "mse"); err != nil {
			t.Fatal(err)
		}
	}
	lossB, gradsB, err := b.Gradients(feedOf(xs), feedOf(targets))
	if err != nil {
		t.Logf("no backward check: %v", err)
		return
	}
	lossA, gradsA, err := a.Gradients(feedOf(xs), feedOf(targetsA))
	if err != nil {
		t.Fatalf("Gradients, batch %d: %v", batch, err)
	}
	if d := math.Abs(lossA - lossB); d > 1e-6*math.Max(1, math.Abs(lossB)) {
		t.Errorf("batch %d, training: loss %g with an in-place reader of the layer's input after it, %g without", batch, lossA, lossB)
	}
	vars := b.TrainableVariables()
	for i := range gradsB {
		if d := maxDiff(flatFloat(gradsA[i]), flatFloat(gradsB[i])); !(d <= 1e-6*math.Max(1, maxAbs(gradsB[i]))) {
			t.Errorf("batch %d, training: the gradient of %s differs by %g when the layer's input is also read in place after it: the layer's backward pass reads a view of its input", batch, vars[i].Path, d)
		}
	}
}

// flatFloat returns the values of a float tensor, a scalar's too, as a float64 vector.
func flatFloat(x *tensor.Dense) *tensor.Dense {
	var v []float64
	switch x.Dtype() {
	case tensor.Float32:
		for _, e := range x.Float32s() {
			v = append(v, float64(e))
		}
	case tensor.Float64:
		v = slices.Clone(x.Float64s())
	default:
		v = []float64{math.NaN()}
	}
	return tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(v))
}

// maxAbs returns the largest absolute value of a float tensor.
func maxAbs(x *tensor.Dense) float64 {
	var m float64
	for _, e := range flatFloat(x).Float64s() {
		m = math.Max(m, math.Abs(e))
	}
	return m
}

// checkTrainingKeepsInputs checks the readers in training mode on the inputs xs: their loss
// against the fed values must be 0, or, when the model adds losses of its own (an activity
// regularizer), grow by exactly the loss of fed values against targets shifted by 1. A layer
// without gradients (token ids) is frozen and read through a stop-gradient, so that the
// training graph builds; the others are differentiated through, so that their backward
// pass is part of the graph.
func checkTrainingKeepsInputs(t *testing.T, c LayerCase, dtype string, floats []int, xs []*tensor.Dense) {
	t.Helper()
	batch := xs[0].Shape()[0]
	kept := cloneAll(xs)
	losses := func(frozen bool) (exact, shifted, want float64, err error) {
		m, _, err := keepsInputsModel(c, dtype, frozen)
		if err != nil {
			return 0, 0, 0, err
		}
		if err := m.Compile(optimizers.SGD(), "mse"); err != nil {
			return 0, 0, 0, err
		}
		var ys, ys1 []*tensor.Dense
		for k := range m.Outputs() {
			x := kept[floats[k%len(floats)]]
			ys = append(ys, x)
			y1, d := shifted1(x)
			ys1 = append(ys1, y1)
			want += d
		}
		before := m.Weights()
		defer func() {
			checkWeightsUnchanged(t, fmt.Sprintf("batch %d, training", batch), m.TrainableVariables(), trainableOf(m, before))
		}()
		if exact, _, err = m.Gradients(feedOf(xs), feedOf(ys)); err != nil || exact == 0 {
			return exact, 0, 0, err
		}
		shifted, _, err = m.Gradients(feedOf(xs), feedOf(ys1))
		return exact, shifted, want, err
	}
	exact, shifted, want, err := losses(c.NoGradients != "")
	if err != nil && c.NoGradients == "" {
		t.Logf("batch %d: training through the layer failed (%v); checking it frozen", batch, err)
		exact, shifted, want, err = losses(true) // not differentiable after all
	}
	if err != nil {
		t.Fatalf("Gradients, batch %d: %v", batch, err)
	}
	if exact != 0 && math.Abs(shifted-exact-want) > 1e-5*math.Max(1, want) {
		t.Errorf("batch %d, training: the inputs read back after the layer differ from the fed values (loss %g against them, %g against them + 1, want a difference of %g): the layer wrote into a tensor it read", batch, exact, shifted, want)
	}
	checkUnchanged(t, fmt.Sprintf("batch %d, training", batch), xs, kept)
}

// trainableOf returns the values among weights (m.Weights's order, that of m.Variables) of
// m's trainable variables.
func trainableOf(m *keras.Model, weights []*tensor.Dense) []*tensor.Dense {
	trainable := map[*keras.Variable]bool{}
	for _, v := range m.TrainableVariables() {
		trainable[v] = true
	}
	var out []*tensor.Dense
	for i, v := range m.Variables() {
		if trainable[v] {
			out = append(out, weights[i])
		}
	}
	return out
}

// checkWeightsUnchanged reports a weight that a run which updates nothing (Predict, Gradients)
// modified: an op wrote into a weight through a view of it (MatMul transposes headers, never
// numbers).
func checkWeightsUnchanged(t *testing.T, when string, vars []*keras.Variable, kept []*tensor.Dense) {
	t.Helper()
	for i, v := range vars {
		if i < len(kept) && fmt.Sprint(v.Value.Data()) != fmt.Sprint(kept[i].Data()) {
			t.Errorf("%s: weight %s was modified", when, v.Path)
		}
	}
}

// shifted1 returns x + 1 and the mean squared error between x and it, as float32 or float64
// arithmetic gives it.
func shifted1(x *tensor.Dense) (*tensor.Dense, float64) {
	y := x.Clone().(*tensor.Dense)
	var sum float64
	switch v := y.Data().(type) {
	case []float32:
		for i := range v {
			v[i]++
			d := float64(x.Float32s()[i] - v[i])
			sum += d * d
		}
		return y, sum / float64(len(v))
	case []float64:
		for i := range v {
			v[i]++
			d := x.Float64s()[i] - v[i]
			sum += d * d
		}
		return y, sum / float64(len(v))
	}
	return nil, math.NaN()
}

// keepsInputsModel returns the model of CheckKeepsInputs and the indices of the inputs its
// readers read back. frozen freezes the layer, stops the readers' gradients and reads the
// inputs themselves twice instead of once through a probe.
func keepsInputsModel(c LayerCase, dtype string, frozen bool) (*keras.Model, []int, error) {
	ins := make([]*keras.Tensor, len(c.InputShapes))
	direct := make([]*keras.Tensor, len(c.InputShapes))
	probed := make([]*keras.Tensor, len(c.InputShapes))
	var floats []int // indices of the float inputs, which readers read back
	for i, s := range c.InputShapes {
		ins[i] = keras.Input(s, keras.DType(dtype))
		direct[i], probed[i] = ins[i], ins[i]
		if dtype == "float32" || dtype == "float64" {
			floats = append(floats, i)
			if !frozen { // a weight before a layer without gradients breaks Gorgonia's Grad
				probed[i] = keras.CallOne(newProbe(), ins[i])
			}
		}
	}
	layer := func() keras.Layer {
		l := c.New()
		if f, ok := l.(interface{ SetTrainable(bool) }); ok && frozen {
			f.SetTrainable(false)
		}
		return l
	}
	outsDirect := keras.Call(layer(), direct...)
	second := layer()
	if n, ok := second.(interface{ SetName(string) }); ok {
		n.SetName(second.Name() + "_read") // a layer case may name its layer
	}
	outsProbed := keras.Call(second, probed...)
	var readOuts []*keras.Tensor
	for _, pair := range []struct{ xs, ys []*keras.Tensor }{{direct, outsDirect}, {probed, outsProbed}} {
		var xs []*keras.Tensor
		for _, i := range floats {
			xs = append(xs, pair.xs[i])
		}
		if len(xs) == 0 {
			break
		}
		r := newReader(len(xs), frozen)
		readOuts = append(readOuts, keras.Call(r, append(xs, pair.ys...)...)...)
	}
	if len(readOuts) == 0 {
		readOuts = outsDirect // nothing to read back: only check the fed arrays
	}
	m, err := keras.NewModel(ins, readOuts)
	return m, floats, err
}

// readerKind names the k-th read-back output: the first n read the model's inputs, the next n
// the probed copies of them.
func readerKind(k, n int) string {
	if k < n {
		return "a model input"
	}
	return "an intermediate tensor"
}

// inputsOf returns the inputs to feed as dtype: c.Inputs, or deterministic values for a batch
// of the given size.
func (c LayerCase) inputsOf(dtype string, batch int) []*tensor.Dense {
	if c.Inputs != nil {
		return c.Inputs
	}
	var xs []*tensor.Dense
	for k, s := range c.InputShapes {
		shape := append([]int{batch}, s...)
		switch dtype {
		case "float64":
			xs = append(xs, Float64(func(i int) float64 { return math.Sin(0.7*float64(i)+1.3*float64(k)) * 0.9 }, shape...))
		case "float32":
			x := Float64(func(i int) float64 { return math.Sin(0.7*float64(i)+1.3*float64(k)) * 0.9 }, shape...)
			f := make([]float32, x.Shape().TotalSize())
			for i, v := range x.Float64s() {
				f[i] = float32(v)
			}
			xs = append(xs, tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f)))
		default: // integer ids 0, 1, 2, 0, ...
			n := tensor.Shape(shape).TotalSize()
			ids := make([]int32, n)
			for i := range ids {
				ids[i] = int32(i % 3)
			}
			xs = append(xs, tensor.New(tensor.WithShape(shape...), tensor.WithBacking(ids)))
		}
	}
	return xs
}

func feedOf(xs []*tensor.Dense) any {
	if len(xs) == 1 {
		return xs[0]
	}
	return xs
}

func cloneAll(xs []*tensor.Dense) []*tensor.Dense {
	out := make([]*tensor.Dense, len(xs))
	for i, x := range xs {
		out[i] = x.Clone().(*tensor.Dense)
	}
	return out
}

// checkUnchanged reports a fed array that the run modified.
func checkUnchanged(t *testing.T, when string, xs, kept []*tensor.Dense) {
	t.Helper()
	for i := range xs {
		if !slices.Equal(xs[i].Shape(), kept[i].Shape()) || fmt.Sprint(xs[i].Data()) != fmt.Sprint(kept[i].Data()) {
			t.Errorf("%s: the array fed as input %d was modified", when, i)
		}
	}
}
