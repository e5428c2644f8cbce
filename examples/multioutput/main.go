// Command multioutput trains a model with three outputs, as in the Keras functional API
// guide's multi-output model, on the Palmer penguins embedded in kerago: from the bill, the
// flipper and the island, one shared Dense trunk predicts the body mass (regression, mse), the
// species (softmax over 3) and the sex (sigmoid). Each output has its own loss, and loss
// weights (0.25, 1, 10) given by output name balance them. It prints the model summary, the
// training history's keys and each head's held-out result beside its trivial baseline.
//
//	go run ./examples/multioutput
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/datasets"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// options are the example's settings; the smoke test runs it with small ones.
type options struct {
	epochs  int
	verbose int
}

func main() {
	var o options
	flag.IntVar(&o.epochs, "epochs", 60, "training epochs")
	flag.IntVar(&o.verbose, "verbose", 0, "0 silent, 1 progress bar, 2 a line per epoch")
	flag.Parse()
	if err := run(os.Stdout, o); err != nil {
		log.Fatal(err)
	}
}

// dataset is the penguins as the model's input and targets.
type dataset struct {
	x       *tensor.Dense // (n, 6): standardized bill length, bill depth, flipper length; island one-hot
	y       keras.Named   // mass (n, 1) standardized; species (n, 3) one-hot; sex (n, 1), 1 = male
	mass    []float64
	species []int
	sex     []int
}

func run(w io.Writer, o options) error {
	trainPenguins, testPenguins, err := datasets.Penguins()
	if err != nil {
		return err
	}
	// Features are standardized with the training birds' statistics only.
	stat := func(f func(datasets.Penguin) float64) standardizer {
		var v []float64
		for _, p := range trainPenguins {
			v = append(v, f(p))
		}
		return fitStandardizer(v)
	}
	bill := stat(func(p datasets.Penguin) float64 { return p.BillLength })
	depth := stat(func(p datasets.Penguin) float64 { return p.BillDepth })
	flipper := stat(func(p datasets.Penguin) float64 { return p.FlipperLength })
	mass := stat(func(p datasets.Penguin) float64 { return p.BodyMass })
	build := func(ps []datasets.Penguin) dataset {
		var d dataset
		var x, m, sp, sx []float32
		for _, p := range ps {
			island := make([]float32, 3)
			island[slices.Index(datasets.PenguinIslands, p.Island)] = 1
			x = append(x, float32(bill.apply(p.BillLength)), float32(depth.apply(p.BillDepth)), float32(flipper.apply(p.FlipperLength)))
			x = append(x, island...)
			d.mass = append(d.mass, mass.apply(p.BodyMass))
			m = append(m, float32(mass.apply(p.BodyMass)))
			s := slices.Index(datasets.PenguinSpecies, p.Species)
			d.species = append(d.species, s)
			oneHot := make([]float32, 3)
			oneHot[s] = 1
			sp = append(sp, oneHot...)
			male := 0
			if p.Sex == "male" {
				male = 1
			}
			d.sex = append(d.sex, male)
			sx = append(sx, float32(male))
		}
		n := len(ps)
		d.x = tensor.New(tensor.WithShape(n, 6), tensor.WithBacking(x))
		d.y = keras.Named{
			"mass":    tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(m)),
			"species": tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(sp)),
			"sex":     tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(sx)),
		}
		return d
	}
	train, test := build(trainPenguins), build(testPenguins)

	keras.SetRandomSeed(1)
	features := keras.Input(keras.Shape{6}, keras.Name("features"))
	x := layers.Dense(32, layers.Activation("relu")).Call(features)
	x = layers.Dense(32, layers.Activation("relu")).Call(x)
	massPrediction := layers.Dense(1, layers.Name("mass")).Call(x)
	speciesPrediction := layers.Dense(len(datasets.PenguinSpecies), layers.Activation("softmax"), layers.Name("species")).Call(x)
	sexPrediction := layers.Dense(1, layers.Activation("sigmoid"), layers.Name("sex")).Call(x)

	model, err := keras.NewModel(keras.Inputs(features),
		keras.Outputs(massPrediction, speciesPrediction, sexPrediction))
	if err != nil {
		return err
	}
	model.Summary(w)
	err = model.Compile("rmsprop",
		map[string]string{"mass": "mse", "species": "categorical_crossentropy", "sex": "binary_crossentropy"},
		keras.LossWeights(map[string]float64{"mass": 0.25, "species": 1, "sex": 10}),
		keras.OutputMetrics(map[string][]string{"species": {"acc"}, "sex": {"acc"}}))
	if err != nil {
		return err
	}
	history, err := model.Fit(train.x, train.y, keras.Epochs(o.epochs), keras.BatchSize(16),
		keras.ValidationSplit(0.15), keras.Verbose(o.verbose))
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(history.History))
	for k := range history.History {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	fmt.Fprintf(w, "trained on %d penguins (15%% of them for validation), %d epochs; history keys: %s\n",
		len(trainPenguins), o.epochs, strings.Join(keys, ", "))
	last := func(k string) float64 { return history.History[k][len(history.History[k])-1] }
	fmt.Fprintf(w, "last epoch: loss %.4f (mass %.4f, species %.4f, sex %.4f), val_loss %.4f\n",
		last("loss"), last("mass_loss"), last("species_loss"), last("sex_loss"), last("val_loss"))

	pred, err := model.Predict(test.x, keras.Verbose(0))
	if err != nil {
		return err
	}
	massPred := pred[0].Data().([]float32)
	var massMSE, meanMSE, trainMean float64
	for _, v := range train.mass {
		trainMean += v
	}
	trainMean /= float64(len(train.mass))
	for i, v := range test.mass {
		massMSE += (float64(massPred[i]) - v) * (float64(massPred[i]) - v)
		meanMSE += (trainMean - v) * (trainMean - v)
	}
	n := float64(len(test.mass))
	speciesProbs := pred[1].Data().([]float32)
	sexProbs := pred[2].Data().([]float32)
	speciesRight, sexRight := 0, 0
	for i := range test.species {
		row := speciesProbs[3*i : 3*i+3]
		if slices.Index(row, slices.Max(row)) == test.species[i] {
			speciesRight++
		}
		if (sexProbs[i] > 0.5) == (test.sex[i] == 1) {
			sexRight++
		}
	}
	fmt.Fprintf(w, "held-out penguins (%d):\n", len(testPenguins))
	fmt.Fprintf(w, "  mass     mse %.4f in standard deviations² (predicting the mean: %.4f); rmse %.0f g\n",
		massMSE/n, meanMSE/n, mass.std*math.Sqrt(massMSE/n))
	fmt.Fprintf(w, "  species  accuracy %.4f (majority class: %.4f)\n", float64(speciesRight)/n, majority(train.species, test.species))
	fmt.Fprintf(w, "  sex      accuracy %.4f (majority class: %.4f)\n", float64(sexRight)/n, majority(train.sex, test.sex))
	return nil
}

// majority returns the accuracy on test of always answering the most frequent training label.
func majority(train, test []int) float64 {
	counts := map[int]int{}
	best := 0
	for _, l := range train {
		counts[l]++
		if counts[l] > counts[best] || (counts[l] == counts[best] && l < best) {
			best = l
		}
	}
	right := 0
	for _, l := range test {
		if l == best {
			right++
		}
	}
	return float64(right) / float64(len(test))
}
