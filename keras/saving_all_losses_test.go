package keras_test

import (
	"math"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"gorgonia.org/tensor"
)

const allLossesRegenerate = "KERAS_BACKEND=jax python3 keras/testdata/all_losses.py"

// A model Keras compiled with a dict of every loss object beyond the cross-entropies (Huber,
// LogCosh, KLDivergence, Poisson, CosineSimilarity, the hinges, the focal cross-entropies,
// Dice, Tversky, MAPE, MSLE, CategoricalGeneralizedCrossEntropy; several with arguments)
// loads compiled, evaluates to Keras's loss of every output and their sum, and saves the loss
// objects back as Keras wrote them.
func TestLoadKerasAllLossesCompiled(t *testing.T) {
	var c struct {
		X        [][]float64        `json:"x"`
		Y        map[string]any     `json:"y"`
		Evaluate map[string]float64 `json:"evaluate"`
	}
	testenv.ReadJSON(t, "testdata/all_losses.json", &c, allLossesRegenerate)
	path := filepath.Join("testdata", "all_losses.keras")
	m, err := keras.LoadModel(path)
	if err != nil {
		t.Fatalf("LoadModel: %v", err)
	}
	if m.Optimizer() == nil {
		t.Fatal("the model Keras saved compiled loaded uncompiled")
	}
	y := keras.Named{}
	for name, v := range c.Y {
		rows := v.([]any)
		if _, sparse := rows[0].(float64); sparse {
			ids := make([]int32, len(rows))
			for i, r := range rows {
				ids[i] = int32(r.(float64))
			}
			y[name] = tensor.New(tensor.WithShape(len(ids)), tensor.WithBacking(ids))
			continue
		}
		var mat [][]float64
		for _, r := range rows {
			var row []float64
			for _, e := range r.([]any) {
				row = append(row, e.(float64))
			}
			mat = append(mat, row)
		}
		y[name] = matrix32(mat)
	}
	// One batch: Dice, Tversky (axis None sums over the batch) and the hinge's binary-label
	// test depend on the batch, as they do in Keras.
	logs, err := m.Evaluate(matrix32(c.X), y, keras.BatchSize(len(c.X)), keras.Verbose(0))
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	for k, want := range c.Evaluate {
		if got, ok := logs[k]; !ok || !(math.Abs(got-want) <= 2e-5*math.Max(1, math.Abs(want))) {
			t.Errorf("%s = %.9g, Keras gives %.9g", k, got, want)
		}
	}
	out := filepath.Join(t.TempDir(), "again.keras")
	if err := m.Save(out); err != nil {
		t.Fatal(err)
	}
	if want, got := compileLoss(t, path), compileLoss(t, out); !reflect.DeepEqual(got, want) {
		t.Errorf("saved compile loss\n%v\nKeras wrote\n%v", got, want)
	}
}
