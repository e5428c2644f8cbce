package hdf5

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// h5type is a decoded datatype message.
type h5type struct {
	dtype  DType
	size   int // bytes per element in the file
	strPad int // fixed strings: 0 null-terminated, 1 null-padded, 2 space-padded
	why    string
}

// ieeeLayouts gives, by size, the sign bit, exponent position and size,
// mantissa size and exponent bias of the IEEE 754 binary formats.
var ieeeLayouts = map[uint32][5]uint32{2: {15, 10, 5, 10, 15}, 4: {31, 23, 8, 23, 127}, 8: {63, 52, 11, 52, 1023}}

// parseDatatype decodes a datatype message. Types this package cannot decode
// get Class Unsupported and a reason, not an error.
func (r *reader) parseDatatype(b []byte) (*h5type, error) {
	c := r.cursor(b)
	cv := c.u8()
	f0, f1 := c.u8(), c.u8() // class bit fields; the third byte is unused here
	c.skip(1)
	size := c.u32()
	if err := c.err("datatype message"); err != nil {
		return nil, err
	}
	if size == 0 || size > 1<<20 {
		return nil, formatErr("datatype size %d", size)
	}
	t := &h5type{size: int(size)}
	class := cv & 0x0F
	bigEndian := f0&1 != 0
	switch class {
	case 0: // fixed-point
		off, prec := c.u16(), c.u16()
		if c.bad {
			return nil, formatErr("integer datatype is truncated")
		}
		if (size == 1 || size == 2 || size == 4 || size == 8) && off == 0 && int(prec) == 8*int(size) {
			t.dtype = DType{Class: Uint, Size: int(size), BigEndian: bigEndian && size > 1}
			if f0&0x08 != 0 {
				t.dtype.Class = Int
			}
			return t, nil
		}
		t.why = "integer with unusual bit precision"
	case 1: // floating-point
		off, prec := c.u16(), c.u16()
		expLoc, expSize, mantLoc, mantSize := c.u8(), c.u8(), c.u8(), c.u8()
		bias := c.u32()
		if c.bad {
			return nil, formatErr("float datatype is truncated")
		}
		want, ok := ieeeLayouts[size]
		if ok && f0&0x40 == 0 && off == 0 && uint32(prec) == 8*size && uint32(f1) == want[0] &&
			uint32(expLoc) == want[1] && uint32(expSize) == want[2] && mantLoc == 0 && uint32(mantSize) == want[3] && bias == want[4] {
			t.dtype = DType{Class: Float, Size: int(size), BigEndian: bigEndian}
			return t, nil
		}
		t.why = "non-IEEE floating-point type"
	case 3: // string
		t.dtype = DType{Class: String, Size: int(size), UTF8: (f0>>4)&0x0F == 1}
		t.strPad = int(f0 & 0x0F)
		return t, nil
	case 8: // enumeration: decode as its base integer type
		base, err := r.parseDatatype(b[8:])
		if err != nil {
			return nil, err
		}
		if (base.dtype.Class == Int || base.dtype.Class == Uint) && base.size == int(size) {
			t.dtype = base.dtype
			return t, nil
		}
		t.why = "enumeration over a non-integer type"
	case 9: // variable-length
		if f0&0x0F == 1 {
			t.dtype = DType{Class: VarString, UTF8: f1&0x0F == 1}
			if int(size) != 4+r.so+4 {
				return nil, formatErr("variable-length string of size %d", size)
			}
			return t, nil
		}
		t.why = "variable-length sequence"
	default:
		names := map[uint8]string{2: "time", 4: "bitfield", 5: "opaque", 6: "compound", 7: "reference", 10: "array", 11: "complex"}
		t.why = names[class] + " type"
		if names[class] == "" {
			t.why = fmt.Sprintf("datatype class %d", class)
		}
	}
	t.dtype = DType{Class: Unsupported, Size: int(size)}
	return t, nil
}

// dataspace is a decoded dataspace message.
type dataspace struct {
	dims, maxDims []uint64
	scalar, null  bool
}

func (s *dataspace) count() (uint64, error) {
	n := uint64(1)
	for _, d := range s.dims {
		var ok bool
		if n, ok = mulOK(n, d); !ok {
			return 0, formatErr("dataspace %v has too many elements", s.dims)
		}
	}
	if s.null {
		n = 0
	}
	return n, nil
}

func (s *dataspace) shape() []int {
	out := make([]int, len(s.dims))
	for i, d := range s.dims {
		out[i] = int(d)
	}
	return out
}

func (r *reader) parseDataspace(b []byte) (*dataspace, error) {
	c := r.cursor(b)
	version := c.u8()
	rank := int(c.u8())
	flags := c.u8()
	s := &dataspace{}
	switch version {
	case 1:
		c.skip(5)
		s.scalar = rank == 0
	case 2:
		switch c.u8() {
		case 0:
			s.scalar = true
		case 1:
		case 2:
			s.null = true
		default:
			return nil, formatErr("bad dataspace type")
		}
	default:
		return nil, unsupported("dataspace message version %d", version)
	}
	if rank > 32 {
		return nil, formatErr("dataspace rank %d", rank)
	}
	if (s.scalar || s.null) && rank != 0 {
		return nil, formatErr("scalar dataspace with rank %d", rank)
	}
	s.dims = make([]uint64, rank)
	for i := range s.dims {
		s.dims[i] = c.length()
		if s.dims[i] > math.MaxInt32*uint64(math.MaxInt32) {
			return nil, formatErr("dataspace dimension %d", s.dims[i])
		}
	}
	if flags&1 != 0 {
		s.maxDims = make([]uint64, rank)
		for i := range s.maxDims {
			s.maxDims[i] = c.length()
			if r.sl < 8 && s.maxDims[i] == 1<<(8*r.sl)-1 {
				s.maxDims[i] = math.MaxUint64 // unlimited
			}
		}
	}
	if err := c.err("dataspace message"); err != nil {
		return nil, err
	}
	if _, err := s.count(); err != nil {
		return nil, err
	}
	return s, nil
}

