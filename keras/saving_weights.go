package keras

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/kerago/kerago/keras/internal/hdf5"
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

var (
	snakeWord  = regexp.MustCompile(`(.)([A-Z][a-z]+)`)
	snakeUpper = regexp.MustCompile(`([a-z])([A-Z])`)
	nonWord    = regexp.MustCompile(`\W+`)
)

// kerasSnakeCase is Keras 3's naming.to_snake_case, which names the members of a weights
// file: LSTM → lstm, Conv1D → conv1d, GlobalMaxPooling1D → global_max_pooling1d.
func kerasSnakeCase(name string) string {
	name = nonWord.ReplaceAllString(name, "")
	name = snakeWord.ReplaceAllString(name, "${1}_${2}")
	return strings.ToLower(snakeUpper.ReplaceAllString(name, "${1}_${2}"))
}

// uniqueKey is Keras's _get_unique_name: the first "dense" stays "dense", then "dense_1" ...
func uniqueKey(name string, used map[string]int) string {
	if n, ok := used[name]; ok {
		used[name] = n + 1
		return name + "_" + strconv.Itoa(n+1)
	}
	used[name] = 0
	return name
}

func joinPath(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "/")
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
			path := joinPath(prefix, "layers", uniqueKey(kerasSnakeCase(l.ClassName()), used))
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
					out = append(out, savedObject{path: joinPath(path, o)})
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

// tensorSlice returns the values of t as a flat slice the HDF5 writer takes.
func tensorSlice(t *tensor.Dense) (any, error) {
	switch d := t.Data().(type) {
	case []float32, []float64, []int64, []int32:
		return d, nil
	case float32:
		return []float32{d}, nil
	case float64:
		return []float64{d}, nil
	case int64:
		return []int64{d}, nil
	case int32:
		return []int32{d}, nil
	case int:
		return []int64{int64(d)}, nil
	case []int:
		out := make([]int64, len(d))
		for i, v := range d {
			out[i] = int64(v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: cannot save a %v tensor", ErrDType, t.Dtype())
}

// writeWeights adds m's variables to f in Keras 3's layout, and the optimizer's variables
// under optimizer/vars when the model is compiled.
func writeWeights(m *Model, root *hdf5.Group) error {
	objs, err := weightObjects(m)
	if err != nil {
		return err
	}
	for _, o := range objs {
		g, err := root.CreateGroup(joinPath(o.path, "vars"))
		if err != nil {
			return err
		}
		if o.name != "" {
			if err := g.SetAttr("name", o.name); err != nil {
				return err
			}
		}
		for i, v := range o.vars {
			data, err := tensorSlice(v.Value)
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
		data, err := tensorSlice(t)
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

// datasetElements counts the values of every dataset under g.
func datasetElements(g *hdf5.Group) int64 {
	var n int64
	for _, d := range g.Datasets() {
		n += int64(d.Len())
	}
	for _, c := range g.Groups() {
		n += datasetElements(c)
	}
	return n
}

// readInto reads dataset d into a new tensor of v's shape and dtype.
func readInto(d *hdf5.Dataset, key string, v *Variable) (*tensor.Dense, error) {
	want := v.Value.Shape()
	if !sameDims(d.Shape, want) {
		return nil, fmt.Errorf("%w: %s has shape %v, weight %s has shape %v", ErrShape, key, d.Shape, v.Path, []int(want))
	}
	return datasetTensor(d, key, v.Value.Dtype())
}

// datasetTensor reads d as a float tensor of dtype dt and d's shape.
func datasetTensor(d *hdf5.Dataset, key string, dt tensor.Dtype) (*tensor.Dense, error) {
	shape := append([]int(nil), d.Shape...)
	var backing any
	switch dt {
	case tensor.Float64:
		v, err := d.Float64s()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrFileFormat, key, err)
		}
		backing = v
	default:
		v, err := d.Float32s()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrFileFormat, key, err)
		}
		backing = v
	}
	if len(shape) == 0 {
		switch b := backing.(type) {
		case []float64:
			return tensor.New(tensor.FromScalar(b[0])), nil
		case []float32:
			return tensor.New(tensor.FromScalar(b[0])), nil
		}
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing)), nil
}

func sameDims(a []int, b tensor.Shape) bool {
	if len(a) != len(b) {
		return len(a) == 0 && b.IsScalar()
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
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
			key := joinPath(o.path, "vars", strconv.Itoa(i))
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
			if optVars, err = readOptimizerVars(g, "optimizer/vars"); err != nil {
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

// readOptimizerVars reads datasets "0", "1" ... of g: the iteration as int64, the learning
// rate in its stored float type, the slots as float32 or float64.
func readOptimizerVars(g *hdf5.Group, where string) ([]*tensor.Dense, error) {
	var idx []int
	for _, d := range g.Datasets() {
		i, err := strconv.Atoi(d.Name())
		if err != nil || i < 0 {
			return nil, fmt.Errorf("%w: %s/%s is not a variable index", ErrFileFormat, where, d.Name())
		}
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for k, i := range idx {
		if i != k {
			return nil, fmt.Errorf("%w: %s has variables %v, not 0..%d", ErrFileFormat, where, idx, len(idx)-1)
		}
	}
	out := make([]*tensor.Dense, len(idx))
	for _, i := range idx {
		key := strconv.Itoa(i)
		d, _ := g.Dataset(key)
		t, err := optimizerTensor(d, where+"/"+key, i)
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

// optimizerTensor reads one optimizer variable.
func optimizerTensor(d *hdf5.Dataset, key string, i int) (*tensor.Dense, error) {
	switch {
	case i == 0:
		if d.Len() != 1 {
			return nil, fmt.Errorf("%w: %s (iterations) has shape %v, want a scalar", ErrFileFormat, key, d.Shape)
		}
		if d.DType.Class == hdf5.Float {
			v, err := d.Float64s()
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrFileFormat, key, err)
			}
			if v[0] < 0 || v[0] > 1<<53 || v[0] != math.Trunc(v[0]) {
				return nil, fmt.Errorf("%w: %s (iterations) is %v", ErrFileFormat, key, v[0])
			}
			return tensor.New(tensor.FromScalar(int64(v[0]))), nil
		}
		v, err := d.Int64s()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrFileFormat, key, err)
		}
		return tensor.New(tensor.FromScalar(v[0])), nil
	case d.DType == hdf5.Float64:
		return datasetTensor(d, key, tensor.Float64)
	default:
		return datasetTensor(d, key, tensor.Float32)
	}
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
