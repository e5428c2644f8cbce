package layers_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/optimizers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// valueProbe passes its input on unchanged (the mask with it) and keeps the value the input
// had in the last run of a graph, training included.
type valueProbe struct {
	keras.LayerBase
	last *G.Value
}

func newValueProbe() *valueProbe {
	p := &valueProbe{}
	p.Init("ValueProbe", "")
	return p
}

func (p *valueProbe) ClassName() string                   { return "ValueProbe" }
func (p *valueProbe) Build([]keras.Shape) error           { return nil }
func (p *valueProbe) Config() map[string]any              { return map[string]any{} }
func (p *valueProbe) SupportsMasking() bool               { return true }
func (p *valueProbe) Call(in *keras.Tensor) *keras.Tensor { return keras.CallOne(p, in) }
func (p *valueProbe) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return []keras.Shape{in[0].Clone()}, nil
}
func (p *valueProbe) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	p.last = ctx.Read(in[0])
	return in, nil
}

// bnMaskGolden is testdata/batchnorm_mask_golden.json (batchnorm_mask_golden.py).
type bnMaskGolden struct {
	Keras string       `json:"keras"`
	IDs   goldenArray  `json:"ids"`
	Y     goldenArray  `json:"y"`
	F32   bnMaskDtypes `json:"float32"`
	F64   bnMaskDtypes `json:"float64"`
}

type goldenArray struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

type bnMaskDtypes struct {
	Weights       []goldenArray `json:"weights"`
	All           []string      `json:"all"`
	BNOutput      goldenArray   `json:"bn_output"`
	BatchMean     goldenArray   `json:"batch_mean"`
	BatchVariance goldenArray   `json:"batch_variance"`
	Loss          float64       `json:"loss"`
	Grads         []goldenArray `json:"grads"`
	Steps         []struct {
		Loss    float64       `json:"loss"`
		Weights []goldenArray `json:"weights"`
	} `json:"steps"`
}

func readBNMaskGolden(t *testing.T) bnMaskGolden {
	var g bnMaskGolden
	testenv.ReadJSON(t, "testdata/batchnorm_mask_golden.json", &g, "cd testdata && KERAS_BACKEND=jax python3 batchnorm_mask_golden.py")
	return g
}

// denseOf returns a golden array as a tensor of dtype dt.
func denseOf(a goldenArray, dt string) *tensor.Dense {
	if dt == "float64" {
		return tensor.New(tensor.WithShape(a.Shape...), tensor.WithBacking(append([]float64(nil), a.Data...)))
	}
	v := make([]float32, len(a.Data))
	for i, x := range a.Data {
		v[i] = float32(x)
	}
	return tensor.New(tensor.WithShape(a.Shape...), tensor.WithBacking(v))
}

// idsOf returns token ids as int32, padded with zeros to steps.
func idsOf(a goldenArray, steps int) *tensor.Dense {
	b, t := a.Shape[0], a.Shape[1]
	v := make([]int32, b*steps)
	for r := range b {
		for s := range t {
			v[r*steps+s] = int32(a.Data[r*t+s])
		}
	}
	return tensor.New(tensor.WithShape(b, steps), tensor.WithBacking(v))
}

// floats returns a float tensor's values (or a G.Value holding one) as float64s.
func floats(t *testing.T, v any) []float64 {
	t.Helper()
	var d *tensor.Dense
	switch x := v.(type) {
	case *tensor.Dense:
		d = x
	case G.Value:
		var ok bool
		if d, ok = x.(*tensor.Dense); !ok {
			t.Fatalf("value is a %T", x)
		}
	}
	switch s := d.Data().(type) {
	case []float64:
		return append([]float64(nil), s...)
	case []float32:
		out := make([]float64, len(s))
		for i, x := range s {
			out[i] = float64(x)
		}
		return out
	}
	t.Fatalf("data is %T", d.Data())
	return nil
}

// worstRel returns the largest |got - want| / max(1, |want|) and reports the entries beyond
// tol; ref names where want comes from.
func worstRel(t *testing.T, ref, what string, got, want []float64, tol float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, %s has %d", what, len(got), ref, len(want))
		return math.Inf(1)
	}
	worst := 0.0
	for i := range want {
		d := math.Abs(got[i]-want[i]) / math.Max(1, math.Abs(want[i]))
		if d > tol && d > worst {
			t.Errorf("%s[%d] = %.9g, %s %.9g", what, i, got[i], ref, want[i])
		}
		worst = math.Max(worst, d)
	}
	return worst
}

