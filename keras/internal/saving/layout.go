package saving

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/kerago/kerago/keras/internal/errs"
	"github.com/kerago/kerago/keras/internal/hdf5"
	"gorgonia.org/tensor"
)

var (
	snakeWord  = regexp.MustCompile(`(.)([A-Z][a-z]+)`)
	snakeUpper = regexp.MustCompile(`([a-z])([A-Z])`)
	nonWord    = regexp.MustCompile(`\W+`)
)

// KerasSnakeCase is Keras 3's naming.to_snake_case, which names the members of a weights
// file: LSTM → lstm, Conv1D → conv1d, GlobalMaxPooling1D → global_max_pooling1d.
func KerasSnakeCase(name string) string {
	name = nonWord.ReplaceAllString(name, "")
	name = snakeWord.ReplaceAllString(name, "${1}_${2}")
	return strings.ToLower(snakeUpper.ReplaceAllString(name, "${1}_${2}"))
}

// UniqueKey is Keras's _get_unique_name: the first "dense" stays "dense", then "dense_1" ...
func UniqueKey(name string, used map[string]int) string {
	if n, ok := used[name]; ok {
		used[name] = n + 1
		return name + "_" + strconv.Itoa(n+1)
	}
	used[name] = 0
	return name
}

// JoinPath joins the non-empty parts of a weights-file path with "/".
func JoinPath(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "/")
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
	return nil, fmt.Errorf("%w: cannot save a %v tensor", errs.DType, t.Dtype())
}

// DatasetElements counts the values of every dataset under g.
func DatasetElements(g *hdf5.Group) int64 {
	var n int64
	for _, d := range g.Datasets() {
		n += int64(d.Len())
	}
	for _, c := range g.Groups() {
		n += DatasetElements(c)
	}
	return n
}

// datasetTensor reads d as a float tensor of dtype dt and d's shape.
func datasetTensor(d *hdf5.Dataset, key string, dt tensor.Dtype) (*tensor.Dense, error) {
	shape := append([]int(nil), d.Shape...)
	var backing any
	switch dt {
	case tensor.Float64:
		v, err := d.Float64s()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", errs.FileFormat, key, err)
		}
		backing = v
	default:
		v, err := d.Float32s()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", errs.FileFormat, key, err)
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

// sameDims reports whether a dataset's dims a are the shape b (a scalar is stored with no dims).
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

// readOptimizerVars reads datasets "0", "1" ... of g: the iteration as int64, the learning
// rate in its stored float type, the slots as float32 or float64.
func readOptimizerVars(g *hdf5.Group, where string) ([]*tensor.Dense, error) {
	var idx []int
	for _, d := range g.Datasets() {
		i, err := strconv.Atoi(d.Name())
		if err != nil || i < 0 {
			return nil, fmt.Errorf("%w: %s/%s is not a variable index", errs.FileFormat, where, d.Name())
		}
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for k, i := range idx {
		if i != k {
			return nil, fmt.Errorf("%w: %s has variables %v, not 0..%d", errs.FileFormat, where, idx, len(idx)-1)
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
			return nil, fmt.Errorf("%w: %s (iterations) has shape %v, want a scalar", errs.FileFormat, key, d.Shape)
		}
		if d.DType.Class == hdf5.Float {
			v, err := d.Float64s()
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %w", errs.FileFormat, key, err)
			}
			if v[0] < 0 || v[0] > 1<<53 || v[0] != math.Trunc(v[0]) {
				return nil, fmt.Errorf("%w: %s (iterations) is %v", errs.FileFormat, key, v[0])
			}
			return tensor.New(tensor.FromScalar(int64(v[0]))), nil
		}
		v, err := d.Int64s()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", errs.FileFormat, key, err)
		}
		return tensor.New(tensor.FromScalar(v[0])), nil
	case d.DType == hdf5.Float64:
		return datasetTensor(d, key, tensor.Float64)
	default:
		return datasetTensor(d, key, tensor.Float32)
	}
}

// ChunkedStrings reads a string-list attribute that Keras may split into name0, name1 ...
func ChunkedStrings(g *hdf5.Group, name string) ([]string, bool) {
	if v, ok := g.AttrStrings(name); ok {
		return v, true
	}
	var out []string
	found := false
	for i := 0; ; i++ {
		v, ok := g.AttrStrings(name + strconv.Itoa(i))
		if !ok {
			break
		}
		found = true
		out = append(out, v...)
	}
	return out, found
}