func mulOK(a, b uint64) (uint64, bool) {
	hi, lo := bits.Mul64(a, b)
	return lo, hi == 0
}

// decode converts n raw elements of type t to a typed slice (see Dataset.Value).
func (r *reader) decode(raw []byte, n int, t *h5type) (any, error) {
	dt := t.dtype
	var order binary.ByteOrder = binary.LittleEndian
	if dt.BigEndian {
		order = binary.BigEndian
	}
	switch dt.Class {
	case Int, Uint:
		signed := dt.Class == Int
		switch dt.Size {
		case 1:
			if signed {
				return decodeNums(raw, n, 1, func(b []byte) int8 { return int8(b[0]) }), nil
			}
			return append([]uint8{}, raw[:n]...), nil
		case 2:
			if signed {
				return decodeNums(raw, n, 2, func(b []byte) int16 { return int16(order.Uint16(b)) }), nil
			}
			return decodeNums(raw, n, 2, order.Uint16), nil
		case 4:
			if signed {
				return decodeNums(raw, n, 4, func(b []byte) int32 { return int32(order.Uint32(b)) }), nil
			}
			return decodeNums(raw, n, 4, order.Uint32), nil
		case 8:
			if signed {
				return decodeNums(raw, n, 8, func(b []byte) int64 { return int64(order.Uint64(b)) }), nil
			}
			return decodeNums(raw, n, 8, order.Uint64), nil
		}
	case Float:
		switch dt.Size {
		case 2:
			return decodeNums(raw, n, 2, func(b []byte) float32 { return halfToFloat32(order.Uint16(b)) }), nil
		case 4:
			return decodeNums(raw, n, 4, func(b []byte) float32 { return math.Float32frombits(order.Uint32(b)) }), nil
		case 8:
			return decodeNums(raw, n, 8, func(b []byte) float64 { return math.Float64frombits(order.Uint64(b)) }), nil
		}
	case String:
		out := make([]string, n)
		for i := range out {
			s := raw[i*t.size : (i+1)*t.size]
			if t.strPad == 0 {
				if j := bytes.IndexByte(s, 0); j >= 0 {
					s = s[:j]
				}
			}
			out[i] = string(bytes.TrimRight(s, "\x00"))
		}
		return out, nil
	case VarString:
		out := make([]string, n)
		for i := range out {
			c := r.cursor(raw[i*t.size : (i+1)*t.size])
			length := uint64(c.u32())
			addr := c.addr()
			idx := c.u32()
			if length == 0 {
				continue
			}
			obj, err := r.globalObject(addr, idx)
			if err != nil {
				return nil, err
			}
			if length > uint64(len(obj)) {
				return nil, formatErr("variable-length string longer than its heap object")
			}
			if err := r.charge(length); err != nil {
				return nil, err
			}
			out[i] = string(obj[:length])
		}
		return out, nil
	}
	return nil, unsupported("%s", t.why)
}

func decodeNums[T any](raw []byte, n, size int, get func([]byte) T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = get(raw[i*size:])
	}
	return out
}

// halfToFloat32 converts an IEEE 754 binary16 value.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1F
	mant := uint32(h & 0x3FF)
	switch {
	case exp == 0x1F:
		return math.Float32frombits(sign | 0x7F800000 | mant<<13)
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0:
		// Subnormal: value is mant * 2^-24.
		f := float32(mant) / (1 << 24)
		if sign != 0 {
			f = -f
		}
		return f
	}
	return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
}

// globalObject returns object idx of the global heap collection at addr.
func (r *reader) globalObject(addr uint64, idx uint32) ([]byte, error) {
	objs, ok := r.gheaps[addr]
	if !ok {
		if err := r.tick(); err != nil {
			return nil, err
		}
		head, err := r.readAt(addr, uint64(8+r.sl))
		if err != nil {
			return nil, err
		}
		if string(head[:4]) != "GCOL" {
			return nil, formatErr("bad global heap signature at %#x", addr)
		}
		size := r.cursor(head[8:]).length()
		b, err := r.readAt(addr, size)
		if err != nil {
			return nil, err
		}
		objs = map[uint32][]byte{}
		c := r.cursor(b)
		c.skip(8 + r.sl)
		for c.left() >= 8+r.sl {
			id := uint32(c.u16())
			c.skip(6) // reference count, reserved
			n := c.length()
			if id == 0 {
				break // free space runs to the end
			}
			if n > uint64(c.left()) {
				return nil, formatErr("global heap object overruns its collection")
			}
			objs[id] = c.take(int(n))
			c.skip(min(align8(int(n))-int(n), c.left()))
		}
		r.gheaps[addr] = objs
	}
	obj, ok := objs[idx]
	if !ok {
		return nil, formatErr("global heap %#x has no object %d", addr, idx)
	}
	return obj, nil
}

func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }
