package hdf5_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/kerago/kerago/keras/internal/hdf5"
)

// Write the weights of one Dense layer the way Keras 3 stores them in a
// .weights.h5 file, then read them back.
func Example() {
	f := hdf5.NewFile()
	kernel := []float32{0.5, -1, 2, 0.25, 1, -0.5} // shape (3, 2), row-major
	if _, err := f.Root.CreateDataset("layers/dense/vars/0", []int{3, 2}, kernel); err != nil {
		log.Fatal(err)
	}
	if _, err := f.Root.CreateDataset("layers/dense/vars/1", []int{2}, []float32{0, 0.1}); err != nil {
		log.Fatal(err)
	}
	vars, _ := f.Root.Group("layers/dense/vars")
	if err := vars.SetAttr("name", "dense"); err != nil {
		log.Fatal(err)
	}
	b, err := f.Bytes() // or f.Save("model.weights.h5")
	if err != nil {
		log.Fatal(err)
	}

	g, err := hdf5.Read(bytes.NewReader(b), int64(len(b))) // or hdf5.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	d, _ := g.Root.Dataset("layers/dense/vars/0")
	w, _ := d.Float32s()
	fmt.Println(d.Shape, d.DType, w)
	name, _ := g.Root.Group("layers/dense/vars")
	fmt.Println(name.Keys())
	fmt.Println(name.AttrString("name"))
	// Output:
	// [3 2] float32 [0.5 -1 2 0.25 1 -0.5]
	// [0 1]
	// dense true
}
