package hdf5

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

// Layout constants of the files this package writes (the libhdf5 defaults).
const (
	sizeOffsets     = 8  // bytes in a file address
	sizeLengths     = 8  // bytes in a file length
	groupLeafK      = 4  // a symbol table node holds up to 2*groupLeafK entries
	groupInternalK  = 16 // a group B-tree node has up to 2*groupInternalK children
	symbolEntrySize = 40
	snodSize        = 8 + 2*groupLeafK*symbolEntrySize
	btreeNodeSize   = 24 + (2*groupInternalK+1)*sizeLengths + 2*groupInternalK*sizeOffsets
	superblockSize  = 56 + symbolEntrySize
	superblockSpace = 128    // room for a version 0 (or, in tests, version 1) superblock
	minGlobalHeap   = 4096   // libhdf5 reads at least this much of a global heap collection
	maxMessageSize  = 0xFFF8 // largest 8-aligned size of a version 1 header message
)

const undefAddr = math.MaxUint64

var signature = []byte{0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'}

// Header message types.
const (
	msgNil          = 0x00
	msgDataspace    = 0x01
	msgLinkInfo     = 0x02
	msgDatatype     = 0x03
	msgFillOld      = 0x04
	msgFill         = 0x05
	msgLink         = 0x06
	msgLayout       = 0x08
	msgGroupInfo    = 0x0A
	msgFilters      = 0x0B
	msgAttribute    = 0x0C
	msgContinuation = 0x10
	msgSymbolTable  = 0x11
	msgAttrInfo     = 0x15
)

// Bytes encodes the file.
func (f *File) Bytes() ([]byte, error) {
	if f == nil || f.Root == nil {
		return nil, fmt.Errorf("%w: file has no root group", ErrInvalid)
	}
	w := &writer{done: map[*Group]groupAddrs{}, busy: map[*Group]bool{}, dsets: map[*Dataset]uint64{}}
	w.alloc(superblockSpace)
	root, err := w.writeGroup(f.Root, "/")
	if err != nil {
		return nil, err
	}
	w.finishHeaps()
	sb := w.buf[:superblockSize]
	copy(sb, signature)
	// 8: superblock, free-space, root group entry, reserved, shared header versions: all 0.
	sb[13], sb[14] = sizeOffsets, sizeLengths
	binary.LittleEndian.PutUint16(sb[16:], groupLeafK)
	binary.LittleEndian.PutUint16(sb[18:], groupInternalK)
	// 20: file consistency flags = 0; 24: base address = 0.
	binary.LittleEndian.PutUint64(sb[32:], undefAddr) // free-space info
	binary.LittleEndian.PutUint64(sb[40:], uint64(len(w.buf)))
	binary.LittleEndian.PutUint64(sb[48:], undefAddr) // driver info
	putSymbolEntry(sb[56:], 0, root.header, true, root.btree, root.heap)
	return w.buf, nil
}

// WriteTo encodes the file and writes it to w.
func (f *File) WriteTo(w io.Writer) (int64, error) {
	b, err := f.Bytes()
	if err != nil {
		return 0, err
	}
	n, err := w.Write(b)
	return int64(n), err
}

// Save encodes the file and writes it to path, replacing any file there.
func (f *File) Save(path string) error {
	b, err := f.Bytes()
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

type groupAddrs struct{ header, btree, heap uint64 }

// globalHeap is a global heap collection being filled.
type globalHeap struct {
	addr uint64
	size int
	used int // bytes used, including the 16-byte collection header
	next int // next object index
}

type writer struct {
	buf   []byte
	heaps []*globalHeap
	done  map[*Group]groupAddrs
	busy  map[*Group]bool
	dsets map[*Dataset]uint64
}

// alloc reserves n zero bytes at the next 8-aligned offset.
func (w *writer) alloc(n int) uint64 {
	off := align8(len(w.buf))
	end := off + n
	if end > cap(w.buf) {
		nb := make([]byte, off, max(2*cap(w.buf), end, 4096))
		copy(nb, w.buf)
		w.buf = nb
	}
	w.buf = w.buf[:end]
	clear(w.buf[off:end])
	return uint64(off)
}

func align8(n int) int { return (n + 7) &^ 7 }

func (w *writer) writeGroup(g *Group, path string) (groupAddrs, error) {
	if a, ok := w.done[g]; ok {
		return a, nil
	}
	if w.busy[g] {
		return groupAddrs{}, fmt.Errorf("%w: group %q contains itself", ErrInvalid, path)
	}
	w.busy[g] = true
	defer delete(w.busy, g)

	type entry struct {
		name  string
		addrs groupAddrs
		group bool
	}
	// Members and attributes are written sorted by name, the order h5py and
	// Read report, so that encoding a tree that was read reproduces the file.
	members := append([]member(nil), g.members...)
	sort.SliceStable(members, func(i, j int) bool { return members[i].name < members[j].name })
	entries := make([]entry, 0, len(members))
	for _, m := range members {
		p := path + m.name
		if path != "/" {
			p = path + "/" + m.name
		}
		e := entry{name: m.name}
		switch {
		case m.group != nil:
			a, err := w.writeGroup(m.group, p)
			if err != nil {
				return groupAddrs{}, err
			}
			e.addrs, e.group = a, true
		case m.dataset != nil:
			a, err := w.writeDataset(m.dataset, p)
			if err != nil {
				return groupAddrs{}, err
			}
			e.addrs.header = a
		default:
			continue
		}
		entries = append(entries, e)
	}
	for i := 1; i < len(entries); i++ {
		if entries[i].name == entries[i-1].name {
			return groupAddrs{}, fmt.Errorf("%w: group %q has two members named %q", ErrInvalid, path, entries[i].name)
		}
	}

	// Local heap: the empty string at offset 0, then every name, 8-aligned.
	heapData := make([]byte, 8)
	nameOff := make([]uint64, len(entries))
	for i, e := range entries {
		nameOff[i] = uint64(len(heapData))
		heapData = append(heapData, e.name...)
		heapData = append(heapData, make([]byte, align8(len(e.name)+1)-len(e.name))...)
	}
	heapAddr := w.alloc(32 + len(heapData))
	h := w.buf[heapAddr:]
	copy(h, "HEAP")
	binary.LittleEndian.PutUint64(h[8:], uint64(len(heapData)))
	binary.LittleEndian.PutUint64(h[16:], 1) // no free block (libhdf5's H5HL_FREE_NULL)
	binary.LittleEndian.PutUint64(h[24:], heapAddr+32)
	copy(h[32:], heapData)

	// Symbol table nodes, each with up to 2*groupLeafK entries.
	type node struct {
		addr   uint64
		maxKey uint64 // heap offset of the largest name below the node
	}
	var children []node
	for start := 0; start < len(entries); start += 2 * groupLeafK {
		end := min(start+2*groupLeafK, len(entries))
		addr := w.alloc(snodSize)
		s := w.buf[addr:]
		copy(s, "SNOD")
		s[4] = 1
		binary.LittleEndian.PutUint16(s[6:], uint16(end-start))
		for i := start; i < end; i++ {
			e := entries[i]
			putSymbolEntry(s[8+(i-start)*symbolEntrySize:], nameOff[i], e.addrs.header, e.group, e.addrs.btree, e.addrs.heap)
		}
		children = append(children, node{addr, nameOff[end-1]})
	}

	// Version 1 B-tree over the nodes, level by level, siblings linked.
	level := 0
	for {
		n := max((len(children)+2*groupInternalK-1)/(2*groupInternalK), 1)
		parents := make([]node, n)
		for i := range parents {
			parents[i].addr = w.alloc(btreeNodeSize)
		}
		leftKey := uint64(0)
		for i := range parents {
			lo := i * 2 * groupInternalK
			hi := min(lo+2*groupInternalK, len(children))
			b := w.buf[parents[i].addr:]
			copy(b, "TREE")
			b[4] = 0 // group node
			b[5] = byte(level)
			binary.LittleEndian.PutUint16(b[6:], uint16(hi-lo))
			left, right := uint64(undefAddr), uint64(undefAddr)
			if i > 0 {
				left = parents[i-1].addr
			}
			if i+1 < n {
				right = parents[i+1].addr
			}
			binary.LittleEndian.PutUint64(b[8:], left)
			binary.LittleEndian.PutUint64(b[16:], right)
			p := 24
			binary.LittleEndian.PutUint64(b[p:], leftKey)
			p += 8
			parents[i].maxKey = leftKey
			for _, c := range children[lo:hi] {
				binary.LittleEndian.PutUint64(b[p:], c.addr)
				binary.LittleEndian.PutUint64(b[p+8:], c.maxKey)
				p += 16
				parents[i].maxKey = c.maxKey
			}
			leftKey = parents[i].maxKey
		}
		if n == 1 {
			children = parents
			break
		}
		children = parents
		level++
	}
	btreeAddr := children[0].addr

	msgs := [][]byte{message(msgSymbolTable, 0, appendU64(appendU64(nil, btreeAddr), heapAddr))}
	attrMsgs, err := w.attributeMessages(g.attrs, path)
	if err != nil {
		return groupAddrs{}, err
	}
	a := groupAddrs{header: w.objectHeader(append(msgs, attrMsgs...)), btree: btreeAddr, heap: heapAddr}
	w.done[g] = a
	return a, nil
}

func putSymbolEntry(b []byte, nameOff, header uint64, group bool, btree, heap uint64) {
	binary.LittleEndian.PutUint64(b[0:], nameOff)
	binary.LittleEndian.PutUint64(b[8:], header)
	if group {
		binary.LittleEndian.PutUint32(b[16:], 1) // cache type 1: scratch holds the symbol table
		binary.LittleEndian.PutUint64(b[24:], btree)
		binary.LittleEndian.PutUint64(b[32:], heap)
	}
}

func (w *writer) writeDataset(d *Dataset, path string) (uint64, error) {
	if a, ok := w.dsets[d]; ok {
		return a, nil
	}
	if d.err != nil {
		return 0, fmt.Errorf("dataset %q: %w", path, d.err)
	}
	dtype, n, ok := sliceType(d.data)
	if !ok {
		return 0, fmt.Errorf("%w: dataset %q: cannot write data of type %T", ErrInvalid, path, d.data)
	}
	shape := make([]uint64, len(d.Shape))
	for i, s := range d.Shape {
		if s < 0 {
			return 0, fmt.Errorf("%w: dataset %q: negative dimension", ErrInvalid, path)
		}
		shape[i] = uint64(s)
	}
	if n != product(d.Shape) {
		return 0, fmt.Errorf("%w: dataset %q: shape %v does not match %d values", ErrInvalid, path, d.Shape, n)
	}
	nbytes := n * dtype.Size
	dataAddr := uint64(undefAddr)
	if nbytes > 0 {
		dataAddr = w.alloc(nbytes)
		putData(w.buf[dataAddr:dataAddr+uint64(nbytes)], d.data)
	}
	dt, err := encodeDatatype(dtype)
	if err != nil {
		return 0, fmt.Errorf("dataset %q: %w", path, err)
	}
	layout := []byte{3, 1}
	layout = appendU64(layout, dataAddr)
	layout = appendU64(layout, uint64(nbytes))
	msgs := [][]byte{
		message(msgDataspace, 0, encodeDataspace(shape, len(shape) > 0)),
		message(msgDatatype, 1, dt),
		// Fill value v2: allocation late, write if set, defined, default (size 0).
		message(msgFill, 1, []byte{2, 2, 2, 1, 0, 0, 0, 0}),
		message(msgLayout, 0, layout),
	}
	attrMsgs, err := w.attributeMessages(d.attrs, path)
	if err != nil {
		return 0, err
	}
	a := w.objectHeader(append(msgs, attrMsgs...))
	w.dsets[d] = a
	return a, nil
}

// message encodes a version 1 header message: type, size, flags, 3 reserved
// bytes, then the data padded to a multiple of 8 bytes.
func message(typ uint16, flags byte, data []byte) []byte {
	b := make([]byte, 8+align8(len(data)))
	binary.LittleEndian.PutUint16(b, typ)
	binary.LittleEndian.PutUint16(b[2:], uint16(align8(len(data))))
	b[4] = flags
	copy(b[8:], data)
	return b
}

// objectHeader writes a version 1 object header holding msgs and returns its address.
func (w *writer) objectHeader(msgs [][]byte) uint64 {
	size := 0
	for _, m := range msgs {
		size += len(m)
	}
	addr := w.alloc(16 + size)
	b := w.buf[addr:]
	b[0] = 1
	binary.LittleEndian.PutUint16(b[2:], uint16(len(msgs)))
	binary.LittleEndian.PutUint32(b[4:], 1) // reference count
	binary.LittleEndian.PutUint32(b[8:], uint32(size))
	p := 16
	for _, m := range msgs {
		p += copy(b[p:], m)
	}
	return addr
}

func (w *writer) attributeMessages(attrs []*Attribute, path string) ([][]byte, error) {
	var out [][]byte
	seen := map[string]bool{}
	attrs = append([]*Attribute(nil), attrs...)
	sort.SliceStable(attrs, func(i, j int) bool { return attrs[i].Name < attrs[j].Name })
	for _, a := range attrs {
		if seen[a.Name] {
			return nil, fmt.Errorf("%w: %q has two attributes named %q", ErrInvalid, path, a.Name)
		}
		seen[a.Name] = true
		m, err := w.attributeMessage(a)
		if err != nil {
			return nil, fmt.Errorf("%q: attribute %q: %w", path, a.Name, err)
		}
		out = append(out, m)
	}
	return out, nil
}

func (w *writer) attributeMessage(a *Attribute) ([]byte, error) {
	if a.Name == "" {
		return nil, fmt.Errorf("%w: empty attribute name", ErrInvalid)
	}
	dt, err := encodeDatatype(a.DType)
	if err != nil {
		return nil, err
	}
	var shape []uint64
	for _, s := range a.Shape {
		if s < 0 {
			return nil, fmt.Errorf("%w: negative dimension", ErrInvalid)
		}
		shape = append(shape, uint64(s))
	}
	n := 1
	if a.Shape != nil {
		n = product(a.Shape)
	}
	var data []byte
	switch a.DType.Class {
	case VarString:
		ss := attrStrings(a.Value)
		if len(ss) != n {
			return nil, fmt.Errorf("%w: value does not match shape %v", ErrInvalid, a.Shape)
		}
		for _, s := range ss {
			if uint64(len(s)) > math.MaxUint32 {
				return nil, fmt.Errorf("%w: string too long", ErrInvalid)
			}
			addr, idx := w.heapObject(s)
			data = binary.LittleEndian.AppendUint32(data, uint32(len(s)))
			data = appendU64(data, addr)
			data = binary.LittleEndian.AppendUint32(data, idx)
		}
	case String:
		ss := attrStrings(a.Value)
		if len(ss) != n {
			return nil, fmt.Errorf("%w: value does not match shape %v", ErrInvalid, a.Shape)
		}
		for _, s := range ss {
			if len(s) > a.DType.Size {
				return nil, fmt.Errorf("%w: string longer than its type", ErrInvalid)
			}
			data = append(data, s...)
			data = append(data, make([]byte, a.DType.Size-len(s))...)
		}
	default:
		data, err = encodeAttrNumbers(a.Value, a.DType, n)
		if err != nil {
			return nil, err
		}
	}
	ds := encodeDataspace(shape, a.Shape != nil)
	name := append([]byte(a.Name), 0)
	b := []byte{1, 0}
	b = binary.LittleEndian.AppendUint16(b, uint16(len(name)))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(dt)))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(ds)))
	b = appendPadded(b, name)
	b = appendPadded(b, dt)
	b = appendPadded(b, ds)
	b = append(b, data...)
	if len(name) > math.MaxUint16 || align8(len(b)) > maxMessageSize {
		return nil, fmt.Errorf("%w: attribute is %d bytes; an object header message holds at most %d (split it, as Keras does with layer_names0, layer_names1, ...)", ErrInvalid, len(b), maxMessageSize)
	}
	return message(msgAttribute, 0, b), nil
}

