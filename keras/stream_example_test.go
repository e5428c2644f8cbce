package keras_test

import (
	"fmt"
	"log"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// rowIDs is a source of 10 rows, in batches of 4, whose single feature is the row's number
// and whose target is twice it. Ranging it again starts over, as Fit does every epoch.
func rowIDs(yield func(keras.Batch, error) bool) {
	for s := 0; s < 10; s += 4 {
		var x, y []float32
		for r := s; r < min(s+4, 10); r++ {
			x, y = append(x, float32(r)), append(y, 2*float32(r))
		}
		b := keras.Batch{X: tensor.New(tensor.WithShape(len(x), 1), tensor.WithBacking(x)),
			Y: tensor.New(tensor.WithShape(len(y), 1), tensor.WithBacking(y))}
		if !yield(b, nil) {
			return
		}
	}
}

// Fit, Evaluate and Predict take a Stream as x, with y nil: the batches carry the targets.
func ExampleFromIterator() {
	keras.SetRandomSeed(1)
	in := keras.Input(keras.Shape{1})
	model, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Dense(1).Call(in)))
	if err != nil {
		log.Fatal(err)
	}
	if err := model.Compile("sgd", "mse"); err != nil {
		log.Fatal(err)
	}
	// 3 batches a pass; StepsPerEpoch(2) makes epochs of 2 batches that continue the pass.
	counter := &perEpoch{}
	_, err = model.Fit(keras.FromIterator(rowIDs), nil, keras.Epochs(4), keras.StepsPerEpoch(2),
		keras.Callbacks(counter), keras.Verbose(0))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("batches per epoch:", counter.steps)
	out, err := model.Predict(keras.FromIterator(rowIDs), keras.Verbose(0))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("predicted rows:", out[0].Shape()[0])
	// Output:
	// batches per epoch: [2 1 2 1]
	// predicted rows: 10
}

// Shard keeps one replica's or one rank's rows: i, i+n, i+2n, ... of every pass.
func ExampleStream_Shard() {
	in := keras.Input(keras.Shape{1})
	identity, err := keras.NewModel(keras.Inputs(in), keras.Outputs(in))
	if err != nil {
		log.Fatal(err)
	}
	for rank := range 3 {
		out, err := identity.Predict(keras.FromIterator(rowIDs).Shard(rank, 3), keras.Verbose(0))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("rank %d of 3 reads rows %v\n", rank, out[0].Data())
	}
	// Output:
	// rank 0 of 3 reads rows [0 3 6 9]
	// rank 1 of 3 reads rows [1 4 7]
	// rank 2 of 3 reads rows [2 5 8]
}
