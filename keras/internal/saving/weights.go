package saving

import (
	"fmt"
	"strconv"

	"github.com/kerago/kerago/keras/internal/errs"
	"github.com/kerago/kerago/keras/internal/hdf5"
	"gorgonia.org/tensor"
)

// Var is one variable of a weights file: its current value, whose shape and dtype a read
// must match, and its path in the model ("dense/kernel"), which messages name.
type Var struct {
	Path  string
	Value *tensor.Dense
}

// Object is one Keras object of a Keras 3 weights file (.weights.h5, or the model.weights.h5
// of a .keras archive): the group that holds its variables ("<Path>/vars/0", "<Path>/vars/1"
// ...), the name Keras records on that group, and the variables in order. The caller lists
// the objects in Keras's walk order; this package only lays them out.
type Object struct {
	Path string
	Name string
	Vars []Var
}

// optimizerGroup is where Keras 3 keeps the optimizer's variables in a weights file.
const optimizerGroup = "optimizer/vars"

// Optimizer is the optimizer part of a weights file: the optimizer's name, recorded on its
// group, and its variables in Keras's order (iterations, learning rate, slots).
type Optimizer struct {
	Name string
	Vars []*tensor.Dense
}

// WriteWeights adds the objects' variables to root in Keras 3's layout and, when opt is not
// nil (the model is compiled), the optimizer's variables under optimizer/vars.
func WriteWeights(root *hdf5.Group, objs []Object, opt *Optimizer) error {
	for _, o := range objs {
		g, err := root.CreateGroup(JoinPath(o.Path, "vars"))
		if err != nil {
			return err
		}
		if o.Name != "" {
			if err := g.SetAttr("name", o.Name); err != nil {
				return err
			}
		}
		for i, v := range o.Vars {
			if err := writeDataset(g, strconv.Itoa(i), v.Value); err != nil {
				return fmt.Errorf("weight %s: %w", v.Path, err)
			}
		}
	}
	if opt == nil {
		return nil
	}
	g, err := root.CreateGroup(optimizerGroup)
	if err != nil {
		return err
	}
	if opt.Name != "" {
		if err := g.SetAttr("name", opt.Name); err != nil {
			return err
		}
	}
	for i, t := range optimizerVariables(opt.Vars) {
		if err := writeDataset(g, strconv.Itoa(i), t); err != nil {
			return fmt.Errorf("optimizer variable %d: %w", i, err)
		}
	}
	return nil
}

// writeDataset writes t as dataset name of g.
func writeDataset(g *hdf5.Group, name string, t *tensor.Dense) error {
	data, err := tensorSlice(t)
	if err != nil {
		return err
	}
	_, err = g.CreateDataset(name, []int(t.Shape()), data)
	return err
}

// optimizerVariables returns an optimizer's variables as Keras stores them: the iteration
// count as int64, the learning rate as float32 when that reads back exactly (the optimizer
// restores the shortest decimal of a float32), float64 otherwise, then the slots. vars is
// not changed.
func optimizerVariables(vars []*tensor.Dense) []*tensor.Dense {
	out := append([]*tensor.Dense(nil), vars...)
	if len(out) >= 2 {
		if lr, ok := out[1].Data().(float64); ok {
			f := float32(lr)
			back, _ := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'g', -1, 32), 64)
			if back == lr {
				out[1] = tensor.New(tensor.FromScalar(f))
			}
		}
	}
	return out
}

// readVar reads dataset d (at key, for messages) as a new tensor of v's shape and dtype.
func readVar(d *hdf5.Dataset, key string, v Var) (*tensor.Dense, error) {
	want := v.Value.Shape()
	if !sameDims(d.Shape, want) {
		return nil, fmt.Errorf("%w: %s has shape %v, weight %s has shape %v", errs.Shape, key, d.Shape, v.Path, []int(want))
	}
	return datasetTensor(d, key, v.Value.Dtype())
}

// ReadWeights reads the objects' variables from root, laid out as WriteWeights writes them,
// each checked against its Var's shape and read in its dtype. The result holds, for each
// object, the values in Vars order; nothing is written into the Vars.
func ReadWeights(root *hdf5.Group, objs []Object) ([][]*tensor.Dense, error) {
	out := make([][]*tensor.Dense, len(objs))
	for k, o := range objs {
		for i, v := range o.Vars {
			key := JoinPath(o.Path, "vars", strconv.Itoa(i))
			d, ok := root.Dataset(key)
			if !ok {
				return nil, fmt.Errorf("%w: no dataset %s for weight %s", errs.FileFormat, key, v.Path)
			}
			val, err := readVar(d, key, v)
			if err != nil {
				return nil, err
			}
			out[k] = append(out[k], val)
		}
	}
	return out, nil
}

// ReadOptimizer reads the optimizer's variables of a weights file; ok is false when the file
// has none.
func ReadOptimizer(root *hdf5.Group) (vars []*tensor.Dense, ok bool, err error) {
	g, ok := root.Group(optimizerGroup)
	if !ok {
		return nil, false, nil
	}
	vars, err = readOptimizerVars(g, optimizerGroup)
	return vars, true, err
}