func appendPadded(b, data []byte) []byte {
	b = append(b, data...)
	return append(b, make([]byte, align8(len(data))-len(data))...)
}

func appendU64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }

// heapObject stores s in a global heap collection and returns its heap ID.
// The empty string is stored as the null ID, as libhdf5 does.
func (w *writer) heapObject(s string) (uint64, uint32) {
	if len(s) == 0 {
		return 0, 0
	}
	need := 16 + align8(len(s))
	var h *globalHeap
	if n := len(w.heaps); n > 0 {
		last := w.heaps[n-1]
		if last.used+need <= last.size && last.next < math.MaxUint16 {
			h = last
		}
	}
	if h == nil {
		size := max(minGlobalHeap, 16+need)
		h = &globalHeap{addr: w.alloc(size), size: size, used: 16, next: 1}
		w.heaps = append(w.heaps, h)
	}
	b := w.buf[h.addr+uint64(h.used):]
	binary.LittleEndian.PutUint16(b, uint16(h.next))
	binary.LittleEndian.PutUint16(b[2:], 1) // reference count
	binary.LittleEndian.PutUint64(b[8:], uint64(len(s)))
	copy(b[16:], s)
	idx := h.next
	h.next++
	h.used += need
	return h.addr, uint32(idx)
}

// finishHeaps writes the collection headers and free-space objects.
func (w *writer) finishHeaps() {
	for _, h := range w.heaps {
		b := w.buf[h.addr : h.addr+uint64(h.size)]
		copy(b, "GCOL")
		b[4] = 1
		binary.LittleEndian.PutUint64(b[8:], uint64(h.size))
		if free := h.size - h.used; free >= 16 {
			f := b[h.used:]
			binary.LittleEndian.PutUint16(f, 0)
			binary.LittleEndian.PutUint64(f[8:], uint64(free))
		}
	}
}

