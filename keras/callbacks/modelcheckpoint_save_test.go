package callbacks

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/kerago/kerago/keras"
	"gorgonia.org/tensor"
)

// These tests write real files through Model.Save and Model.SaveWeights and read them back
// with keras.LoadModel and Model.LoadWeights: they need the saving formats.

func predictions(t *testing.T, m *keras.Model, x *tensor.Dense) []float32 {
	t.Helper()
	out, err := m.Predict(x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	return append([]float32(nil), out[0].Data().([]float32)...)
}

// Every epoch saves a formatted .keras file; the last one loads into a model that predicts
// exactly what the trained model predicts.
func TestModelCheckpointSavesKerasFiles(t *testing.T) {
	dir := t.TempDir()
	m := testModel(t, 0.1)
	x, y := binaryData(16, false)
	cb := ModelCheckpoint(filepath.Join(dir, "ckpt", "m.{epoch:02d}.keras"))
	if _, err := m.Fit(x, y, keras.Epochs(3), keras.BatchSize(8), keras.Verbose(0), keras.Callbacks(cb)); err != nil {
		t.Fatal(err)
	}
	if got := files(t, dir); fmt.Sprint(got) != "[ckpt/m.01.keras ckpt/m.02.keras ckpt/m.03.keras]" {
		t.Fatalf("files %v", got)
	}
	loaded, err := keras.LoadModel(filepath.Join(dir, "ckpt", "m.03.keras"))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := predictions(t, m, x), predictions(t, loaded, x); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("loaded model predicts %v, trained model %v", b, a)
	}
}

// SaveBestOnly with a legacy .h5 path: the file holds the model of the best epoch (validation
// labels are flipped, so the first epoch is the best).
func TestModelCheckpointSavesBestH5(t *testing.T) {
	dir := t.TempDir()
	m := testModel(t, 0.5)
	x, y := binaryData(32, false)
	xv, yv := binaryData(32, true)
	var preds [][]float32
	snap := Lambda(LambdaHooks{OnEpochEnd: func(int, keras.Logs) error {
		preds = append(preds, predictions(t, m, xv))
		return nil
	}})
	cb := ModelCheckpoint(filepath.Join(dir, "best.h5"), SaveBestOnly(true))
	h, err := m.Fit(x, y, keras.Epochs(4), keras.BatchSize(8), keras.Verbose(0),
		keras.Callbacks(snap, cb), keras.ValidationData(xv, yv))
	if err != nil {
		t.Fatal(err)
	}
	best, _ := cb.Best()
	bestEpoch := -1
	for i, v := range h.History["val_loss"] {
		if v == best {
			bestEpoch = i
		}
	}
	if bestEpoch < 0 {
		t.Fatalf("best %v is not in the history %v", best, h.History["val_loss"])
	}
	if got := files(t, dir); fmt.Sprint(got) != "[best.h5]" {
		t.Fatalf("files %v", got)
	}
	loaded, err := keras.LoadModel(filepath.Join(dir, "best.h5"))
	if err != nil {
		t.Fatal(err)
	}
	if got := predictions(t, loaded, xv); fmt.Sprint(got) != fmt.Sprint(preds[bestEpoch]) {
		t.Errorf("loaded model predicts %v, the model at the best epoch %d predicted %v", got, bestEpoch, preds[bestEpoch])
	}
}

// SaveWeightsOnly writes .weights.h5 files that load into a fresh model of the same
// architecture.
func TestModelCheckpointSavesWeights(t *testing.T) {
	dir := t.TempDir()
	m := testModel(t, 0.1)
	x, y := binaryData(16, false)
	cb := ModelCheckpoint(filepath.Join(dir, "w{epoch}.weights.h5"), SaveWeightsOnly(true), SaveFreq(2))
	if _, err := m.Fit(x, y, keras.Epochs(2), keras.BatchSize(4), keras.Verbose(0), keras.Callbacks(cb)); err != nil {
		t.Fatal(err)
	}
	// 4 batches per epoch, a save every 2: two files per epoch, the later one overwriting.
	if got := files(t, dir); fmt.Sprint(got) != "[w1.weights.h5 w2.weights.h5]" {
		t.Fatalf("files %v", got)
	}
	fresh := testModel(t, 0.1)
	if err := fresh.LoadWeights(filepath.Join(dir, "w2.weights.h5")); err != nil {
		t.Fatal(err)
	}
	if a, b := predictions(t, m, x), predictions(t, fresh, x); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("model with loaded weights predicts %v, trained model %v", b, a)
	}
}
