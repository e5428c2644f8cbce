package layers_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// TestChannelsFirstModelMatchesKeras loads a Keras-written CNN with data_format
// "channels_first" in every layer that takes it and BatchNormalization(axis=1)
// (testdata/channels_first_step.keras): its summary gives each layer Keras's output shape,
// it predicts as Keras does, and one SGD step gives Keras 3's loss and every updated weight
// (BatchNormalization's moving statistics included), so the transposes' backward passes
// agree with Keras's gradients.
func TestChannelsFirstModelMatchesKeras(t *testing.T) {
	type array struct {
		Shape []int     `json:"shape"`
		Data  []float64 `json:"data"`
	}
	var g struct {
		Keras       string           `json:"keras"`
		X           array            `json:"x"`
		Y           array            `json:"y"`
		Predictions array            `json:"predictions"`
		Loss        float64          `json:"loss"`
		Weights     []array          `json:"weights"`
		Shapes      map[string][]int `json:"shapes"`
	}
	testenv.ReadJSON(t, "testdata/channels_first_step.json", &g, "cd testdata && python3 channels_first_step.py")
	f32 := func(a array) *tensor.Dense {
		v := make([]float32, len(a.Data))
		for i, x := range a.Data {
			v[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(a.Shape...), tensor.WithBacking(v))
	}
	m, err := keras.LoadModel("testdata/channels_first_step.keras")
	if err != nil {
		t.Fatal(err)
	}
	var sum strings.Builder
	m.Summary(&sum)
	for _, l := range m.Layers() {
		want, ok := g.Shapes[l.Name()]
		if !ok {
			t.Errorf("layer %s: Keras has no layer of that name", l.Name())
			continue
		}
		var parts []string
		for _, d := range want {
			if d < 0 {
				parts = append(parts, "None")
			} else {
				parts = append(parts, fmt.Sprint(d))
			}
		}
		shape := "(" + strings.Join(parts, ", ") + ")"
		if !summaryLineHas(sum.String(), l.Name(), shape) {
			t.Errorf("summary: layer %s without Keras's output shape %s", l.Name(), shape)
		}
	}
	if t.Failed() {
		t.Logf("summary:\n%s", sum.String())
	}
	pred, err := m.Predict(f32(g.X), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	worstPred := 0.0
	for i, v := range pred[0].Data().([]float32) {
		worstPred = math.Max(worstPred, math.Abs(float64(v)-g.Predictions.Data[i]))
	}
	if worstPred > 1e-5 {
		t.Errorf("predictions differ from Keras %s's by %g", g.Keras, worstPred)
	}
	if err := m.Compile(optimizers.SGD(optimizers.LearningRate(0.1)), "mse"); err != nil {
		t.Fatal(err)
	}
	logs, err := m.TrainOnBatch(f32(g.X), f32(g.Y))
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(logs["loss"] - g.Loss); d > 1e-5*math.Max(1, g.Loss) {
		t.Errorf("loss %g, Keras %s's %g", logs["loss"], g.Keras, g.Loss)
	}
	ws := m.Weights()
	if len(ws) != len(g.Weights) {
		t.Fatalf("%d weights, Keras has %d", len(ws), len(g.Weights))
	}
	worst := 0.0
	for i, w := range ws {
		got := w.Data().([]float32)
		for j, v := range g.Weights[i].Data {
			d := math.Abs(float64(got[j]) - v)
			worst = math.Max(worst, d)
			if d > 1e-5 {
				t.Fatalf("weight %d (%v) element %d after the step: %g, Keras %g", i, w.Shape(), j, got[j], v)
			}
		}
	}
	t.Logf("predictions within %g; loss %g (Keras %g); weights within %g of Keras %s's after one SGD step", worstPred, logs["loss"], g.Loss, worst, g.Keras)
}

// summaryLineHas reports whether the line of the summary whose first column starts with the
// layer's name (followed by its class, or by the class on the next line when the name is
// long) also shows shape.
func summaryLineHas(summary, name, shape string) bool {
	for _, line := range strings.Split(summary, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, "│┃ "), name+" ") && strings.Contains(line, shape) {
			return true
		}
	}
	return false
}
