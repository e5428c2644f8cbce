package keras

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/kerago/kerago/keras/internal/hdf5"
	"github.com/kerago/kerago/keras/internal/saving"
	"github.com/kerago/kerago/keras/losses"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// legacyBackend is the backend recorded in legacy HDF5 files. Keras 3 writes its own
// backend's name; the weights are laid out the same for every backend.
const legacyBackend = "tensorflow"

// legacyEntry turns a Keras 3 layer entry into the legacy serialisation Keras writes in an
// .h5 model_config: class_name and config (plus name and inbound_nodes in a functional
// model), without module, registered_name, build_config and compile_config; nested models
// are converted too.
func legacyEntry(entry map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range entry {
		switch k {
		case "module", "registered_name", "build_config", "compile_config":
			continue
		}
		out[k] = v
	}
	switch entry["class_name"] {
	case "Functional", "Sequential":
		cfg, _ := entry["config"].(map[string]any)
		nc := map[string]any{}
		for k, v := range cfg {
			nc[k] = v
		}
		if layers, ok := cfg["layers"].([]any); ok {
			nl := make([]any, len(layers))
			for i, l := range layers {
				if e, ok := l.(map[string]any); ok {
					nl[i] = legacyEntry(e)
				} else {
					nl[i] = l
				}
			}
			nc["layers"] = nl
		}
		out["config"] = nc
	}
	return out
}

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

