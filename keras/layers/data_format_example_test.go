package layers_test

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
)

// A small CNN on channels_first images, (channels, height, width), as Keras's
// data_format="channels_first": the channel axis stays at position 1 through the layers,
// and BatchNormalization normalises it with Axis(1).
func ExampleDataFormat() {
	cf := layers.DataFormat(layers.ChannelsFirst)
	x := keras.Input(keras.Shape{3, 16, 16})
	h := layers.Conv2D(8, 3, layers.Padding("same"), cf).Call(x)
	h = layers.BatchNormalization(layers.Axis(1)).Call(h)
	p := layers.MaxPooling2D(2, cf).Call(h)
	y := layers.Dense(10).Call(layers.Flatten(cf).Call(p))
	fmt.Println(h.Shape(), p.Shape(), y.Shape())
	// Output: (None, 8, 16, 16) (None, 8, 8, 8) (None, 10)
}
