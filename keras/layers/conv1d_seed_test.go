package layers_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// seedPosts returns n posts of the given length as token ids in [1, vocab), and the three targets
// of the guide's chapter 3 (age: a number; income: one of 4 groups, one-hot; gender: 0 or 1), each
// a function of the posts so that the model can learn them: a post of income group g holds a run of
// 5 tokens g+1 somewhere, gender is g%2, and the age is the run's start scaled to [1, 2].
func seedPosts(n, steps, vocab int) (x, age, income, gender *tensor.Dense) {
	ids := make([]int, n*steps)
	ag, inc, gen := make([]float32, n), make([]float32, n*4), make([]float32, n)
	for i := range ids {
		ids[i] = 5 + (i*7919+i/3)%(vocab-5)
	}
	for s := 0; s < n; s++ {
		g := s % 4
		at := (s*37)%(steps-8) + 2
		for k := 0; k < 5; k++ {
			ids[s*steps+at+k] = 1 + g
		}
		inc[s*4+g] = 1
		gen[s] = float32(g % 2)
		ag[s] = 1 + float32(at)/float32(steps)
	}
	return tensor.New(tensor.WithShape(n, steps), tensor.WithBacking(ids)),
		tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ag)),
		tensor.New(tensor.WithShape(n, 4), tensor.WithBacking(inc)),
		tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(gen))
}

// TestSeedThreeOutputConv1D builds the guide's three-output model as shared/API.md writes it, with
// smaller widths: Embedding, three Conv1D layers, two MaxPooling1D, GlobalMaxPooling1D, and three
// named heads compiled with a loss map and loss weights. Lengths are unknown when it is built; it
// trains on length 160 and predicts on length 200.
func TestSeedThreeOutputConv1D(t *testing.T) {
	keras.SetRandomSeed(2)
	const vocabularySize, numIncomeGroups = 100, 4
	posts := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("posts"))
	embeddedPosts := layers.Embedding(vocabularySize, 16).Call(posts)
	x := layers.Conv1D(16, 5, layers.Activation("relu")).Call(embeddedPosts)
	x = layers.MaxPooling1D(5).Call(x)
	x = layers.Conv1D(32, 5, layers.Activation("relu")).Call(x)
	x = layers.MaxPooling1D(5).Call(x)
	x = layers.Conv1D(32, 5, layers.Activation("relu")).Call(x)
	x = layers.GlobalMaxPooling1D().Call(x)
	x = layers.Dense(32, layers.Activation("relu")).Call(x)

	agePrediction := layers.Dense(1, layers.Name("age")).Call(x)
	incomePrediction := layers.Dense(numIncomeGroups, layers.Activation("softmax"), layers.Name("income")).Call(x)
	genderPrediction := layers.Dense(1, layers.Activation("sigmoid"), layers.Name("gender")).Call(x)

	model, err := keras.NewModel(keras.Inputs(posts),
		keras.Outputs(agePrediction, incomePrediction, genderPrediction))
	if err != nil {
		t.Fatal(err)
	}
	wantShapes := map[string]keras.Shape{"age": {none, 1}, "income": {none, numIncomeGroups}, "gender": {none, 1}}
	for _, o := range model.Outputs() {
		if !o.Shape().Equal(wantShapes[o.Layer().Name()]) {
			t.Errorf("output %s has shape %v, want %v", o.Layer().Name(), o.Shape(), wantShapes[o.Layer().Name()])
		}
	}
	err = model.Compile("rmsprop",
		map[string]string{"age": "mse", "income": "categorical_crossentropy", "gender": "binary_crossentropy"},
		keras.LossWeights(map[string]float64{"age": 0.25, "income": 1, "gender": 10}))
	if err != nil {
		t.Fatal(err)
	}
	postsData, ageTargets, incomeTargets, genderTargets := seedPosts(64, 160, vocabularySize)
	history, err := model.Fit(postsData,
		keras.Named{"age": ageTargets, "income": incomeTargets, "gender": genderTargets},
		keras.Epochs(20), keras.BatchSize(16), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"loss", "age_loss", "income_loss", "gender_loss"} {
		v := history.History[k]
		if len(v) != 20 {
			t.Fatalf("history[%q] = %v", k, v)
		}
		if math.IsNaN(v[19]) {
			t.Fatalf("history[%q] = %v", k, v)
		}
	}
	loss := history.History["loss"]
	t.Logf("loss by epoch: %.3f", loss)
	if !(loss[19] < 0.85*loss[0]) {
		t.Errorf("loss did not fall by 15%%: %v", loss)
	}
	longer, _, _, _ := seedPosts(3, 200, vocabularySize)
	out, err := model.Predict(longer, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range [][]int{{3, 1}, {3, numIncomeGroups}, {3, 1}} {
		if s := out[i].Shape(); len(s) != 2 || s[0] != want[0] || s[1] != want[1] {
			t.Errorf("prediction %d has shape %v, want %v", i, s, want)
		}
	}
}