// bnMaskModel is the golden script's model in dtype dt, with a probe on BatchNormalization's
// output.
func bnMaskModel(t *testing.T, dt string, steps int) (*keras.Model, *valueProbe) {
	t.Helper()
	in := keras.Input(keras.Shape{steps}, keras.DType("int32"))
	h := layers.Embedding(10, 4, layers.MaskZero(true), layers.DType(dt)).Call(in)
	h = layers.BatchNormalization(layers.Momentum(0.8), layers.Epsilon(1e-3), layers.DType(dt)).Call(h)
	probe := newValueProbe()
	h = probe.Call(h)
	h = layers.Dense(3, layers.Activation("tanh"), layers.DType(dt)).Call(h)
	h = layers.GlobalAveragePooling1D(layers.DType(dt)).Call(h)
	out := layers.Dense(1, layers.DType(dt)).Call(h)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(optimizers.SGD(optimizers.LearningRate(0.1)), "mse"); err != nil {
		t.Fatal(err)
	}
	return m, probe
}

// TestBatchNormalizationMaskMatchesKeras runs Keras 3's model ids → Embedding(mask_zero=True)
// → BatchNormalization → Dense(tanh) → GlobalAveragePooling1D → Dense on a batch with padding
// (trailing and in the middle of a row), in float32 and float64, from Keras's weights: the
// layer's training-mode output (padding included) and loss and every gradient at those
// weights, the moving statistics that step leaves, then the losses of three SGD steps and
// all weights after each. On the old code, which ignored the mask (the batch statistics
// counted the padding), the float32 loss was 2.0151 against Keras's 0.6922.
func TestBatchNormalizationMaskMatchesKeras(t *testing.T) {
	g := readBNMaskGolden(t)
	for _, dt := range []string{"float32", "float64"} {
		t.Run(dt, func(t *testing.T) {
			gd, tol, stepTol := g.F32, 1e-6, 1e-6
			if dt == "float64" {
				gd, tol, stepTol = g.F64, 1e-12, 1e-12
			}
			m, probe := bnMaskModel(t, dt, g.IDs.Shape[1])
			w0 := make([]*tensor.Dense, len(gd.Weights))
			for i, w := range gd.Weights {
				w0[i] = denseOf(w, dt)
			}
			if err := m.SetWeights(w0); err != nil {
				t.Fatal(err)
			}
			ids, y := idsOf(g.IDs, g.IDs.Shape[1]), denseOf(g.Y, dt)
			loss, grads, err := m.Gradients(ids, y)
			if err != nil {
				t.Fatal(err)
			}
			worst := worstRel(t, "Keras", "loss", []float64{loss}, []float64{gd.Loss}, tol)
			worst = math.Max(worst, worstRel(t, "Keras", "BatchNormalization's training output", floats(t, *probe.last), gd.BNOutput.Data, tol))
			if len(grads) != len(gd.Grads) {
				t.Fatalf("%d gradients, Keras has %d", len(grads), len(gd.Grads))
			}
			for i, gr := range grads {
				worst = math.Max(worst, worstRel(t, "Keras", fmt.Sprintf("gradient %d %v", i, gr.Shape()), floats(t, gr), gd.Grads[i].Data, tol))
			}
			// Gradients updates the moving statistics (and nothing else): 0.8·moving + 0.2·batch.
			ws := m.Weights()
			for k, name := range []string{"mean", "variance"} {
				i := 3 + k // emb, gamma, beta, moving_mean, moving_variance ...
				batch := []goldenArray{gd.BatchMean, gd.BatchVariance}[k].Data
				want := make([]float64, len(batch))
				for j, b := range batch {
					want[j] = 0.8*gd.Weights[i].Data[j] + 0.2*b
				}
				worst = math.Max(worst, worstRel(t, "Keras", "moving "+name+" after one step", floats(t, ws[i]), want, tol))
			}
			t.Logf("at Keras's weights: loss, BatchNormalization's output, gradients and moving statistics within %.2g of Keras %s's", worst, g.Keras)

			if err := m.SetWeights(w0); err != nil {
				t.Fatal(err)
			}
			worst = 0
			for s, st := range gd.Steps {
				logs, err := m.TrainOnBatch(ids, y)
				if err != nil {
					t.Fatal(err)
				}
				worst = math.Max(worst, worstRel(t, "Keras", fmt.Sprintf("step %d loss", s+1), []float64{logs["loss"]}, []float64{st.Loss}, stepTol))
				for i, w := range m.Weights() {
					worst = math.Max(worst, worstRel(t, "Keras", fmt.Sprintf("step %d weight %s", s+1, gd.All[i]), floats(t, w), st.Weights[i].Data, stepTol))
				}
			}
			t.Logf("%d SGD steps: losses and weights (moving statistics included) within %.2g of Keras's", len(gd.Steps), worst)
		})
	}
}