// encodeDataspace encodes a version 1 dataspace message; simple=false gives a scalar.
func encodeDataspace(dims []uint64, simple bool) []byte {
	if !simple {
		return []byte{1, 0, 0, 0, 0, 0, 0, 0}
	}
	b := []byte{1, byte(len(dims)), 1, 0, 0, 0, 0, 0}
	for _, d := range dims {
		b = appendU64(b, d)
	}
	for _, d := range dims { // maximum dimensions = current dimensions
		b = appendU64(b, d)
	}
	return b
}

// encodeDatatype encodes a version 1 datatype message.
func encodeDatatype(t DType) ([]byte, error) {
	var b []byte
	switch t.Class {
	case Int, Uint:
		if t.Size != 1 && t.Size != 2 && t.Size != 4 && t.Size != 8 {
			break
		}
		flags := byte(0)
		if t.Class == Int {
			flags |= 0x08
		}
		if t.BigEndian {
			flags |= 0x01
		}
		b = []byte{0x10, flags, 0, 0}
		b = binary.LittleEndian.AppendUint32(b, uint32(t.Size))
		b = binary.LittleEndian.AppendUint16(b, 0)
		b = binary.LittleEndian.AppendUint16(b, uint16(t.Size*8))
		return b, nil
	case Float:
		var sign, expLoc, expSize, mantSize byte
		var bias uint32
		switch t.Size {
		case 2:
			sign, expLoc, expSize, mantSize, bias = 15, 10, 5, 10, 15
		case 4:
			sign, expLoc, expSize, mantSize, bias = 31, 23, 8, 23, 127
		case 8:
			sign, expLoc, expSize, mantSize, bias = 63, 52, 11, 52, 1023
		default:
			return nil, fmt.Errorf("%w: float size %d", ErrInvalid, t.Size)
		}
		flags := byte(0x20) // mantissa normalization: implied most significant bit
		if t.BigEndian {
			flags |= 0x01
		}
		b = []byte{0x11, flags, sign, 0}
		b = binary.LittleEndian.AppendUint32(b, uint32(t.Size))
		b = binary.LittleEndian.AppendUint16(b, 0)
		b = binary.LittleEndian.AppendUint16(b, uint16(t.Size*8))
		b = append(b, expLoc, expSize, 0, mantSize)
		b = binary.LittleEndian.AppendUint32(b, bias)
		return b, nil
	case String:
		if t.Size < 1 {
			break
		}
		flags := byte(1) // null-padded
		if t.UTF8 {
			flags |= 1 << 4
		}
		b = []byte{0x13, flags, 0, 0}
		return binary.LittleEndian.AppendUint32(b, uint32(t.Size)), nil
	case VarString:
		cset := byte(0)
		if t.UTF8 {
			cset = 1
		}
		// Variable-length string (type 1, null-terminated padding) of unsigned bytes.
		b = []byte{0x19, 0x01, cset, 0, 16, 0, 0, 0}
		b = append(b, 0x10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 8, 0)
		return b, nil
	}
	return nil, fmt.Errorf("%w: cannot write element type %v", ErrInvalid, t)
}

