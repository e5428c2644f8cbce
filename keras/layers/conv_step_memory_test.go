package layers_test

import (
	"runtime"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// TestConvStepKeepsMemory trains a small text CNN (Embedding, Conv1D, MaxPooling1D, Conv1D,
// GlobalMaxPooling1D, Dense) and checks that a training step after the first allocates far
// less than its largest intermediates: the convolutions' patches (16·96·160 floats, 983 kB),
// their gradients, the embedding's (2000, 32) gradient table (256 kB). The convolution,
// pooling and embedding ops keep that memory from step to step; before they did, each step
// allocated more than 2 MB here.
func TestConvStepKeepsMemory(t *testing.T) {
	const vocab, batch, steps, dim, filters = 2000, 16, 100, 32, 32
	keras.SetRandomSeed(3)
	in := keras.Input(keras.Shape{steps}, keras.DType("int32"))
	x := layers.Embedding(vocab, dim).Call(in)
	x = layers.Conv1D(filters, 5, layers.Activation("relu")).Call(x)
	x = layers.MaxPooling1D(2).Call(x)
	x = layers.Conv1D(filters, 3, layers.Activation("relu"), layers.Padding("same")).Call(x)
	x = layers.GlobalMaxPooling1D().Call(x)
	out := layers.Dense(1).Call(x)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	ids := make([]int, batch*steps)
	for i := range ids {
		ids[i] = (i*7919 + i/13) % vocab
	}
	ys := make([]float32, batch)
	for i := range ys {
		ys[i] = float32(i%3) - 1
	}
	xd := tensor.New(tensor.WithShape(batch, steps), tensor.WithBacking(ids))
	yd := tensor.New(tensor.WithShape(batch, 1), tensor.WithBacking(ys))
	step := func() float64 {
		logs, err := m.TrainOnBatch(xd, yd)
		if err != nil {
			t.Fatal(err)
		}
		return logs["loss"]
	}
	first := step() // builds the graph and the ops' memory
	const n = 4
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var last float64
	for range n {
		last = step()
	}
	runtime.ReadMemStats(&after)
	perStep := float64(after.TotalAlloc-before.TotalAlloc) / n
	if perStep > 300e3 {
		t.Errorf("a training step allocates %.0f kB; want under 300 kB (its patches alone are 983 kB)", perStep/1e3)
	}
	if !(last < first) {
		t.Errorf("loss went from %g to %g over %d SGD steps on one batch; want it to fall", first, last, n)
	}
	t.Logf("%.1f kB allocated per step; loss %.4f → %.4f", perStep/1e3, first, last)
}
