package keras

import (
	"strconv"
	"strings"
)

// None marks a dimension whose size is unknown until data arrives, as Keras's None does:
// Shape{None} is Keras's shape=(None,).
const None = -1

// Shape is the shape of a symbolic tensor. In Input it excludes the batch dimension; the
// shapes a layer sees in Build and OutputShapes include it (as None).
type Shape []int

// Clone returns a copy of s.
func (s Shape) Clone() Shape { return append(Shape(nil), s...) }

// Rank is the number of dimensions.
func (s Shape) Rank() int { return len(s) }

// Last returns the last dimension, or None for a scalar shape.
func (s Shape) Last() int {
	if len(s) == 0 {
		return None
	}
	return s[len(s)-1]
}

// Known reports whether every dimension is known.
func (s Shape) Known() bool {
	for _, d := range s {
		if d < 0 {
			return false
		}
	}
	return true
}

// Size is the number of elements, or -1 if a dimension is unknown.
func (s Shape) Size() int {
	n := 1
	for _, d := range s {
		if d < 0 {
			return -1
		}
		n *= d
	}
	return n
}

// Equal reports whether two shapes are identical (None matches only None).
func (s Shape) Equal(o Shape) bool {
	if len(s) != len(o) {
		return false
	}
	for i := range s {
		if s[i] != o[i] {
			return false
		}
	}
	return true
}

// Compatible reports whether two shapes can describe the same tensor: same rank and equal
// dimensions wherever both are known.
func (s Shape) Compatible(o Shape) bool {
	if len(s) != len(o) {
		return false
	}
	for i := range s {
		if s[i] >= 0 && o[i] >= 0 && s[i] != o[i] {
			return false
		}
	}
	return true
}

// String formats the shape as Keras prints it: (None, 8).
func (s Shape) String() string {
	var b strings.Builder
	b.WriteByte('(')
	for i, d := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		if d < 0 {
			b.WriteString("None")
		} else {
			b.WriteString(strconv.Itoa(d))
		}
	}
	if len(s) == 1 {
		b.WriteByte(',')
	}
	b.WriteByte(')')
	return b.String()
}