// encodeData encodes a data slice in little-endian order.
func encodeData(data any, t DType) ([]byte, error) {
	_, n, ok := sliceType(data)
	if !ok || t.BigEndian {
		return nil, fmt.Errorf("%w: cannot write data of type %T as %v", ErrInvalid, data, t)
	}
	b := make([]byte, n*t.Size)
	putData(b, data)
	return b, nil
}

// putData encodes a data slice (one of the types sliceType accepts) into b
// in little-endian order; b must have exactly the right length.
func putData(b []byte, data any) {
	switch v := data.(type) {
	case []float32:
		putLE(b, v, 4, func(b []byte, x float32) { binary.LittleEndian.PutUint32(b, math.Float32bits(x)) })
	case []float64:
		putLE(b, v, 8, func(b []byte, x float64) { binary.LittleEndian.PutUint64(b, math.Float64bits(x)) })
	case []int8:
		putLE(b, v, 1, func(b []byte, x int8) { b[0] = byte(x) })
	case []int16:
		putLE(b, v, 2, func(b []byte, x int16) { binary.LittleEndian.PutUint16(b, uint16(x)) })
	case []int32:
		putLE(b, v, 4, func(b []byte, x int32) { binary.LittleEndian.PutUint32(b, uint32(x)) })
	case []int64:
		putLE(b, v, 8, func(b []byte, x int64) { binary.LittleEndian.PutUint64(b, uint64(x)) })
	case []uint8:
		copy(b, v)
	case []uint16:
		putLE(b, v, 2, binary.LittleEndian.PutUint16)
	case []uint32:
		putLE(b, v, 4, binary.LittleEndian.PutUint32)
	case []uint64:
		putLE(b, v, 8, binary.LittleEndian.PutUint64)
	}
}

