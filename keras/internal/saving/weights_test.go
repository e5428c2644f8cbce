package saving

import (
	"errors"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras/internal/errs"
	"github.com/kerago/kerago/keras/internal/hdf5"
	"gorgonia.org/tensor"
)

// weightsRoundTrip writes objs (and opt) as a weights file's bytes and reads them back as an
// HDF5 tree, as a saved and reopened .weights.h5 file.
func weightsRoundTrip(t *testing.T, objs []Object, opt *Optimizer) *hdf5.Group {
	t.Helper()
	f := hdf5.NewFile()
	if err := WriteWeights(f.Root, objs, opt); err != nil {
		t.Fatal(err)
	}
	b, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReadHDF5(b)
	if err != nil {
		t.Fatal(err)
	}
	return back.Root
}

// TestWeightsLayout checks Keras 3's layout of a weights file: each object's variables at
// <path>/vars/<i> with the object's name on the group, the optimizer's under
// optimizer/vars with the learning rate stored as float32 when that is exact, and values
// that read back as written, while a variable of another shape is refused naming both.
func TestWeightsLayout(t *testing.T) {
	kernel := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6}))
	bias := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{-1, 0, 1}))
	objs := []Object{
		{Path: "", Name: "model"},
		{Path: "layers/dense", Name: "dense", Vars: []Var{{"dense/kernel", kernel}, {"dense/bias", bias}}},
	}
	opt := &Optimizer{Name: "adam", Vars: []*tensor.Dense{
		tensor.New(tensor.FromScalar(int64(7))), tensor.New(tensor.FromScalar(0.001)),
	}}
	root := weightsRoundTrip(t, objs, opt)

	g, ok := root.Group("layers/dense/vars")
	if !ok {
		t.Fatal("no group layers/dense/vars")
	}
	if name, _ := g.AttrString("name"); name != "dense" {
		t.Errorf("layers/dense/vars name = %q, want dense", name)
	}
	vals, err := ReadWeights(root, objs)
	if err != nil {
		t.Fatal(err)
	}
	if got := vals[1][0].Data().([]float32); got[5] != 6 || len(got) != 6 {
		t.Errorf("kernel read back as %v", got)
	}
	if got := vals[1][1].Data().([]float32); got[0] != -1 || got[2] != 1 {
		t.Errorf("bias read back as %v", got)
	}
	lr, ok := root.Dataset("optimizer/vars/1")
	if !ok || lr.DType != hdf5.Float32 {
		t.Errorf("learning rate 0.001 stored as %+v, want a float32 dataset (exact in float32's shortest decimal)", lr)
	}
	ovars, found, err := ReadOptimizer(root)
	if err != nil || !found || len(ovars) != 2 || ovars[0].Data().(int64) != 7 {
		t.Errorf("optimizer variables read back as %v, %v, %v", ovars, found, err)
	}

	wrong := []Object{objs[0], {Path: "layers/dense", Vars: []Var{{"dense/kernel", tensor.New(tensor.WithShape(3, 2), tensor.Of(tensor.Float32))}}}}
	_, err = ReadWeights(root, wrong)
	if !errors.Is(err, errs.Shape) || !strings.Contains(err.Error(), "layers/dense/vars/0") || !strings.Contains(err.Error(), "dense/kernel") {
		t.Errorf("a kernel of another shape: got %v, want an error wrapping %v naming the dataset and the weight", err, errs.Shape)
	}
	missing := []Object{{Path: "layers/dense_1", Vars: []Var{{"dense_1/bias", bias}}}}
	if _, err := ReadWeights(root, missing); !errors.Is(err, errs.FileFormat) || !strings.Contains(err.Error(), "layers/dense_1/vars/0") {
		t.Errorf("a missing object: got %v, want an error wrapping %v naming the dataset", err, errs.FileFormat)
	}
	if _, found, _ := ReadOptimizer(weightsRoundTrip(t, objs, nil)); found {
		t.Error("a file written without an optimizer has optimizer/vars")
	}
}
