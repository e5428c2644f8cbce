package realdata_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/textdata"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// penguinData is the Palmer penguins as model inputs and targets, split into training and test
// rows.
type penguinData struct {
	xTrain, xTest             *tensor.Dense // standardized bill length, bill depth, flipper length; island one-hot
	yTrain, yTest             keras.Named   // mass (standardized), species (one-hot), sex (1 = male)
	massTrain, massTest       []float64     // standardized body mass
	speciesTrain, speciesTest []int
	sexTrain, sexTest         []int
	speciesNames, islands     []string
}

// penguinSplit prepares the penguins: features standardized with the training rows' statistics.
func penguinSplit(t *testing.T, ps []textdata.Penguin, seed uint64) penguinData {
	t.Helper()
	d := penguinData{
		speciesNames: []string{"Adelie", "Chinstrap", "Gentoo"},
		islands:      []string{"Biscoe", "Dream", "Torgersen"},
	}
	trainIdx, testIdx, err := textdata.Split(len(ps), 0.2, seed)
	if err != nil {
		t.Fatal(err)
	}
	column := func(f func(textdata.Penguin) float64) []float64 {
		out := make([]float64, len(ps))
		for i, p := range ps {
			out[i] = f(p)
		}
		return out
	}
	numeric := [][]float64{
		column(func(p textdata.Penguin) float64 { return p.BillLength }),
		column(func(p textdata.Penguin) float64 { return p.BillDepth }),
		column(func(p textdata.Penguin) float64 { return p.FlipperLength }),
	}
	for i, c := range numeric {
		numeric[i] = textdata.FitStandardizer(pick(c, trainIdx)).Apply(c)
	}
	mass := column(func(p textdata.Penguin) float64 { return p.BodyMass })
	mass = textdata.FitStandardizer(pick(mass, trainIdx)).Apply(mass)
	rows := make([][]float64, len(ps))
	species := make([]int, len(ps))
	sex := make([]int, len(ps))
	for i, p := range ps {
		island := slices.Index(d.islands, p.Island)
		species[i] = slices.Index(d.speciesNames, p.Species)
		if island < 0 || species[i] < 0 {
			t.Fatalf("penguin %d: unknown island %q or species %q", i, p.Island, p.Species)
		}
		r := []float64{numeric[0][i], numeric[1][i], numeric[2][i], 0, 0, 0}
		r[3+island] = 1
		rows[i] = r
		if p.Sex == "male" {
			sex[i] = 1
		}
	}
	build := func(idx []int) (*tensor.Dense, keras.Named) {
		x, err := textdata.Matrix(pick(rows, idx))
		if err != nil {
			t.Fatal(err)
		}
		sp, err := textdata.OneHot(pick(species, idx), len(d.speciesNames))
		if err != nil {
			t.Fatal(err)
		}
		sx := make([]float64, len(idx))
		for i, j := range idx {
			sx[i] = float64(sex[j])
		}
		return x, keras.Named{"mass": textdata.Column(pick(mass, idx)), "species": sp, "sex": textdata.Column(sx)}
	}
	d.xTrain, d.yTrain = build(trainIdx)
	d.xTest, d.yTest = build(testIdx)
	d.massTrain, d.massTest = pick(mass, trainIdx), pick(mass, testIdx)
	d.speciesTrain, d.speciesTest = pick(species, trainIdx), pick(species, testIdx)
	d.sexTrain, d.sexTest = pick(sex, trainIdx), pick(sex, testIdx)
	return d
}

// TestThreeOutputsPenguins trains a model of the guide's several-outputs chapter with three heads on the Palmer penguins:
// body mass (regression, mse), species (3-class softmax) and sex (sigmoid), with the seed's
// loss weights {age: 0.25, income: 1, gender: 10} given to mass, species and sex by name.
// Every head must beat its trivial baseline on held-out penguins.
// It runs on three random splits, each with its own initial weights.
func TestThreeOutputsPenguins(t *testing.T) {
	ps := loadPenguins(t)
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) { threeOutputsPenguins(t, ps, seed) })
	}
}

