package keras_test

import (
	"fmt"
	"log"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
)

// keras.Name names inputs and models; layers.Name names layers.
func ExampleName() {
	pixels := keras.Input(keras.Shape{64}, keras.Name("pixels"))
	code := layers.Dense(8, layers.Name("code")).Call(pixels)
	encoder, err := keras.NewModel(keras.Inputs(pixels), keras.Outputs(code), keras.Name("encoder"))
	if err != nil {
		log.Fatal(err)
	}
	img := keras.Input(keras.Shape{64}, keras.Name("image"))
	digit := layers.Dense(10, layers.Activation("softmax"), layers.Name("digit")).Call(encoder.Call(img))
	classifier, err := keras.NewModel(keras.Inputs(img), keras.Outputs(digit), keras.Name("classifier"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(classifier.Name(), classifier.InputNames(), classifier.OutputNames())
	for _, l := range classifier.Layers() {
		fmt.Println(l.Name(), l.ClassName())
	}
	// Output:
	// classifier [image] [digit]
	// image InputLayer
	// encoder Functional
	// digit Dense
}
