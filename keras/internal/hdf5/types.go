package hdf5

import (
	"fmt"

	"github.com/kerago/kerago/keras/internal/errs"
)

// Errors returned by this package. Read errors wrap ErrFormat or
// ErrUnsupported, both a keras.ErrFileFormat; tree-building errors wrap
// ErrInvalid, a keras.ErrInvalidArgument.
var (
	// ErrFormat reports input that is not a well-formed HDF5 file:
	// bad signatures, out-of-range addresses, truncation.
	ErrFormat = errs.Refine(errs.FileFormat, "hdf5: malformed file")
	// ErrUnsupported reports a well-formed feature this package does not
	// implement (a datatype, a filter, a chunk index).
	ErrUnsupported = errs.Refine(errs.FileFormat, "hdf5: unsupported feature")
	// ErrInvalid reports a bad argument while building a tree: a bad name,
	// a duplicate member, a data length that does not match the shape.
	ErrInvalid = errs.Refine(errs.InvalidArgument, "hdf5: invalid argument")
)

// Class is the kind of an element type.
type Class uint8

// Element classes.
const (
	Unsupported Class = iota // a type this package does not decode (compound, reference, ...)
	Int                      // two's complement signed integer (also HDF5 enums over signed bases)
	Uint                     // unsigned integer (also enums over unsigned bases)
	Float                    // IEEE 754 binary floating point
	String                   // fixed-length string
	VarString                // variable-length string
)

// DType describes how elements are stored in the file.
type DType struct {
	Class Class
	// Size is the size of one element in bytes; for String, the fixed length.
	// It is 0 for VarString.
	Size int
	// BigEndian is set for numbers stored most significant byte first.
	// Decoded values are always native Go numbers.
	BigEndian bool
	// UTF8 is set for strings whose character set is UTF-8 rather than ASCII.
	UTF8 bool
}

// Common element types.
var (
	Int8    = DType{Class: Int, Size: 1}
	Int16   = DType{Class: Int, Size: 2}
	Int32   = DType{Class: Int, Size: 4}
	Int64   = DType{Class: Int, Size: 8}
	Uint8   = DType{Class: Uint, Size: 1}
	Uint16  = DType{Class: Uint, Size: 2}
	Uint32  = DType{Class: Uint, Size: 4}
	Uint64  = DType{Class: Uint, Size: 8}
	Float16 = DType{Class: Float, Size: 2}
	Float32 = DType{Class: Float, Size: 4}
	Float64 = DType{Class: Float, Size: 8}
	// VarUTF8 is a variable-length UTF-8 string, what h5py writes for str.
	VarUTF8 = DType{Class: VarString, UTF8: true}
)

// String returns a numpy-like name: "float32", "int64", "uint8",
// "S5" (fixed string of 5 bytes), "str" (variable-length string),
// with a ">" prefix for big-endian numbers.
func (t DType) String() string {
	order := ""
	if t.BigEndian && t.Size > 1 {
		order = ">"
	}
	switch t.Class {
	case Int:
		return fmt.Sprintf("%sint%d", order, t.Size*8)
	case Uint:
		return fmt.Sprintf("%suint%d", order, t.Size*8)
	case Float:
		return fmt.Sprintf("%sfloat%d", order, t.Size*8)
	case String:
		return fmt.Sprintf("S%d", t.Size)
	case VarString:
		return "str"
	}
	return "unsupported"
}

// FixedString is an attribute value stored as a fixed-length, null-padded
// ASCII string (numpy dtype S<n>): what h5py writes for a numpy.bytes_ value
// and reads back as numpy.bytes_. (h5py 3 writes a plain Python bytes value
// as a variable-length ASCII string, which reads back as a Go string.)
type FixedString string

// FixedStrings is a one-dimensional attribute of fixed-length, null-padded
// ASCII strings, all as long as the longest (numpy dtype S<n>). Keras's
// legacy HDF5 format writes layer_names and weight_names this way.
type FixedStrings []string

// Attribute is a named value attached to a group or dataset.
//
// Value holds, by DType.Class:
//
//	Int        int64 or []int64
//	Uint       uint64 or []uint64
//	Float      float64 or []float64
//	String     FixedString or FixedStrings
//	VarString  string or []string
//	Unsupported nil
//
// A scalar attribute has a nil Shape and a scalar Value; any other has a
// slice Value in row-major order and its Shape. An attribute with an HDF5
// null dataspace (h5py.Empty) has a nil Value.
type Attribute struct {
	Name  string
	DType DType
	Shape []int
	Value any
}

// attrSet is the ordered attribute list shared by groups and datasets.
type attrSet struct {
	attrs []*Attribute
}

// SetAttr sets attribute name to v, replacing an attribute of that name.
// The accepted Go types and the HDF5 types they are written as are listed in
// the package documentation; any other type is an error wrapping ErrInvalid.
func (s *attrSet) SetAttr(name string, v any) error {
	if name == "" {
		return fmt.Errorf("%w: empty attribute name", ErrInvalid)
	}
	a, err := newAttribute(name, v)
	if err != nil {
		return err
	}
	for i, old := range s.attrs {
		if old.Name == name {
			s.attrs[i] = a
			return nil
		}
	}
	s.attrs = append(s.attrs, a)
	return nil
}