func threeOutputsPenguins(t *testing.T, ps []textdata.Penguin, seed uint64) {
	d := penguinSplit(t, ps, seed)
	start := time.Now()
	keras.SetRandomSeed(int64(seed))
	features := keras.Input(keras.Shape{6}, keras.Name("features"))
	x := layers.Dense(32, layers.Activation("relu")).Call(features)
	x = layers.Dense(32, layers.Activation("relu")).Call(x)
	massPrediction := layers.Dense(1, layers.Name("mass")).Call(x)
	speciesPrediction := layers.Dense(len(d.speciesNames), layers.Activation("softmax"), layers.Name("species")).Call(x)
	sexPrediction := layers.Dense(1, layers.Activation("sigmoid"), layers.Name("sex")).Call(x)
	model, err := keras.NewModel(keras.Inputs(features), keras.Outputs(massPrediction, speciesPrediction, sexPrediction))
	if err != nil {
		t.Fatal(err)
	}
	err = model.Compile("rmsprop",
		map[string]string{"mass": "mse", "species": "categorical_crossentropy", "sex": "binary_crossentropy"},
		keras.LossWeights(map[string]float64{"mass": 0.25, "species": 1, "sex": 10}),
		keras.OutputMetrics(map[string][]string{"species": {"acc"}, "sex": {"acc"}}))
	if err != nil {
		t.Fatal(err)
	}
	const epochs = 60
	history, err := model.Fit(d.xTrain, d.yTrain, keras.Epochs(epochs), keras.BatchSize(16),
		keras.ValidationSplit(0.15), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	fitTime := time.Since(start)
	h := history.History
	for _, k := range []string{"loss", "mass_loss", "species_loss", "sex_loss", "species_acc", "sex_acc",
		"val_loss", "val_mass_loss", "val_species_loss", "val_sex_loss", "val_species_acc", "val_sex_acc"} {
		if len(h[k]) != epochs {
			t.Errorf("History[%q] has %d values, want %d (keys: %v)", k, len(h[k]), epochs, keysOf(h))
		}
	}
	last := func(k string) float64 { return h[k][len(h[k])-1] }
	if len(h["loss"]) == epochs {
		// The total loss is the weighted sum of the heads' (unweighted) losses.
		sum := 0.25*last("mass_loss") + last("species_loss") + 10*last("sex_loss")
		t.Logf("fit %v; last epoch: loss %.4f = 0.25·%.4f + %.4f + 10·%.4f (%.4f); val_loss %.4f",
			fitTime, last("loss"), last("mass_loss"), last("species_loss"), last("sex_loss"), sum, last("val_loss"))
		if diff := last("loss") - sum; diff > 1e-3*sum || diff < -1e-3*sum {
			t.Errorf("loss %.5f is not the weighted sum of the heads' losses %.5f", last("loss"), sum)
		}
		if last("loss") >= h["loss"][0]/2 {
			t.Errorf("training loss went from %.4f to %.4f, want it at least halved", h["loss"][0], last("loss"))
		}
	}

	pred, err := model.Predict(d.xTest, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	massMSE := mse(floats(t, pred[0]), d.massTest)
	massBase := meanBaseline(d.massTrain, d.massTest)
	speciesAcc := accuracy(argmaxRows(t, pred[1]), d.speciesTest)
	_, speciesBase := majority(d.speciesTrain, d.speciesTest)
	sexAcc := accuracy(thresholds(t, pred[2]), d.sexTest)
	_, sexBase := majority(d.sexTrain, d.sexTest)
	t.Logf("held-out (%d penguins): mass mse %.4f (mean predictor %.4f), species acc %.4f (majority %.4f), sex acc %.4f (majority %.4f)",
		len(d.speciesTest), massMSE, massBase, speciesAcc, speciesBase, sexAcc, sexBase)
	if massMSE > 0.5*massBase {
		t.Errorf("mass mse %.4f, want at most half the mean predictor's %.4f", massMSE, massBase)
	}
	if speciesAcc < speciesBase+0.3 || speciesAcc < 0.9 {
		t.Errorf("species accuracy %.4f, want >= 0.9 and 0.3 above the majority class's %.4f", speciesAcc, speciesBase)
	}
	if sexAcc < sexBase+0.2 {
		t.Errorf("sex accuracy %.4f, want 0.2 above the majority class's %.4f", sexAcc, sexBase)
	}
}

// thresholds returns 1 where a (n, 1) sigmoid output is above 0.5.
func thresholds(t *testing.T, x *tensor.Dense) []int {
	t.Helper()
	v := floats(t, x)
	out := make([]int, len(v))
	for i, p := range v {
		if p > 0.5 {
			out[i] = 1
		}
	}
	return out
}

// keysOf returns the sorted keys of a History.
func keysOf(h map[string][]float64) []string {
	out := make([]string, 0, len(h))
	for k := range h {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
