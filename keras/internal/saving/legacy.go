package saving

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/kerago/kerago/keras/internal/errs"
	"github.com/kerago/kerago/keras/internal/hdf5"
	"github.com/kerago/kerago/keras/losses"
	"gorgonia.org/tensor"
)

// LegacyBackend is the backend recorded in legacy HDF5 files. Keras 3 writes its own
// backend's name; the weights are laid out the same for every backend.
const LegacyBackend = "tensorflow"

// LegacyEntry turns a Keras 3 layer entry into the legacy serialisation Keras writes in an
// .h5 model_config: class_name and config (plus name and inbound_nodes in a functional
// model), without module, registered_name, build_config and compile_config; nested models
// are converted too.
func LegacyEntry(entry map[string]any) map[string]any {
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
					nl[i] = LegacyEntry(e)
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

// CanonicalLoss replaces loss aliases by Keras's function names ("mse" by
// "mean_squared_error"): Keras 3's legacy HDF5 loader resolves an alias such as "mse" to a
// metric and refuses it, even in files Keras wrote.
func CanonicalLoss(v any) any {
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

// OptimizerSlotNames returns Keras's names for the slot variables of the optimizer of the
// given name and config over the given
// parameter paths (adam/dense_kernel_momentum ...), or nil when the layout is not known.
func OptimizerSlotNames(name string, cfg map[string]any, params []string, nSlots int) []string {
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
	switch name {
	case "adam", "adamw":
		groups = [][]string{{"momentum", "velocity"}}
		if on("amsgrad") {
			groups = append(groups, []string{"velocity_hat"})
		}
	case "adamax":
		groups = [][]string{{"momentum", "norm"}}
	case "lion":
		groups = [][]string{{"momentum"}}
	case "adadelta":
		groups = [][]string{{"accumulated_grad", "accumulated_delta_var"}}
	case "ftrl":
		groups = [][]string{{"accumulator", "linear"}}
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

// LegacyLayer is one layer of a legacy model_weights group: its name and its weights in
// Keras's _legacy_weights order. When writing, each Var's Path is the name the weight is
// stored under; when reading, it is the weight's path in the model, for messages.
type LegacyLayer struct {
	Name string
	Vars []Var
}

// WriteLegacyModel fills root as Keras 3's legacy .h5 model file
// (legacy_h5_format.save_model_to_hdf5): the backend, Keras version, model_config and, when
// trainingConfig is not nil, training_config attributes, then the model_weights group of
// layers (in the model's layer order).
func WriteLegacyModel(root *hdf5.Group, modelConfig, trainingConfig []byte, layers []LegacyLayer) error {
	attrs := [][2]string{{"backend", LegacyBackend}, {"keras_version", KerasVersion}, {"model_config", string(modelConfig)}}
	if trainingConfig != nil {
		attrs = append(attrs, [2]string{"training_config", string(trainingConfig)})
	}
	for _, a := range attrs {
		if err := root.SetAttr(a[0], a[1]); err != nil {
			return err
		}
	}
	g, err := root.CreateGroup("model_weights")
	if err != nil {
		return err
	}
	return writeLegacyWeights(g, layers)
}

// writeLegacyWeights writes the model_weights group: layer_names in the given order, then one
// group per layer (created in name order, as Keras does) with weight_names and the datasets
// at those names.
func writeLegacyWeights(g *hdf5.Group, layers []LegacyLayer) error {
	names := make([]string, len(layers))
	for i, l := range layers {
		names[i] = l.Name
	}
	for _, a := range []struct {
		k string
		v any
	}{{"layer_names", names}, {"backend", LegacyBackend}, {"keras_version", KerasVersion}} {
		if err := g.SetAttr(a.k, a.v); err != nil {
			return err
		}
	}
	sorted := append([]LegacyLayer(nil), layers...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, l := range sorted {
		lg, err := g.CreateGroup(l.Name)
		if err != nil {
			return fmt.Errorf("layer %s: %w", l.Name, err)
		}
		if err := writeWeightSubset(lg, l.Vars); err != nil {
			return fmt.Errorf("layer %s: %w", l.Name, err)
		}
	}
	top, err := g.CreateGroup("top_level_model_weights")
	if err != nil {
		return err
	}
	return top.SetAttr("weight_names", []float64{})
}

// writeWeightSubset writes weight_names and one dataset per weight, named by its Path.
func writeWeightSubset(g *hdf5.Group, vars []Var) error {
	if len(vars) == 0 {
		return g.SetAttr("weight_names", []float64{})
	}
	names := make([]string, len(vars))
	for i, v := range vars {
		names[i] = v.Path
		if err := writeDataset(g, names[i], v.Value); err != nil {
			return err
		}
	}
	return g.SetAttr("weight_names", names)
}

// WriteLegacyOptimizer writes the optimizer_weights group: weight_names (prefix/iteration,
// prefix/learning_rate, then prefix/<slot> for each of slots, or prefix/variable_<i> when
// slots is nil) and the datasets at those names. vars are in Keras's order.
func WriteLegacyOptimizer(root *hdf5.Group, prefix string, slots []string, vars []*tensor.Dense) error {
	vars = optimizerVariables(vars)
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
		if err := writeDataset(g, names[i], t); err != nil {
			return fmt.Errorf("optimizer variable %s: %w", names[i], err)
		}
	}
	return g.SetAttr("weight_names", names)
}

// ReadLegacyWeights reads weights from a legacy HDF5 group (model_weights, or the root of a
// weights-only file) by order: the file's layers with weights, in layer_names order, go to
// layers (the model's layers with weights, in its layer order), as Keras's legacy loader
// does. model names the model in messages. The result holds each layer's values in Vars
// order; nothing is written into the Vars.
func ReadLegacyWeights(g *hdf5.Group, model string, layers []LegacyLayer) ([][]*tensor.Dense, error) {
	names, ok := ChunkedStrings(g, "layer_names")
	if !ok {
		return nil, fmt.Errorf("%w: no layer_names attribute: not a Keras HDF5 weights file", errs.FileFormat)
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
			return nil, fmt.Errorf("%w: layer %q is listed in layer_names but has no group", errs.FileFormat, n)
		}
		ws, _ := ChunkedStrings(lg, "weight_names")
		if len(ws) > 0 {
			file = append(file, fileLayer{n, lg, ws})
		}
	}
	if len(file) != len(layers) {
		return nil, fmt.Errorf("%w: the file has weights for %d layers, model %s has %d layers with weights", errs.Shape, len(file), model, len(layers))
	}
	out := make([][]*tensor.Dense, len(layers))
	for k, fl := range file {
		l := layers[k]
		if len(l.Vars) != len(fl.weights) {
			return nil, fmt.Errorf("%w: layer %s of the file has %d weights, layer %s of the model has %d", errs.Shape, fl.name, len(fl.weights), l.Name, len(l.Vars))
		}
		for i, wn := range fl.weights {
			d, ok := fl.group.Dataset(wn)
			if !ok {
				return nil, fmt.Errorf("%w: layer %s: no dataset %q", errs.FileFormat, fl.name, wn)
			}
			val, err := readVar(d, fl.name+"/"+wn, l.Vars[i])
			if err != nil {
				return nil, err
			}
			out[k] = append(out[k], val)
		}
	}
	return out, nil
}

// ReadLegacyOptimizer reads the optimizer_weights group written by Keras 3 (iteration,
// learning_rate, slots); ok is false when there is none or it has Keras 2's layout (no
// learning rate, slots grouped differently), which is not restored: the optimizer starts
// afresh, as Keras 3 does when it cannot set them.
func ReadLegacyOptimizer(root *hdf5.Group) (vars []*tensor.Dense, ok bool, err error) {
	g, ok := root.Group("optimizer_weights")
	if !ok {
		return nil, false, nil
	}
	names, _ := ChunkedStrings(g, "weight_names")
	if len(names) < 2 || !strings.HasSuffix(names[1], "learning_rate") {
		return nil, false, nil
	}
	vars = make([]*tensor.Dense, len(names))
	for i, n := range names {
		d, ok := g.Dataset(n)
		if !ok {
			return nil, false, fmt.Errorf("%w: optimizer_weights: no dataset %q", errs.FileFormat, n)
		}
		t, err := optimizerTensor(d, "optimizer_weights/"+n, i)
		if err != nil {
			return nil, false, err
		}
		vars[i] = t
	}
	return vars, true, nil
}

// ReadLegacyModel reads the parts of a legacy .h5 model file: model_config (a
// {"class_name", "config"} dict), training_config (nil when the model was saved
// uncompiled) and the model_weights group.
func ReadLegacyModel(f *hdf5.File) (modelConfig map[string]any, trainingConfig any, weights *hdf5.Group, err error) {
	raw, ok := f.Root.AttrString("model_config")
	if !ok {
		return nil, nil, nil, fmt.Errorf("%w: the file has no model_config: it holds weights only (use LoadWeights)", errs.FileFormat)
	}
	if err := json.Unmarshal([]byte(raw), &modelConfig); err != nil || modelConfig == nil {
		return nil, nil, nil, fmt.Errorf("%w: model_config is not a JSON dict: %v", errs.FileFormat, err)
	}
	if s, ok := f.Root.AttrString("training_config"); ok {
		var v map[string]any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, nil, nil, fmt.Errorf("%w: training_config is not JSON: %v", errs.FileFormat, err)
		}
		trainingConfig = v
	}
	weights, ok = f.Root.Group("model_weights")
	if !ok {
		return nil, nil, nil, fmt.Errorf("%w: the file has no model_weights group", errs.FileFormat)
	}
	return modelConfig, trainingConfig, weights, nil
}