// Attr returns the value of attribute name; see [Attribute] for its Go type.
func (s *attrSet) Attr(name string) (any, bool) {
	for _, a := range s.attrs {
		if a.Name == name {
			return a.Value, true
		}
	}
	return nil, false
}

// Attribute returns attribute name with its stored type and shape.
func (s *attrSet) Attribute(name string) (*Attribute, bool) {
	for _, a := range s.attrs {
		if a.Name == name {
			return a, true
		}
	}
	return nil, false
}

// Attrs returns the attributes in order: the order of SetAttr for a tree
// being built, the order h5py reports for a tree that was read.
func (s *attrSet) Attrs() []*Attribute {
	return append([]*Attribute(nil), s.attrs...)
}

// AttrString returns a scalar string attribute, fixed- or variable-length.
func (s *attrSet) AttrString(name string) (string, bool) {
	v, ok := s.Attr(name)
	if !ok {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case FixedString:
		return string(v), true
	}
	return "", false
}

// AttrStrings returns a string-array attribute, fixed- or variable-length.
// A scalar string attribute is returned as a one-element slice, and an empty
// numeric array (Keras writes weight_names = [] as float64[0]) as an empty one.
func (s *attrSet) AttrStrings(name string) ([]string, bool) {
	a, ok := s.Attribute(name)
	if !ok {
		return nil, false
	}
	switch v := a.Value.(type) {
	case []string:
		return append([]string(nil), v...), true
	case FixedStrings:
		return append([]string(nil), v...), true
	case string:
		return []string{v}, true
	case FixedString:
		return []string{string(v)}, true
	}
	if a.Shape != nil && len(a.Shape) > 0 && product(a.Shape) == 0 {
		return []string{}, true
	}
	return nil, false
}

// newAttribute converts a Go value to an Attribute, normalising the value to
// the form the reader returns.
func newAttribute(name string, v any) (*Attribute, error) {
	a := &Attribute{Name: name}
	vec := func(n int) []int { return []int{n} }
	switch v := v.(type) {
	case string:
		a.DType, a.Value = VarUTF8, v
	case []string:
		a.DType, a.Shape, a.Value = VarUTF8, vec(len(v)), append([]string{}, v...)
	case FixedString:
		a.DType, a.Value = DType{Class: String, Size: max(len(v), 1)}, v
	case FixedStrings:
		n := 1
		for _, s := range v {
			n = max(n, len(s))
		}
		a.DType, a.Shape, a.Value = DType{Class: String, Size: n}, vec(len(v)), append(FixedStrings{}, v...)
	case int:
		a.DType, a.Value = Int64, int64(v)
	case int64:
		a.DType, a.Value = Int64, v
	case int32:
		a.DType, a.Value = Int32, int64(v)
	case uint8:
		a.DType, a.Value = Uint8, uint64(v)
	case uint64:
		a.DType, a.Value = Uint64, v
	case float32:
		a.DType, a.Value = Float32, float64(v)
	case float64:
		a.DType, a.Value = Float64, v
	case []int:
		a.DType, a.Shape, a.Value = Int64, vec(len(v)), convertSlice[int, int64](v)
	case []int64:
		a.DType, a.Shape, a.Value = Int64, vec(len(v)), convertSlice[int64, int64](v)
	case []int32:
		a.DType, a.Shape, a.Value = Int32, vec(len(v)), convertSlice[int32, int64](v)
	case []uint8:
		a.DType, a.Shape, a.Value = Uint8, vec(len(v)), convertSlice[uint8, uint64](v)
	case []uint64:
		a.DType, a.Shape, a.Value = Uint64, vec(len(v)), convertSlice[uint64, uint64](v)
	case []float32:
		a.DType, a.Shape, a.Value = Float32, vec(len(v)), convertSlice[float32, float64](v)
	case []float64:
		a.DType, a.Shape, a.Value = Float64, vec(len(v)), convertSlice[float64, float64](v)
	default:
		return nil, fmt.Errorf("%w: attribute %q: unsupported value type %T", ErrInvalid, name, v)
	}
	if a.DType.Class == String {
		for _, s := range attrStrings(a.Value) {
			for i := 0; i < len(s); i++ {
				if s[i] == 0 {
					return nil, fmt.Errorf("%w: attribute %q: fixed-length string contains a NUL byte", ErrInvalid, name)
				}
			}
		}
	}
	return a, nil
}

func attrStrings(v any) []string {
	switch v := v.(type) {
	case FixedString:
		return []string{string(v)}
	case FixedStrings:
		return v
	case string:
		return []string{v}
	case []string:
		return v
	}
	return nil
}

type number interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

func convertSlice[From, To number](s []From) []To {
	out := make([]To, len(s))
	for i, v := range s {
		out[i] = To(v)
	}
	return out
}

func product(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