// TestBatchNormalizationMaskPaddingChangesNothing checks batch composition independence under
// a mask: the golden batch with three more padding steps on every row, and then with padding
// inserted in the middle of a row as well, gives the same loss, gradients, training output at
// the valid positions and moving statistics, and the same weights after three SGD steps. On
// the old code, which counted the padding in the batch statistics, the float32 loss moved from
// 2.0151 to 3.0480 with the wider padding.
func TestBatchNormalizationMaskPaddingChangesNothing(t *testing.T) {
	g := readBNMaskGolden(t)
	width := g.IDs.Shape[1]
	// run returns the loss, the gradients, BatchNormalization's output at the valid steps and
	// the weights (moving statistics included) after Gradients, and the weights after three
	// SGD steps from Keras's weights.
	type result struct {
		loss              float64
		grads, out, after [][]float64
		trained           [][]float64
	}
	run := func(t *testing.T, dt string, ids *tensor.Dense) result {
		gd := g.F32
		if dt == "float64" {
			gd = g.F64
		}
		m, probe := bnMaskModel(t, dt, ids.Shape()[1])
		w0 := make([]*tensor.Dense, len(gd.Weights))
		for i, w := range gd.Weights {
			w0[i] = denseOf(w, dt)
		}
		if err := m.SetWeights(w0); err != nil {
			t.Fatal(err)
		}
		y := denseOf(g.Y, dt)
		var r result
		loss, grads, err := m.Gradients(ids, y)
		if err != nil {
			t.Fatal(err)
		}
		r.loss = loss
		for _, gr := range grads {
			r.grads = append(r.grads, floats(t, gr))
		}
		out, c := floats(t, *probe.last), 4
		valid := ids.Data().([]int32)
		for p, id := range valid {
			if id != 0 {
				r.out = append(r.out, out[p*c:p*c+c])
			}
		}
		for _, w := range m.Weights() {
			r.after = append(r.after, floats(t, w))
		}
		if err := m.SetWeights(w0); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if _, err := m.TrainOnBatch(ids, y); err != nil {
				t.Fatal(err)
			}
		}
		for _, w := range m.Weights() {
			r.trained = append(r.trained, floats(t, w))
		}
		return r
	}
	// middle inserts a padding step after the first token of row 0.
	middle := func(ids *tensor.Dense) *tensor.Dense {
		c := ids.Clone().(*tensor.Dense)
		v, w := c.Data().([]int32), ids.Shape()[1]
		copy(v[2:w], v[1:w-1])
		v[1] = 0
		return c
	}
	for _, dt := range []string{"float32", "float64"} {
		t.Run(dt, func(t *testing.T) {
			base := run(t, dt, idsOf(g.IDs, width))
			tol := 1e-6
			if dt == "float64" {
				tol = 1e-14
			}
			for _, c := range []struct {
				name string
				ids  *tensor.Dense
				tol  float64
			}{
				{"three more padding steps", idsOf(g.IDs, width+3), 0},
				{"and padding in the middle of a row", middle(idsOf(g.IDs, width+3)), tol},
			} {
				got := run(t, dt, c.ids)
				worst := worstRel(t, "the unpadded batch", c.name+": loss", []float64{got.loss}, []float64{base.loss}, c.tol)
				for _, set := range []struct {
					what      string
					got, want [][]float64
				}{
					{"gradient", got.grads, base.grads},
					{"output at valid step", got.out, base.out},
					{"weight after Gradients", got.after, base.after},
					{"weight after 3 steps", got.trained, base.trained},
				} {
					if len(set.got) != len(set.want) {
						t.Fatalf("%s: %d %ss, want %d", c.name, len(set.got), set.what, len(set.want))
					}
					for i := range set.want {
						worst = math.Max(worst, worstRel(t, "the unpadded batch", fmt.Sprintf("%s: %s %d", c.name, set.what, i), set.got[i], set.want[i], c.tol))
					}
				}
				t.Logf("%s: everything within %.2g of the unpadded batch's (allowed %g)", c.name, worst, c.tol)
			}
		})
	}
}