// legacyFile builds Keras 3's legacy .h5 model file (legacy_h5_format.save_model_to_hdf5).
func (m *Model) legacyFile() (*hdf5.File, error) {
	f := hdf5.NewFile()
	entry := legacyEntry(serializeLayer(m))
	cfg, err := saving.MarshalConfig(map[string]any{"class_name": entry["class_name"], "config": entry["config"]})
	if err != nil {
		return nil, fmt.Errorf("%w: model_config: %w", ErrInvalidArgument, err)
	}
	attrs := [][2]string{{"backend", legacyBackend}, {"keras_version", saving.KerasVersion}, {"model_config", string(cfg)}}
	if m.compiled != nil {
		tc := m.trainingConfig()
		tc["loss"] = canonicalLoss(tc["loss"])
		tc["optimizer_config"] = map[string]any{"class_name": optimizerClass(m.compiled.optimizer.Name()), "config": m.compiled.optimizer.Config()}
		b, err := saving.MarshalConfig(tc)
		if err != nil {
			return nil, fmt.Errorf("%w: training_config: %w", ErrInvalidArgument, err)
		}
		attrs = append(attrs, [2]string{"training_config", string(b)})
	}
	for _, a := range attrs {
		if err := f.Root.SetAttr(a[0], a[1]); err != nil {
			return nil, err
		}
	}
	g, err := f.Root.CreateGroup("model_weights")
	if err != nil {
		return nil, err
	}
	if err := writeLegacyWeights(m, g); err != nil {
		return nil, err
	}
	if m.compiled != nil {
		if err := writeLegacyOptimizer(m, f.Root); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// canonicalLoss replaces loss aliases by Keras's function names ("mse" by
// "mean_squared_error"): Keras 3's legacy HDF5 loader resolves an alias such as "mse" to a
// metric and refuses it, even in files Keras wrote.
func canonicalLoss(v any) any {
	one := func(x any) any {
		if s, ok := x.(string); ok {
			if l, err := losses.Get(s); err == nil {
				return l.Name()
			}
		}
		return x
	}
	switch l := v.(type) {
	case []any:
		out := make([]any, len(l))
		for i, x := range l {
			out[i] = one(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(l))
		for k, x := range l {
			out[k] = one(x)
		}
		return out
	}
	return one(v)
}

// writeLegacyWeights writes the model_weights group: layer_names in Layers() order, then one
// group per layer (created in name order, as Keras does) with weight_names and the datasets
// at those names.
func writeLegacyWeights(m *Model, g *hdf5.Group) error {
	layers := m.Layers()
	names := make([]string, len(layers))
	for i, l := range layers {
		names[i] = l.Name()
	}
	for _, a := range []struct {
		k string
		v any
	}{{"layer_names", names}, {"backend", legacyBackend}, {"keras_version", saving.KerasVersion}} {
		if err := g.SetAttr(a.k, a.v); err != nil {
			return err
		}
	}
	paths := legacyPaths(m)
	sorted := append([]Layer(nil), layers...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Name() < sorted[j].Name() })
	for _, l := range sorted {
		lg, err := g.CreateGroup(l.Name())
		if err != nil {
			return fmt.Errorf("layer %s: %w", l.Name(), err)
		}
		if err := writeWeightSubset(lg, legacyVariables(l), paths); err != nil {
			return fmt.Errorf("layer %s: %w", l.Name(), err)
		}
	}
	top, err := g.CreateGroup("top_level_model_weights")
	if err != nil {
		return err
	}
	return top.SetAttr("weight_names", []float64{})
}

// writeWeightSubset writes weight_names and one dataset per weight, named by its path.
func writeWeightSubset(g *hdf5.Group, vars []*Variable, paths map[*Variable]string) error {
	if len(vars) == 0 {
		return g.SetAttr("weight_names", []float64{})
	}
	names := make([]string, len(vars))
	for i, v := range vars {
		names[i] = paths[v]
		if names[i] == "" {
			names[i] = v.Path
		}
		data, err := saving.TensorSlice(v.Value)
		if err != nil {
			return err
		}
		if _, err := g.CreateDataset(names[i], []int(v.Value.Shape()), data); err != nil {
			return err
		}
	}
	return g.SetAttr("weight_names", names)
}

// optimizerSlotNames returns Keras's names for an optimizer's slot variables over the given
// parameter paths (adam/dense_kernel_momentum ...), or nil when the layout is not known.
func optimizerSlotNames(opt optimizers.Optimizer, params []string, nSlots int) []string {
	cfg := opt.Config()
	on := func(k string) bool {
		switch v := cfg[k].(type) {
		case bool:
			return v
		case float64:
			return v != 0
		}
		return false
	}
	var groups [][]string
	switch opt.Name() {
	case "adam":
		groups = [][]string{{"momentum", "velocity"}}
		if on("amsgrad") {
			groups = append(groups, []string{"velocity_hat"})
		}
	case "sgd":
		if on("momentum") {
			groups = [][]string{{"momentum"}}
		}
	case "rmsprop":
		groups = [][]string{{"velocity"}}
		if on("momentum") {
			groups = append(groups, []string{"momentum"})
		}
		if on("centered") {
			groups = append(groups, []string{"average_gradient"})
		}
	case "adagrad":
		groups = [][]string{{"accumulator"}}
	default:
		return nil
	}
	var out []string
	for _, g := range groups {
		for _, p := range params {
			for _, s := range g {
				out = append(out, strings.ReplaceAll(p, "/", "_")+"_"+s)
			}
		}
	}
	if len(out) != nSlots {
		return nil
	}
	return out
}

// writeLegacyOptimizer writes the optimizer_weights group: weight_names (iteration,
// learning_rate, then the slots) and the datasets at those names.
func writeLegacyOptimizer(m *Model, root *hdf5.Group) error {
	opt := m.compiled.optimizer
	vars := saving.OptimizerVariables(opt.Variables())
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
	slots := optimizerSlotNames(opt, pnames, len(vars)-2)
	names := []string{"iteration", "learning_rate"}
	for i := range vars[2:] {
		if slots != nil {
			names = append(names, slots[i])
		} else {
			names = append(names, "variable_"+strconv.Itoa(i))
		}
	}
	g, err := root.CreateGroup("optimizer_weights")
	if err != nil {
		return err
	}
	for i, t := range vars {
		names[i] = prefix + "/" + names[i]
		data, err := saving.TensorSlice(t)
		if err != nil {
			return err
		}
		if _, err := g.CreateDataset(names[i], []int(t.Shape()), data); err != nil {
			return fmt.Errorf("optimizer variable %s: %w", names[i], err)
		}
	}
	return g.SetAttr("weight_names", names)
}

// readLegacyWeights loads weights from a legacy HDF5 group (model_weights, or the root of a
// weights-only file) by order: the file's layers with weights, in layer_names order, go to
// the model's layers with weights, in Layers() order, as Keras's legacy loader does.
func readLegacyWeights(m *Model, g *hdf5.Group) error {
	names, ok := saving.ChunkedStrings(g, "layer_names")
	if !ok {
		return fmt.Errorf("%w: no layer_names attribute: not a Keras HDF5 weights file", ErrFileFormat)
	}
	type fileLayer struct {
		name    string
		group   *hdf5.Group
		weights []string
	}
	var file []fileLayer
	for _, n := range names {
		lg, ok := g.Group(n)
		if !ok {
			return fmt.Errorf("%w: layer %q is listed in layer_names but has no group", ErrFileFormat, n)
		}
		ws, _ := saving.ChunkedStrings(lg, "weight_names")
		if len(ws) > 0 {
			file = append(file, fileLayer{n, lg, ws})
		}
	}
	var model []Layer
	for _, l := range m.Layers() {
		if len(legacyVariables(l)) > 0 {
			model = append(model, l)
		}
	}
	if len(file) != len(model) {
		return fmt.Errorf("%w: the file has weights for %d layers, model %s has %d layers with weights", ErrShape, len(file), m.Name(), len(model))
	}
	type load struct {
		v   *Variable
		val *tensor.Dense
	}
	var loads []load
	for k, fl := range file {
		l := model[k]
		vars := legacyVariables(l)
		if len(vars) != len(fl.weights) {
			return fmt.Errorf("%w: layer %s of the file has %d weights, layer %s of the model has %d", ErrShape, fl.name, len(fl.weights), l.Name(), len(vars))
		}
		for i, wn := range fl.weights {
			d, ok := fl.group.Dataset(wn)
			if !ok {
				return fmt.Errorf("%w: layer %s: no dataset %q", ErrFileFormat, fl.name, wn)
			}
			val, err := saving.ReadVar(d, fl.name+"/"+wn, saving.Var{Path: vars[i].Path, Value: vars[i].Value})
			if err != nil {
				return err
			}
			loads = append(loads, load{vars[i], val})
		}
	}
	for _, l := range loads {
		if err := copyInto(l.v.Value, l.val); err != nil {
			return fmt.Errorf("weight %s: %w", l.v.Path, err)
		}
	}
	return nil
}

// readLegacyOptimizer restores the optimizer from an optimizer_weights group written by
// Keras 3 (iteration, learning_rate, slots). Keras 2's layout (no learning rate, slots
// grouped differently) is not restored: the optimizer starts afresh, as Keras 3 does when it
// cannot set them.
func readLegacyOptimizer(m *Model, root *hdf5.Group) error {
	g, ok := root.Group("optimizer_weights")
	if !ok || m.compiled == nil {
		return nil
	}
	names, _ := saving.ChunkedStrings(g, "weight_names")
	if len(names) < 2 || !strings.HasSuffix(names[1], "learning_rate") {
		return nil
	}
	vars := make([]*tensor.Dense, len(names))
	for i, n := range names {
		d, ok := g.Dataset(n)
		if !ok {
			return fmt.Errorf("%w: optimizer_weights: no dataset %q", ErrFileFormat, n)
		}
		t, err := saving.OptimizerTensor(d, "optimizer_weights/"+n, i)
		if err != nil {
			return err
		}
		vars[i] = t
	}
	if err := checkOptimizerVars(m.compiled.optimizer, vars, m.compiled.trainable); err != nil {
		return fmt.Errorf("optimizer_weights: %w", err)
	}
	return m.compiled.optimizer.SetVariables(vars)
}

// loadLegacyModel rebuilds a model from a legacy .h5 file: model_config, training_config,
// model_weights and optimizer_weights.
func loadLegacyModel(f *hdf5.File, lc loadConfig) (*Model, error) {
	raw, ok := f.Root.AttrString("model_config")
	if !ok {
		return nil, fmt.Errorf("%w: the file has no model_config: it holds weights only (use LoadWeights)", ErrFileFormat)
	}
	var top map[string]any
	if err := json.Unmarshal([]byte(raw), &top); err != nil || top == nil {
		return nil, fmt.Errorf("%w: model_config is not a JSON dict: %v", ErrFileFormat, err)
	}
	var tc any
	if s, ok := f.Root.AttrString("training_config"); ok {
		var v map[string]any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("%w: training_config is not JSON: %v", ErrFileFormat, err)
		}
		tc = v
	}
	weights, ok := f.Root.Group("model_weights")
	if !ok {
		return nil, fmt.Errorf("%w: the file has no model_weights group", ErrFileFormat)
	}
	read := func(m *Model, g *hdf5.Group) error {
		if err := readLegacyWeights(m, g); err != nil {
			return err
		}
		return readLegacyOptimizer(m, f.Root)
	}
	return buildSavedModel(top, tc, weights, read, lc)
}
