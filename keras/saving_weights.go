package keras

import (
	"fmt"
	"strconv"

	"github.com/kerago/kerago/keras/internal/hdf5"
	"github.com/kerago/kerago/keras/internal/saving"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// WeightOwners is implemented by layers whose weights Keras 3 saves below objects that the
// layer holds rather than under the layer itself: a recurrent layer's weights belong to its
// cell ("layers/lstm/cell/vars/0"), a Bidirectional wrapper's to the cells of its two copies
// ("layers/bidirectional/forward_layer/cell/vars/0"). WeightOwners returns, for each weight in
// Variables order, the path from the layer to its owner ("cell", "forward_layer/cell"), or ""
// for a weight the layer owns itself. Layers that do not implement it own all their weights.
type WeightOwners interface {
	WeightOwners() []string
}

// savedObject is one Keras object in a weights file: the group that holds its variables
// ("<path>/vars/0", "<path>/vars/1" ...), the name Keras records on that group, and the
// variables in order.
type savedObject struct {
	path string
	name string
	vars []*Variable
}

// weightObjects lists the objects of m's weights file in Keras's walk order
// (saving_lib._save_state): the model itself, then each layer of Layers() keyed by its
// snake-cased class name made unique in the list ("layers/dense", "layers/dense_1"), nested
// models recursively, each object once (a shared layer is saved at its first key).
func weightObjects(m *Model) ([]savedObject, error) {
	var out []savedObject
	visited := map[Layer]bool{}
	var walk func(m *Model, prefix string) error
	walk = func(m *Model, prefix string) error {
		out = append(out, savedObject{path: prefix, name: m.Name()})
		used := map[string]int{}
		for _, l := range m.Layers() {
			path := saving.JoinPath(prefix, "layers", saving.UniqueKey(saving.KerasSnakeCase(l.ClassName()), used))
			if visited[l] {
				continue
			}
			visited[l] = true
			if inner, ok := l.(*Model); ok {
				if err := walk(inner, path); err != nil {
					return err
				}
				continue
			}
			vars := l.Variables()
			own := savedObject{path: path, name: l.Name()}
			wo, ok := l.(WeightOwners)
			if !ok {
				own.vars = vars
				out = append(out, own)
				continue
			}
			owners := wo.WeightOwners()
			if len(owners) != len(vars) {
				return layerErr(l, fmt.Errorf("%w: WeightOwners gives %d owners for %d weights", ErrInternal, len(owners), len(vars)))
			}
			out = append(out, own)
			index := map[string]int{"": len(out) - 1}
			for i, o := range owners {
				k, ok := index[o]
				if !ok {
					k = len(out)
					index[o] = k
					out = append(out, savedObject{path: saving.JoinPath(path, o)})
				}
				out[k].vars = append(out[k].vars, vars[i])
			}
		}
		return nil
	}
	if err := walk(m, ""); err != nil {
		return nil, err
	}
	return out, nil
}

// writeWeights adds m's variables to f in Keras 3's layout, and the optimizer's variables
// under optimizer/vars when the model is compiled.
func writeWeights(m *Model, root *hdf5.Group) error {
	objs, err := weightObjects(m)
	if err != nil {
		return err
	}
	for _, o := range objs {
		g, err := root.CreateGroup(saving.JoinPath(o.path, "vars"))
		if err != nil {
			return err
		}
		if o.name != "" {
			if err := g.SetAttr("name", o.name); err != nil {
				return err
			}
		}
		for i, v := range o.vars {
			data, err := saving.TensorSlice(v.Value)
			if err != nil {
				return fmt.Errorf("weight %s: %w", v.Path, err)
			}
			if _, err := g.CreateDataset(strconv.Itoa(i), []int(v.Value.Shape()), data); err != nil {
				return fmt.Errorf("weight %s: %w", v.Path, err)
			}
		}
	}
	if m.compiled == nil {
		return nil
	}
	opt := m.compiled.optimizer
	g, err := root.CreateGroup("optimizer/vars")
	if err != nil {
		return err
	}
	if name, ok := opt.Config()["name"].(string); ok {
		if err := g.SetAttr("name", name); err != nil {
			return err
		}
	}
	for i, t := range optimizerVariables(opt) {
		data, err := saving.TensorSlice(t)
		if err != nil {
			return fmt.Errorf("optimizer variable %d: %w", i, err)
		}
		if _, err := g.CreateDataset(strconv.Itoa(i), []int(t.Shape()), data); err != nil {
			return fmt.Errorf("optimizer variable %d: %w", i, err)
		}
	}
	return nil
}

// optimizerVariables returns the optimizer's variables as Keras stores them: the iteration
// count as int64, the learning rate as float32 when that reads back exactly (the optimizer
// restores the shortest decimal of a float32), float64 otherwise, then the slots.
func optimizerVariables(opt optimizers.Optimizer) []*tensor.Dense {
	vars := opt.Variables()
	if len(vars) >= 2 {
		if lr, ok := vars[1].Data().(float64); ok {
			f := float32(lr)
			back, _ := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'g', -1, 32), 64)
			if back == lr {
				vars[1] = tensor.New(tensor.FromScalar(f))
			}
		}
	}
	return vars
}