// TestBatchNormalizationMaskGradients checks every weight's gradient through a masked
// BatchNormalization against finite differences (float64): after Embedding(MaskZero) with
// padding trailing and in the middle of rows, and after Masking with padded steps, where the
// mask comes from the data.
func TestBatchNormalizationMaskGradients(t *testing.T) {
	f64 := layers.DType("float64")
	t.Run("embedding", func(t *testing.T) {
		in := keras.Input(keras.Shape{5}, keras.DType("int32"))
		h := layers.Embedding(7, 3, layers.MaskZero(true), f64).Call(in)
		h = layers.BatchNormalization(f64).Call(h)
		h = layers.Dense(2, layers.Activation("tanh"), f64).Call(h)
		h = layers.GlobalAveragePooling1D(f64).Call(h)
		m := gradModel(t, []*keras.Tensor{in}, layers.Dense(1, f64).Call(h), "mse")
		ids := int32s([]int{3, 5}, 1, 2, 0, 0, 0, 3, 0, 4, 5, 0, 6, 6, 2, 1, 3)
		kerastest.CheckGradients(t, m, ids, targets(3, 1), kerastest.GradCheckOptions{})
	})
	t.Run("masking", func(t *testing.T) {
		in := f64Input(4, 3)
		h := layers.Masking(0).Call(in)
		h = layers.Dense(3).Call(h) // a weight before the layer, so that dx counts
		h = layers.BatchNormalization(layers.Center(false)).Call(h)
		h = layers.Dense(2, layers.Activation("tanh")).Call(h)
		h = layers.GlobalAveragePooling1D().Call(h)
		m := gradModel(t, []*keras.Tensor{in}, layers.Dense(1).Call(h), "mse")
		x := kerastest.Float64(wave, 3, 4, 3)
		xs := x.Float64s()
		for _, step := range []int{2, 3, 5, 11} { // row 0's last two steps, one in row 1, row 2's last
			clear(xs[step*3 : step*3+3])
		}
		kerastest.CheckGradients(t, m, x, targets(3, 1), kerastest.GradCheckOptions{})
	})
}

// TestBatchNormalizationMaskedOtherAxis checks that a masked input normalised over an axis
// other than the last is an error from training naming the layer and the axis (the masked
// statistics are computed over the last axis only), while Predict, which uses the moving
// statistics as Keras does, still works.
func TestBatchNormalizationMaskedOtherAxis(t *testing.T) {
	in := keras.Input(keras.Shape{4}, keras.DType("int32"))
	h := layers.Embedding(7, 3, layers.MaskZero(true)).Call(in)
	h = layers.BatchNormalization(layers.Axis(1), layers.Name("bn_steps")).Call(h)
	out := layers.Dense(1).Call(layers.GlobalAveragePooling1D().Call(h))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	ids := int32s([]int{2, 4}, 1, 2, 0, 0, 3, 4, 5, 0)
	if _, err := m.Predict(ids, keras.Verbose(0)); err != nil {
		t.Fatalf("Predict: %v", err)
	}
	_, err = m.TrainOnBatch(ids, targets(2, 1).Clone())
	if err == nil || !strings.Contains(err.Error(), "bn_steps") || !strings.Contains(err.Error(), "axis 1") || !errors.Is(err, keras.ErrShape) {
		t.Fatalf("TrainOnBatch: %v, want an ErrShape naming bn_steps and axis 1", err)
	}
	t.Log(err)
}
