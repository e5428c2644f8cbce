package layers_test

import (
	"fmt"
	"os"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
)

// A convolutional autoencoder for 28×28 grey images: a strided Conv2D and a separable
// convolution encode, a depthwise convolution filters the code, and two transposed
// convolutions decode back to the input's size.
func ExampleConv2DTranspose() {
	img := keras.Input(keras.Shape{28, 28, 1}, keras.Name("img"))
	x := layers.Conv2D(16, 3, layers.Strides(2), layers.Padding("same"), layers.Activation("relu"), layers.Name("encode_1")).Call(img)
	x = layers.SeparableConv2D(32, 3, layers.Strides(2), layers.Padding("same"), layers.Activation("relu"), layers.Name("encode_2")).Call(x)
	x = layers.DepthwiseConv2D(3, layers.Padding("same"), layers.Activation("relu"), layers.Name("code")).Call(x)
	x = layers.Conv2DTranspose(16, 3, layers.Strides(2), layers.Padding("same"), layers.Activation("relu"), layers.Name("decode_1")).Call(x)
	out := layers.Conv2DTranspose(1, 3, layers.Strides(2), layers.Padding("same"), layers.Activation("sigmoid"), layers.Name("decode_2")).Call(x)
	model, err := keras.NewModel(keras.Inputs(img), keras.Outputs(out), keras.ModelName("autoencoder"))
	if err != nil {
		fmt.Println(err)
		return
	}
	model.Summary(os.Stdout)
	// Output:
	// Model: "autoencoder"
	// ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
	// ┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
	// ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
	// │ img (InputLayer)                     │ (None, 28, 28, 1)           │               0 │
	// ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
	// │ encode_1 (Conv2D)                    │ (None, 14, 14, 16)          │             160 │
	// ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
	// │ encode_2 (SeparableConv2D)           │ (None, 7, 7, 32)            │             688 │
	// ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
	// │ code (DepthwiseConv2D)               │ (None, 7, 7, 32)            │             320 │
	// ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
	// │ decode_1 (Conv2DTranspose)           │ (None, 14, 14, 16)          │           4,624 │
	// ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
	// │ decode_2 (Conv2DTranspose)           │ (None, 28, 28, 1)           │             145 │
	// └──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
	//  Total params: 5,937 (23.19 KB)
	//  Trainable params: 5,937 (23.19 KB)
	//  Non-trainable params: 0 (0.00 B)
}
