package initializers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/kerago/kerago/keras/initializers"
	"gorgonia.org/tensor"
)

// Get resolves the names that layer options take; a seeded generator makes the values
// reproducible.
func ExampleGet() {
	init, err := initializers.Get("glorot_uniform")
	if err != nil {
		fmt.Println(err)
		return
	}
	kernel := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(64, 32))
	if err := init.Initialize(kernel, rand.New(rand.NewPCG(1, 2))); err != nil {
		fmt.Println(err)
		return
	}
	limit := math.Sqrt(6.0 / (64 + 32))
	inside := true
	for _, v := range kernel.Data().([]float32) {
		inside = inside && math.Abs(float64(v)) <= limit
	}
	fmt.Printf("all %d values within ±%.4f: %v\n", kernel.Shape().TotalSize(), limit, inside)
	// Output: all 2048 values within ±0.2500: true
}

// Fans follows Keras: a Conv1D kernel (kernel_size, in, out) counts the receptive field.
func ExampleFans() {
	fmt.Println(initializers.Fans([]int{784, 10}))
	fmt.Println(initializers.Fans([]int{5, 32, 64}))
	// Output:
	// 784 10
	// 160 320
}

// Orthogonal gives an LSTM recurrent kernel (units, 4*units) orthonormal rows.
func ExampleOrthogonal() {
	const units = 3
	k := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(units, 4*units))
	if err := initializers.Orthogonal(1).Initialize(k, rand.New(rand.NewPCG(7, 7))); err != nil {
		fmt.Println(err)
		return
	}
	d := k.Data().([]float64)
	for i := 0; i < units; i++ {
		for j := 0; j < units; j++ {
			dot := 0.0
			for c := 0; c < 4*units; c++ {
				dot += d[i*4*units+c] * d[j*4*units+c]
			}
			fmt.Printf("%4.1f", math.Abs(dot))
		}
		fmt.Println()
	}
	// Output:
	//  1.0 0.0 0.0
	//  0.0 1.0 0.0
	//  0.0 0.0 1.0
}

// Serialize writes the dict Keras 3 stores in config.json; Deserialize reads it back.
func ExampleSerialize() {
	raw, _ := json.Marshal(initializers.Serialize(initializers.RandomUniform(-0.05, 0.05)))
	fmt.Println(string(raw))

	var dict map[string]any
	_ = json.Unmarshal(raw, &dict)
	init, err := initializers.Deserialize(dict)
	fmt.Println(initializers.Config(init))
	fmt.Println(err)
	// Output:
	// {"class_name":"RandomUniform","config":{"maxval":0.05,"minval":-0.05,"seed":null},"module":"keras.initializers","registered_name":null}
	// RandomUniform map[maxval:0.05 minval:-0.05 seed:<nil>]
	// <nil>
}

// Constant fills every element with one value, here an LSTM-style bias slice.
func ExampleConstant() {
	b := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(4))
	_ = initializers.Constant(0.03).Initialize(b, nil)
	fmt.Println(b.Data())
	// Output: [0.03 0.03 0.03 0.03]
}
