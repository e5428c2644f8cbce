package layers_test

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// An LSTM over sequences of unknown length, returning every step's output and its final
// states.
func ExampleLSTM() {
	in := keras.Input(keras.Shape{keras.None, 8})
	lstm := layers.LSTM(4, layers.ReturnSequences(true), layers.ReturnState(true))
	for _, out := range lstm.CallAll(in) {
		fmt.Println(out.Shape())
	}
	for _, v := range lstm.Variables() {
		fmt.Println(v.Name, v.Shape())
	}
	// Output:
	// (None, None, 4)
	// (None, 4)
	// (None, 4)
	// kernel (8, 16)
	// recurrent_kernel (4, 16)
	// bias (16,)
}

// With MaskZero, id 0 is padding: the LSTM skips those steps, so padding a sequence does not
// change its encoding.
func ExampleEmbedding_maskZero() {
	keras.SetRandomSeed(1)
	ids := keras.Input(keras.Shape{keras.None}, keras.DType("int32"))
	x := layers.Embedding(100, 8, layers.MaskZero(true)).Call(ids)
	model, err := keras.NewModel(keras.Inputs(ids), keras.Outputs(layers.LSTM(2).Call(x)))
	if err != nil {
		fmt.Println(err)
		return
	}
	batch := tensor.New(tensor.WithShape(2, 6), tensor.WithBacking([]int32{
		7, 42, 3, 0, 0, 0, // padded after
		0, 0, 0, 7, 42, 3, // padded before
	}))
	out, err := model.Predict(batch, keras.Verbose(0))
	if err != nil {
		fmt.Println(err)
		return
	}
	v := out[0].Data().([]float32)
	fmt.Println(v[0] == v[2] && v[1] == v[3])
	// Output: true
}

// Bidirectional runs two copies of the wrapped layer, forward and backward, each with its
// own weights.
func ExampleBidirectional() {
	in := keras.Input(keras.Shape{keras.None, 3})
	bi := layers.Bidirectional(layers.GRU(5, layers.Name("gru")), layers.Name("bi"))
	fmt.Println(bi.Call(in).Shape())
	for _, v := range bi.Variables() {
		fmt.Println(v.Path, v.Shape())
	}
	// Output:
	// (None, 10)
	// bi/forward_gru/gru_cell/kernel (3, 15)
	// bi/forward_gru/gru_cell/recurrent_kernel (5, 15)
	// bi/forward_gru/gru_cell/bias (2, 15)
	// bi/backward_gru/gru_cell/kernel (3, 15)
	// bi/backward_gru/gru_cell/recurrent_kernel (5, 15)
	// bi/backward_gru/gru_cell/bias (2, 15)
}
