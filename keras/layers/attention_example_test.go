package layers_test

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
)

// A Transformer encoder block in the Keras guide's style: MultiHeadAttention takes the
// query and the value as two inputs, as Keras's layer(x, x) does. Its weights are Keras's
// EinsumDense kernels and biases, in Keras's shapes and order.
func ExampleMultiHeadAttention() {
	const vocab, maxLen, dim = 20, 8, 32
	tokens := keras.Input(keras.Shape{maxLen}, keras.DType("int32"))
	positions := keras.Input(keras.Shape{maxLen}, keras.DType("int32"))
	x := layers.Add().Call(layers.Embedding(vocab, dim).Call(tokens), layers.Embedding(maxLen, dim).Call(positions))
	mha := layers.MultiHeadAttention(2, 16, layers.Name("mha"))
	attn := layers.Dropout(0.1).Call(mha.Call(x, x))
	x1 := layers.LayerNormalization(1e-6, true, true).Call(layers.Add().Call(x, attn))
	ff := layers.Dense(dim).Call(layers.Dense(32, layers.Activation("relu")).Call(x1))
	x2 := layers.LayerNormalization(1e-6, true, true).Call(layers.Add().Call(x1, layers.Dropout(0.1).Call(ff)))
	out := layers.Dense(3, layers.Activation("softmax")).Call(layers.GlobalAveragePooling1D().Call(x2))
	if _, err := keras.NewModel(keras.Inputs(tokens, positions), keras.Outputs(out)); err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range mha.Variables() {
		fmt.Println(v.Path, v.Shape())
	}
	// Output:
	// mha/query/kernel (32, 2, 16)
	// mha/query/bias (2, 16)
	// mha/key/kernel (32, 2, 16)
	// mha/key/bias (2, 16)
	// mha/value/kernel (32, 2, 16)
	// mha/value/bias (2, 16)
	// mha/attention_output/kernel (2, 16, 32)
	// mha/attention_output/bias (32,)
}

// Keras's call arguments: an attention mask as a fourth input (Keras's
// layer(query, value, attention_mask=mask); the value is passed again as the key) and the
// attention weights as a second output (return_attention_scores=True).
func ExampleMultiHeadAttentionLayer_CallAll() {
	query := keras.Input(keras.Shape{4, 8}, keras.Name("query"))
	value := keras.Input(keras.Shape{6, 8}, keras.Name("value"))
	mask := keras.Input(keras.Shape{4, 6}, keras.Name("mask")) // 1: may attend, 0: may not
	mha := layers.MultiHeadAttention(2, 16, layers.ReturnAttentionScores(true))
	outs := mha.CallAll(query, value, value, mask)
	if _, err := keras.NewModel(keras.Inputs(query, value, mask), keras.Outputs(outs...)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output", outs[0].Shape())
	fmt.Println("scores", outs[1].Shape())
	// Output:
	// output (None, 4, 8)
	// scores (None, 2, 4, 6)
}
