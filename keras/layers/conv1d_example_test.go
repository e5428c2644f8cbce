package layers_test

import (
	"fmt"
	"os"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
)

// A text classifier in the style of the guide's three-output model (docs/guide.md, chapter 3):
// embedded tokens, Conv1D and pooling, and a softmax head. Sequence lengths stay unknown (None)
// until data arrives.
func ExampleConv1D() {
	posts := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("posts"))
	x := layers.Embedding(1000, 32, layers.Name("embedding")).Call(posts)
	x = layers.Conv1D(64, 5, layers.Activation("relu"), layers.Name("conv")).Call(x)
	x = layers.MaxPooling1D(5, layers.Name("pool")).Call(x)
	x = layers.Conv1D(64, 5, layers.Activation("relu"), layers.Padding("causal"), layers.Name("causal_conv")).Call(x)
	x = layers.GlobalMaxPooling1D(layers.Name("global_pool")).Call(x)
	out := layers.Dense(3, layers.Activation("softmax"), layers.Name("classes")).Call(x)
	model, err := keras.NewModel(keras.Inputs(posts), keras.Outputs(out), keras.ModelName("text_cnn"))
	if err != nil {
		fmt.Println(err)
		return
	}
	model.Summary(os.Stdout)
	// Output:
	// Model: "text_cnn"
	// ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
	// ┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
	// ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
	// │ posts (InputLayer)                   │ (None, None)                │               0 │
	// ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
	// │ embedding (Embedding)                │ (None, None, 32)            │          32,000 │
	// ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
	// │ conv (Conv1D)                        │ (None, None, 64)            │          10,304 │
	// ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
	// │ pool (MaxPooling1D)                  │ (None, None, 64)            │               0 │
	// ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
	// │ causal_conv (Conv1D)                 │ (None, None, 64)            │          20,544 │
	// ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
	// │ global_pool (GlobalMaxPooling1D)     │ (None, 64)                  │               0 │
	// ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
	// │ classes (Dense)                      │ (None, 3)                   │             195 │
	// └──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
	//  Total params: 63,043 (246.26 KB)
	//  Trainable params: 63,043 (246.26 KB)
	//  Non-trainable params: 0 (0.00 B)
}

// The Inception-style module of the guide (docs/guide.md, chapter 4) on 32x32 RGB images: parallel
// branches whose outputs are concatenated on the channel axis.
func ExampleConv2D() {
	img := keras.Input(keras.Shape{32, 32, 3}, keras.Name("image"))
	a := layers.Conv2D(16, 1, layers.Activation("relu"), layers.Strides(2), layers.Name("branch_a")).Call(img)
	b := layers.Conv2D(16, 1, layers.Activation("relu"), layers.Name("branch_b1")).Call(img)
	b = layers.Conv2D(16, 3, layers.Activation("relu"), layers.Strides(2), layers.Padding("same"), layers.Name("branch_b2")).Call(b)
	c := layers.AveragePooling2D(3, layers.Strides(2), layers.Padding("same"), layers.Name("branch_c1")).Call(img)
	c = layers.Conv2D(16, 3, layers.Activation("relu"), layers.Padding("same"), layers.Name("branch_c2")).Call(c)
	out := layers.Concatenate(layers.Axis(-1), layers.Name("mixed")).Call(a, b, c)
	fmt.Println(a.Shape(), b.Shape(), c.Shape(), out.Shape())
	// Output:
	// (None, 16, 16, 16) (None, 16, 16, 16) (None, 16, 16, 16) (None, 16, 16, 48)
}