// readInto reads dataset d into a new tensor of v's shape and dtype.
func readInto(d *hdf5.Dataset, key string, v *Variable) (*tensor.Dense, error) {
	want := v.Value.Shape()
	if !saving.SameDims(d.Shape, want) {
		return nil, fmt.Errorf("%w: %s has shape %v, weight %s has shape %v", ErrShape, key, d.Shape, v.Path, []int(want))
	}
	return saving.DatasetTensor(d, key, v.Value.Dtype())
}

// readWeights reads m's variables from root (Keras 3's layout) and, when m is compiled and
// the file has them, the optimizer's variables. Nothing changes unless everything reads.
func readWeights(m *Model, root *hdf5.Group) error {
	objs, err := weightObjects(m)
	if err != nil {
		return err
	}
	type load struct {
		v   *Variable
		val *tensor.Dense
	}
	var loads []load
	for _, o := range objs {
		for i, v := range o.vars {
			key := saving.JoinPath(o.path, "vars", strconv.Itoa(i))
			d, ok := root.Dataset(key)
			if !ok {
				return fmt.Errorf("%w: no dataset %s for weight %s", ErrFileFormat, key, v.Path)
			}
			val, err := readInto(d, key, v)
			if err != nil {
				return err
			}
			loads = append(loads, load{v, val})
		}
	}
	var optVars []*tensor.Dense
	if m.compiled != nil {
		if g, ok := root.Group("optimizer/vars"); ok {
			if optVars, err = saving.ReadOptimizerVars(g, "optimizer/vars"); err != nil {
				return err
			}
			if err := checkOptimizerVars(m.compiled.optimizer, optVars, m.compiled.trainable); err != nil {
				return fmt.Errorf("optimizer/vars: %w", err)
			}
		}
	}
	for _, l := range loads {
		if err := copyInto(l.v.Value, l.val); err != nil {
			return fmt.Errorf("weight %s: %w", l.v.Path, err)
		}
	}
	if optVars != nil {
		if err := m.compiled.optimizer.SetVariables(optVars); err != nil {
			return fmt.Errorf("optimizer/vars: %w", err)
		}
	}
	return nil
}

// checkOptimizerVars checks restored optimizer variables against the model's trainable
// weights on a scratch copy of the optimizer, so a mismatch is reported when the file is
// read rather than at the first training step.
func checkOptimizerVars(opt optimizers.Optimizer, vars []*tensor.Dense, params []*Variable) error {
	probe, err := optimizers.FromConfig(optimizerClass(opt.Name()), opt.Config())
	if err != nil {
		return nil // not a built-in optimizer: SetVariables and Apply check
	}
	if err := probe.SetVariables(vars); err != nil {
		return err
	}
	if len(vars) <= 2 || len(params) == 0 {
		return nil
	}
	ps := make([]*tensor.Dense, len(params))
	gs := make([]*tensor.Dense, len(params))
	for i, p := range params {
		ps[i] = p.Value.Clone().(*tensor.Dense)
		gs[i] = tensor.New(tensor.Of(p.Value.Dtype()), tensor.WithShape(p.Value.Shape().Clone()...))
	}
	return probe.Apply(ps, gs)
}
