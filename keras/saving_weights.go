package keras

import (
	"fmt"

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

// weightObjects lists the objects of m's weights file in Keras's walk order
// (saving_lib._save_state): the model itself, then each layer of Layers() keyed by its
// snake-cased class name made unique in the list ("layers/dense", "layers/dense_1"), nested
// models recursively, each object once (a shared layer is saved at its first key).
func weightObjects(m *Model) ([]saving.Object, error) {
	var out []saving.Object
	visited := map[Layer]bool{}
	var walk func(m *Model, prefix string) error
	walk = func(m *Model, prefix string) error {
		out = append(out, saving.Object{Path: prefix, Name: m.Name()})
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
			own := saving.Object{Path: path, Name: l.Name()}
			wo, ok := l.(WeightOwners)
			if !ok {
				own.Vars = savingVars(vars)
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
					out = append(out, saving.Object{Path: saving.JoinPath(path, o)})
				}
				out[k].Vars = append(out[k].Vars, saving.Var{Path: vars[i].Path, Value: vars[i].Value})
			}
		}
		return nil
	}
	if err := walk(m, ""); err != nil {
		return nil, err
	}
	return out, nil
}

// savingVars lists vars as the saving package takes them.
func savingVars(vars []*Variable) []saving.Var {
	out := make([]saving.Var, len(vars))
	for i, v := range vars {
		out[i] = saving.Var{Path: v.Path, Value: v.Value}
	}
	return out
}

// writeWeights adds m's variables to root in Keras 3's layout, and the optimizer's variables
// under optimizer/vars when the model is compiled.
func writeWeights(m *Model, root *hdf5.Group) error {
	objs, err := weightObjects(m)
	if err != nil {
		return err
	}
	if m.compiled == nil {
		return saving.WriteWeights(root, objs, nil)
	}
	opt := m.compiled.optimizer
	name, _ := opt.Config()["name"].(string)
	return saving.WriteWeights(root, objs, &saving.Optimizer{Name: name, Vars: opt.Variables()})
}

// readWeights reads m's variables from root (Keras 3's layout) and, when m is compiled and
// the file has them, the optimizer's variables. Nothing changes unless everything reads.
func readWeights(m *Model, root *hdf5.Group) error {
	objs, err := weightObjects(m)
	if err != nil {
		return err
	}
	vals, err := saving.ReadWeights(root, objs)
	if err != nil {
		return err
	}
	var optVars []*tensor.Dense
	if m.compiled != nil {
		var found bool
		if optVars, found, err = saving.ReadOptimizer(root); err != nil {
			return err
		}
		if found {
			if err := checkOptimizerVars(m.compiled.optimizer, optVars, m.compiled.trainable); err != nil {
				return fmt.Errorf("optimizer/vars: %w", err)
			}
		}
	}
	for k, o := range objs {
		for i, v := range o.Vars {
			if err := copyInto(v.Value, vals[k][i]); err != nil {
				return fmt.Errorf("weight %s: %w", v.Path, err)
			}
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
	probe, err := optimizers.FromConfig(saving.OptimizerClass(opt.Name()), opt.Config())
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
