package keras

import (
	"fmt"

	"github.com/kerago/kerago/keras/internal/hdf5"
	"github.com/kerago/kerago/keras/internal/saving"
)

// trainableSet marks the weights of l that are trained: trainable weights of trainable
// layers inside trainable models.
func trainableSet(l Layer, frozen bool, set map[*Variable]bool) {
	frozen = frozen || !l.base().trainable
	if m, ok := l.(*Model); ok {
		for _, inner := range m.layers {
			trainableSet(inner, frozen, set)
		}
		return
	}
	for _, v := range l.Variables() {
		if v.Trainable && !frozen {
			set[v] = true
		}
	}
}

// legacyVariables is Keras's _legacy_weights: the layer's trainable weights, then its
// non-trainable ones (a frozen layer's weights are all non-trainable).
func legacyVariables(l Layer) []*Variable {
	set := map[*Variable]bool{}
	trainableSet(l, false, set)
	all := l.Variables()
	var tr, ntr []*Variable
	for _, v := range all {
		if set[v] {
			tr = append(tr, v)
		} else {
			ntr = append(ntr, v)
		}
	}
	return append(tr, ntr...)
}

// legacyPaths returns Keras's variable paths for the weights of m's layers: a weight of a
// layer inside a Sequential model is prefixed with the model's name, as Keras 3 builds those
// layers under the model's name scope.
func legacyPaths(m *Model) map[*Variable]string {
	out := map[*Variable]string{}
	var walk func(m *Model, prefix string)
	walk = func(m *Model, prefix string) {
		if m.sequential {
			prefix = saving.JoinPath(prefix, m.Name())
		}
		for _, l := range m.layers {
			if inner, ok := l.(*Model); ok {
				walk(inner, prefix)
				continue
			}
			for _, v := range l.Variables() {
				if _, ok := out[v]; !ok {
					out[v] = saving.JoinPath(prefix, v.Path)
				}
			}
		}
	}
	walk(m, "")
	return out
}

// legacyLayers lists layers as the legacy format takes them, each weight named by name(v).
func legacyLayers(layers []Layer, name func(*Variable) string) []saving.LegacyLayer {
	out := make([]saving.LegacyLayer, len(layers))
	for i, l := range layers {
		vars := legacyVariables(l)
		out[i] = saving.LegacyLayer{Name: l.Name(), Vars: make([]saving.Var, len(vars))}
		for k, v := range vars {
			out[i].Vars[k] = saving.Var{Path: name(v), Value: v.Value}
		}
	}
	return out
}

// legacyFile builds Keras 3's legacy .h5 model file (legacy_h5_format.save_model_to_hdf5).
func (m *Model) legacyFile() (*hdf5.File, error) {
	f := hdf5.NewFile()
	entry := saving.LegacyEntry(serializeLayer(m))
	cfg, err := saving.MarshalConfig(map[string]any{"class_name": entry["class_name"], "config": entry["config"]})
	if err != nil {
		return nil, fmt.Errorf("%w: model_config: %w", ErrInvalidArgument, err)
	}
	var training []byte
	if m.compiled != nil {
		tc := m.trainingConfig()
		tc["loss"] = saving.CanonicalLoss(tc["loss"])
		tc["optimizer_config"] = map[string]any{"class_name": saving.OptimizerClass(m.compiled.optimizer.Name()), "config": m.compiled.optimizer.Config()}
		if training, err = saving.MarshalConfig(tc); err != nil {
			return nil, fmt.Errorf("%w: training_config: %w", ErrInvalidArgument, err)
		}
	}
	paths := legacyPaths(m)
	layers := legacyLayers(m.Layers(), func(v *Variable) string {
		if p := paths[v]; p != "" {
			return p
		}
		return v.Path
	})
	if err := saving.WriteLegacyModel(f.Root, cfg, training, layers); err != nil {
		return nil, err
	}
	if m.compiled != nil {
		if err := writeLegacyOptimizer(m, f.Root); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// writeLegacyOptimizer writes the optimizer_weights group, the slots named after the
// parameters' legacy paths when the optimizer's layout is known.
func writeLegacyOptimizer(m *Model, root *hdf5.Group) error {
	opt := m.compiled.optimizer
	vars := opt.Variables()
	prefix, _ := opt.Config()["name"].(string)
	if prefix == "" {
		prefix = opt.Name()
	}
	paths := legacyPaths(m)
	params := m.compiled.trainable
	pnames := make([]string, len(params))
	for i, p := range params {
		pnames[i] = paths[p]
	}
	slots := saving.OptimizerSlotNames(opt.Name(), opt.Config(), pnames, len(vars)-2)
	return saving.WriteLegacyOptimizer(root, prefix, slots, vars)
}

// readLegacyWeights loads weights from a legacy HDF5 group (model_weights, or the root of a
// weights-only file) by order, as Keras's legacy loader does. Nothing changes unless every
// weight reads.
func readLegacyWeights(m *Model, g *hdf5.Group) error {
	var withWeights []Layer
	for _, l := range m.Layers() {
		if len(legacyVariables(l)) > 0 {
			withWeights = append(withWeights, l)
		}
	}
	layers := legacyLayers(withWeights, func(v *Variable) string { return v.Path })
	vals, err := saving.ReadLegacyWeights(g, m.Name(), layers)
	if err != nil {
		return err
	}
	for k, l := range layers {
		for i, v := range l.Vars {
			if err := copyInto(v.Value, vals[k][i]); err != nil {
				return fmt.Errorf("weight %s: %w", v.Path, err)
			}
		}
	}
	return nil
}

// readLegacyOptimizer restores the optimizer from a Keras 3 optimizer_weights group, if the
// model is compiled and the file has one.
func readLegacyOptimizer(m *Model, root *hdf5.Group) error {
	if m.compiled == nil {
		return nil
	}
	vars, ok, err := saving.ReadLegacyOptimizer(root)
	if err != nil || !ok {
		return err
	}
	if err := checkOptimizerVars(m.compiled.optimizer, vars, m.compiled.trainable); err != nil {
		return fmt.Errorf("optimizer_weights: %w", err)
	}
	return m.compiled.optimizer.SetVariables(vars)
}

// loadLegacyModel rebuilds a model from a legacy .h5 file: model_config, training_config,
// model_weights and optimizer_weights.
func loadLegacyModel(f *hdf5.File, lc loadConfig) (*Model, error) {
	top, tc, weights, err := saving.ReadLegacyModel(f)
	if err != nil {
		return nil, err
	}
	read := func(m *Model, g *hdf5.Group) error {
		if err := readLegacyWeights(m, g); err != nil {
			return err
		}
		return readLegacyOptimizer(m, f.Root)
	}
	return buildSavedModel(top, tc, weights, read, lc)
}
