package hdf5

import (
	"fmt"
	"math"
	"strings"
)

// File is an HDF5 file: a tree of groups and datasets under Root.
type File struct {
	Root *Group
}

// NewFile returns an empty file with an empty root group.
func NewFile() *File {
	return &File{Root: newGroup("/")}
}

// Group is an HDF5 group: ordered, named members (groups and datasets) and
// attributes.
type Group struct {
	attrSet
	name    string
	members []member
	index   map[string]int
}

// member is one named entry of a group: exactly one of group and dataset is set.
type member struct {
	name    string
	group   *Group
	dataset *Dataset
}

func newGroup(name string) *Group {
	return &Group{name: name, index: map[string]int{}}
}

// Name returns the group's link name in its parent ("/" for the root). A
// group reachable by several hard links has the name it was first found by.
func (g *Group) Name() string { return g.name }

// Keys returns the names of all members in order (see [Group.Groups]).
func (g *Group) Keys() []string {
	out := make([]string, len(g.members))
	for i, m := range g.members {
		out[i] = m.name
	}
	return out
}

// Groups returns the member groups in order: insertion order for a tree being
// built, the order h5py reports (by name, or by creation order for groups
// created with track_order) for a tree that was read.
func (g *Group) Groups() []*Group {
	var out []*Group
	for _, m := range g.members {
		if m.group != nil {
			out = append(out, m.group)
		}
	}
	return out
}

// Datasets returns the member datasets in order (see [Group.Groups]).
func (g *Group) Datasets() []*Dataset {
	var out []*Dataset
	for _, m := range g.members {
		if m.dataset != nil {
			out = append(out, m.dataset)
		}
	}
	return out
}

// Group returns the group at path, a member name or a "/"-separated path
// relative to g such as "layers/dense/vars".
func (g *Group) Group(path string) (*Group, bool) {
	m, ok := g.lookup(path)
	return m.group, ok && m.group != nil
}

// Dataset returns the dataset at path, a member name or a "/"-separated path
// relative to g such as "layers/dense/vars/0".
func (g *Group) Dataset(path string) (*Dataset, bool) {
	m, ok := g.lookup(path)
	return m.dataset, ok && m.dataset != nil
}

func (g *Group) lookup(path string) (member, bool) {
	parts := splitPath(path)
	if len(parts) == 0 {
		return member{}, false
	}
	cur := g
	for i, p := range parts {
		k, ok := cur.index[p]
		if !ok {
			return member{}, false
		}
		m := cur.members[k]
		if i == len(parts)-1 {
			return m, true
		}
		if m.group == nil {
			return member{}, false
		}
		cur = m.group
	}
	return member{}, false
}

func splitPath(path string) []string {
	var out []string
	for _, p := range strings.Split(path, "/") {
		if p != "" && p != "." {
			out = append(out, p)
		}
	}
	return out
}

// CreateGroup creates an empty group at name, a member name or a
// "/"-separated path whose missing intermediate groups are created (as
// h5py does). It is an error if name already exists.
func (g *Group) CreateGroup(name string) (*Group, error) {
	parent, last, err := g.parentFor(name)
	if err != nil {
		return nil, err
	}
	child := newGroup(last)
	parent.add(member{name: last, group: child})
	return child, nil
}

// CreateDataset creates a contiguous dataset at name (a member name or a
// "/"-separated path, as for CreateGroup) with the given shape and values in
// row-major order. data is one of []float32, []float64, []int8, []int16,
// []int32, []int64, []uint8, []uint16, []uint32, []uint64, and len(data)
// must equal the product of shape; shape [] (or nil) is a scalar holding one
// value. The slice is kept, not copied: do not change it before writing.
func (g *Group) CreateDataset(name string, shape []int, data any) (*Dataset, error) {
	dt, n, ok := sliceType(data)
	if !ok {
		return nil, fmt.Errorf("%w: dataset %q: unsupported data type %T", ErrInvalid, name, data)
	}
	total := 1
	for _, d := range shape {
		if d < 0 {
			return nil, fmt.Errorf("%w: dataset %q: negative dimension in shape %v", ErrInvalid, name, shape)
		}
		if d > 0 && total > math.MaxInt/d {
			return nil, fmt.Errorf("%w: dataset %q: shape %v is too large", ErrInvalid, name, shape)
		}
		total *= d
	}
	if total != n {
		return nil, fmt.Errorf("%w: dataset %q: shape %v holds %d values, data has %d", ErrInvalid, name, shape, total, n)
	}
	parent, last, err := g.parentFor(name)
	if err != nil {
		return nil, err
	}
	d := &Dataset{name: last, Shape: append([]int{}, shape...), DType: dt, data: data}
	parent.add(member{name: last, dataset: d})
	return d, nil
}