func putLE[T any](b []byte, v []T, size int, put func([]byte, T)) {
	for i, x := range v {
		put(b[i*size:], x)
	}
}

// encodeAttrNumbers encodes a numeric attribute value in its stored type.
func encodeAttrNumbers(v any, t DType, n int) ([]byte, error) {
	var vals []float64
	var ints []int64
	var uints []uint64
	switch v := v.(type) {
	case int64:
		ints = []int64{v}
	case []int64:
		ints = v
	case uint64:
		uints = []uint64{v}
	case []uint64:
		uints = v
	case float64:
		vals = []float64{v}
	case []float64:
		vals = v
	default:
		return nil, fmt.Errorf("%w: value %T does not match type %v", ErrInvalid, v, t)
	}
	if len(vals)+len(ints)+len(uints) != n {
		return nil, fmt.Errorf("%w: value does not match its shape", ErrInvalid)
	}
	var data any
	switch {
	case t.Class == Float && t.Size == 4 && vals != nil:
		data = convertSlice[float64, float32](vals)
	case t.Class == Float && t.Size == 8 && vals != nil:
		data = vals
	case t.Class == Int && ints != nil:
		switch t.Size {
		case 1:
			data = convertSlice[int64, int8](ints)
		case 2:
			data = convertSlice[int64, int16](ints)
		case 4:
			data = convertSlice[int64, int32](ints)
		case 8:
			data = ints
		}
	case t.Class == Uint && uints != nil:
		switch t.Size {
		case 1:
			data = convertSlice[uint64, uint8](uints)
		case 2:
			data = convertSlice[uint64, uint16](uints)
		case 4:
			data = convertSlice[uint64, uint32](uints)
		case 8:
			data = uints
		}
	}
	if data == nil {
		return nil, fmt.Errorf("%w: value %T does not match type %v", ErrInvalid, v, t)
	}
	return encodeData(data, DType{Class: t.Class, Size: t.Size})
}
