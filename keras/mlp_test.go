package keras_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/datasets"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// digits returns the scikit-learn digits scaled to [0, 1], with one-hot targets, shuffled
// with a fixed seed (as train_test_split does) and split 80/20.
func digits(t testing.TB) (xTrain, yTrain, xTest, yTest *tensor.Dense) {
	x, oh, err := datasets.DigitsPrepared(0)
	if err != nil {
		t.Fatal(err)
	}
	at := 1437
	if xTrain, xTest, err = datasets.Split(x, at); err != nil {
		t.Fatal(err)
	}
	if yTrain, yTest, err = datasets.Split(oh, at); err != nil {
		t.Fatal(err)
	}
	return
}

// The guide's first model (docs/guide.md, chapter 1), exactly as the API contract writes it,
// trained on real handwritten digits.
func TestSeedMLPDigits(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a few seconds")
	}
	keras.SetRandomSeed(42)
	xTrain, yTrain, xTest, yTest := digits(t)

	inputTensor := keras.Input(keras.Shape{64})
	x := layers.Dense(32, layers.Activation("relu")).Call(inputTensor)
	x = layers.Dense(32, layers.Activation("relu")).Call(x)
	outputTensor := layers.Dense(10, layers.Activation("softmax")).Call(x)
	model, err := keras.NewModel(keras.Inputs(inputTensor), keras.Outputs(outputTensor))
	if err != nil {
		t.Fatal(err)
	}
	if err := model.Compile("adam", "categorical_crossentropy", keras.Metrics("acc")); err != nil {
		t.Fatal(err)
	}
	history, err := model.Fit(xTrain, yTrain, keras.Epochs(40), keras.BatchSize(32), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	losses := history.History["loss"]
	if !(losses[len(losses)-1] < losses[0]/4) {
		t.Errorf("training loss went from %.4f to %.4f", losses[0], losses[len(losses)-1])
	}
	logs, err := model.Evaluate(xTest, yTest, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test loss %.4f, test accuracy %.4f (train acc %.4f)", logs["loss"], logs["acc"], history.History["acc"][len(losses)-1])
	if logs["acc"] < 0.95 {
		t.Errorf("test accuracy %.4f, want at least 0.95", logs["acc"])
	}
	// Predict agrees with Evaluate's accuracy.
	preds, err := model.Predict(xTest, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	p := preds[0].Data().([]float32)
	yt := yTest.Data().([]float32)
	hits := 0
	n := yTest.Shape()[0]
	for i := 0; i < n; i++ {
		best, truth := 0, 0
		for j := 0; j < 10; j++ {
			if p[i*10+j] > p[i*10+best] {
				best = j
			}
			if yt[i*10+j] == 1 {
				truth = j
			}
		}
		if best == truth {
			hits++
		}
	}
	if acc := float64(hits) / float64(n); acc != logs["acc"] {
		t.Errorf("Predict gives accuracy %.4f, Evaluate %.4f", acc, logs["acc"])
	}
}