// parentFor validates a new member path and returns the group to add it to,
// creating intermediate groups.
func (g *Group) parentFor(path string) (*Group, string, error) {
	if path == "" {
		return nil, "", fmt.Errorf("%w: empty name", ErrInvalid)
	}
	if strings.IndexByte(path, 0) >= 0 {
		return nil, "", fmt.Errorf("%w: name %q contains a NUL byte", ErrInvalid, path)
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for _, p := range parts {
		if p == "" || p == "." {
			return nil, "", fmt.Errorf("%w: name %q has an empty or \".\" component", ErrInvalid, path)
		}
	}
	cur := g
	for _, p := range parts[:len(parts)-1] {
		if k, ok := cur.index[p]; ok {
			m := cur.members[k]
			if m.group == nil {
				return nil, "", fmt.Errorf("%w: %q: %q is a dataset, not a group", ErrInvalid, path, p)
			}
			cur = m.group
			continue
		}
		child := newGroup(p)
		cur.add(member{name: p, group: child})
		cur = child
	}
	last := parts[len(parts)-1]
	if _, ok := cur.index[last]; ok {
		return nil, "", fmt.Errorf("%w: %q already exists", ErrInvalid, path)
	}
	return cur, last, nil
}

func (g *Group) add(m member) {
	if g.index == nil {
		g.index = map[string]int{}
	}
	g.index[m.name] = len(g.members)
	g.members = append(g.members, m)
}

// Dataset is an HDF5 dataset: an n-dimensional array of one element type,
// with attributes.
type Dataset struct {
	attrSet
	name string
	// Shape is the array's extent; empty for a scalar.
	Shape []int
	// DType is the element type stored in the file.
	DType DType
	data  any   // typed slice, see Value
	err   error // why data could not be decoded, for a dataset that was read
}

// Name returns the dataset's link name in its group.
func (d *Dataset) Name() string { return d.name }

// Len returns the number of elements (1 for a scalar).
func (d *Dataset) Len() int { return product(d.Shape) }

// Value returns the elements in row-major order as a typed slice:
// []int8, []int16, []int32, []int64, []uint8 ... []uint64 for integers of
// that width, []float32 for float16 and float32, []float64 for float64,
// []string for strings. It returns an error wrapping ErrUnsupported or
// ErrFormat if the dataset was read and its data could not be decoded.
func (d *Dataset) Value() (any, error) {
	if d.err != nil {
		return nil, d.err
	}
	return d.data, nil
}

// Float32s returns the elements converted to float32 (from any integer or
// float type; float64 values are rounded).
func (d *Dataset) Float32s() ([]float32, error) {
	if d.err != nil {
		return nil, d.err
	}
	if v, ok := d.data.([]float32); ok {
		return append([]float32(nil), v...), nil
	}
	return convertTo[float32](d.data, d.name)
}

// Float64s returns the elements converted to float64.
func (d *Dataset) Float64s() ([]float64, error) {
	if d.err != nil {
		return nil, d.err
	}
	return convertTo[float64](d.data, d.name)
}

// Int64s returns integer elements converted to int64. Float data is an
// error, as are uint64 values above math.MaxInt64.
func (d *Dataset) Int64s() ([]int64, error) {
	if d.err != nil {
		return nil, d.err
	}
	switch v := d.data.(type) {
	case []float32, []float64, []string:
		return nil, fmt.Errorf("%w: dataset %q holds %s, not integers", ErrInvalid, d.name, d.DType)
	case []uint64:
		out := make([]int64, len(v))
		for i, x := range v {
			if x > math.MaxInt64 {
				return nil, fmt.Errorf("%w: dataset %q: value %d overflows int64", ErrInvalid, d.name, x)
			}
			out[i] = int64(x)
		}
		return out, nil
	}
	return convertTo[int64](d.data, d.name)
}

// Strings returns string elements (fixed- or variable-length).
func (d *Dataset) Strings() ([]string, error) {
	if d.err != nil {
		return nil, d.err
	}
	if v, ok := d.data.([]string); ok {
		return append([]string(nil), v...), nil
	}
	return nil, fmt.Errorf("%w: dataset %q holds %s, not strings", ErrInvalid, d.name, d.DType)
}

func convertTo[T number](data any, name string) ([]T, error) {
	switch v := data.(type) {
	case []int8:
		return convertSlice[int8, T](v), nil
	case []int16:
		return convertSlice[int16, T](v), nil
	case []int32:
		return convertSlice[int32, T](v), nil
	case []int64:
		return convertSlice[int64, T](v), nil
	case []uint8:
		return convertSlice[uint8, T](v), nil
	case []uint16:
		return convertSlice[uint16, T](v), nil
	case []uint32:
		return convertSlice[uint32, T](v), nil
	case []uint64:
		return convertSlice[uint64, T](v), nil
	case []float32:
		return convertSlice[float32, T](v), nil
	case []float64:
		return convertSlice[float64, T](v), nil
	}
	return nil, fmt.Errorf("%w: dataset %q holds %T, not numbers", ErrInvalid, name, data)
}

// sliceType maps a writable data slice to its element type and length.
func sliceType(data any) (DType, int, bool) {
	switch v := data.(type) {
	case []float32:
		return Float32, len(v), true
	case []float64:
		return Float64, len(v), true
	case []int8:
		return Int8, len(v), true
	case []int16:
		return Int16, len(v), true
	case []int32:
		return Int32, len(v), true
	case []int64:
		return Int64, len(v), true
	case []uint8:
		return Uint8, len(v), true
	case []uint16:
		return Uint16, len(v), true
	case []uint32:
		return Uint32, len(v), true
	case []uint64:
		return Uint64, len(v), true
	}
	return DType{}, 0, false
}
