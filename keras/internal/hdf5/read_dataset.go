package hdf5

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"math"
)

// layout is a decoded data layout message.
type layout struct {
	class      uint8 // 0 compact, 1 contiguous, 2 chunked, 3 virtual
	addr       uint64
	size       uint64 // contiguous storage size, or undefAddr if not recorded
	compact    []byte
	chunk      []uint64 // chunk dimensions, without the element-size dimension
	flags      uint8    // version 4 chunk flags
	index      uint8    // chunk index: 0 v1 B-tree, 1 single, 2 implicit, 3 fixed array, 4 extensible array, 5 v2 B-tree
	singleSize uint64
	singleMask uint32
}

type filter struct {
	id     uint16
	client []uint32
}

// Filter identifiers.
const (
	filterDeflate    = 1
	filterShuffle    = 2
	filterFletcher32 = 3
)

func (r *reader) readDataset(d *Dataset, msgs []hmsg) error {
	var (
		space   *dataspace
		t       *h5type
		lay     *layout
		filters []filter
		fill    []byte
		err     error
	)
	for _, m := range msgs {
		switch m.typ {
		case msgDataspace:
			if m.flags&0x02 != 0 {
				return unsupported("shared dataspace")
			}
			space, err = r.parseDataspace(m.data)
		case msgDatatype:
			if m.flags&0x02 != 0 {
				t, err = r.committedType(m.data)
			} else {
				t, err = r.parseDatatype(m.data)
			}
		case msgLayout:
			lay, err = r.parseLayout(m.data)
		case msgFilters:
			filters, err = r.parseFilters(m.data)
		case msgFill, msgFillOld:
			fill, err = parseFill(m.typ, m.data)
		}
		if err != nil {
			return err
		}
	}
	if space == nil || t == nil || lay == nil {
		return formatErr("dataset without dataspace, datatype or layout")
	}
	d.Shape = space.shape()
	d.DType = t.dtype
	if d.attrs, err = r.attributes(msgs); err != nil {
		return err
	}
	if len(fill) != t.size {
		fill = nil
	}
	data, err := r.datasetData(space, t, lay, filters, fill)
	if err != nil {
		if errors.Is(err, ErrUnsupported) {
			d.err = fmt.Errorf("dataset %q: %w", d.name, err)
			return nil
		}
		return err
	}
	d.data = data
	return nil
}

// committedType follows a shared datatype message to a named datatype.
func (r *reader) committedType(b []byte) (*h5type, error) {
	c := r.cursor(b)
	version := c.u8()
	typ := c.u8()
	switch version {
	case 1:
		c.skip(6)
	case 2:
	case 3:
		if typ != 2 {
			return nil, unsupported("datatype shared through the shared message heap")
		}
	default:
		return nil, unsupported("shared message version %d", version)
	}
	addr := c.addr()
	if err := c.err("shared datatype message"); err != nil {
		return nil, err
	}
	msgs, err := r.header(addr)
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		if m.typ == msgDatatype && m.flags&0x02 == 0 {
			return r.parseDatatype(m.data)
		}
	}
	return nil, formatErr("named datatype at %#x has no datatype message", addr)
}

func (r *reader) parseLayout(b []byte) (*layout, error) {
	c := r.cursor(b)
	version := c.u8()
	l := &layout{size: undefAddr, addr: undefAddr}
	readChunkDims := func(n int, width int) error {
		if n < 2 || n > 33 {
			return formatErr("chunk dimensionality %d", n)
		}
		dims := make([]uint64, n)
		for i := range dims {
			dims[i] = c.uint(width)
			if dims[i] == 0 && !c.bad {
				return formatErr("zero chunk dimension")
			}
		}
		l.chunk = dims[:n-1] // the last dimension is the element size
		return nil
	}
	switch version {
	case 1, 2:
		ndims := int(c.u8())
		l.class = c.u8()
		c.skip(5)
		if l.class != 0 {
			l.addr = c.addr()
		}
		switch l.class {
		case 0:
			c.skip(4 * ndims)
			n := c.u32()
			if uint64(n) > uint64(c.left()) {
				return nil, formatErr("compact data overruns the layout message")
			}
			l.compact = c.take(int(n))
		case 1:
			c.skip(4 * ndims)
		case 2:
			if err := readChunkDims(ndims, 4); err != nil {
				return nil, err
			}
		default:
			return nil, formatErr("layout class %d", l.class)
		}
	case 3, 4, 5: // version 5 (HDF5 2.0) only fixes the width of filtered chunk sizes
		l.class = c.u8()
		switch l.class {
		case 0:
			n := c.u16()
			if int(n) > c.left() {
				return nil, formatErr("compact data overruns the layout message")
			}
			l.compact = c.take(int(n))
		case 1:
			l.addr = c.addr()
			l.size = c.length()
		case 2:
			if version == 3 {
				ndims := int(c.u8())
				l.addr = c.addr()
				if err := readChunkDims(ndims, 4); err != nil {
					return nil, err
				}
				break
			}
			l.flags = c.u8()
			ndims := int(c.u8())
			width := int(c.u8())
			if width < 1 || width > 8 {
				return nil, formatErr("chunk dimension width %d", width)
			}
			if err := readChunkDims(ndims, width); err != nil {
				return nil, err
			}
			l.index = c.u8()
			switch l.index {
			case 1:
				if l.flags&0x02 != 0 {
					l.singleSize = c.length()
					l.singleMask = c.u32()
				}
			case 2:
			case 3:
				c.skip(1)
			case 4:
				c.skip(5)
			case 5:
				c.skip(6)
			default:
				return nil, formatErr("chunk index type %d", l.index)
			}
			l.addr = c.addr()
		case 3:
			return nil, unsupported("virtual dataset")
		default:
			return nil, formatErr("layout class %d", l.class)
		}
	default:
		return nil, unsupported("layout message version %d", version)
	}
	return l, c.err("layout message")
}

func (r *reader) parseFilters(b []byte) ([]filter, error) {
	c := r.cursor(b)
	version := c.u8()
	n := int(c.u8())
	if version == 1 {
		c.skip(6)
	} else if version != 2 {
		return nil, unsupported("filter pipeline version %d", version)
	}
	var out []filter
	for i := 0; i < n && !c.bad; i++ {
		f := filter{id: c.u16()}
		nameLen := 0
		if version == 1 || f.id >= 256 {
			nameLen = int(c.u16())
		}
		c.u16() // flags
		nvals := int(c.u16())
		if version == 1 {
			nameLen = align8(nameLen)
		}
		c.skip(nameLen)
		if nvals > c.left()/4 {
			return nil, formatErr("filter parameters overrun the message")
		}
		for j := 0; j < nvals; j++ {
			f.client = append(f.client, c.u32())
		}
		if version == 1 && nvals%2 == 1 {
			c.skip(4)
		}
		out = append(out, f)
	}
	return out, c.err("filter pipeline message")
}

// parseFill returns the fill value bytes, or nil for the default (zeros).
func parseFill(typ uint16, b []byte) ([]byte, error) {
	c := &cursor{b: b}
	var defined bool
	if typ == msgFillOld {
		defined = true
	} else {
		switch v := c.u8(); v {
		case 1, 2:
			c.skip(2) // allocation time, write time
			defined = c.u8() != 0
			if v == 1 {
				defined = true
			}
		case 3:
			defined = c.u8()&0x20 != 0
		default:
			return nil, unsupported("fill value message version %d", v)
		}
	}
	if !defined || c.left() < 4 {
		return nil, nil
	}
	n := c.u32()
	if uint64(n) > uint64(c.left()) {
		return nil, formatErr("fill value overruns its message")
	}
	return c.take(int(n)), nil
}

// datasetData reads and decodes a dataset's elements.
func (r *reader) datasetData(space *dataspace, t *h5type, lay *layout, filters []filter, fill []byte) (any, error) {
	if space.null {
		return nil, unsupported("dataset with a null dataspace (h5py.Empty)")
	}
	if t.dtype.Class == Unsupported {
		return nil, unsupported("%s", t.why)
	}
	n, err := space.count()
	if err != nil {
		return nil, err
	}
	nbytes, ok := mulOK(n, uint64(t.size))
	if !ok || nbytes > math.MaxInt {
		return nil, formatErr("dataset of %d elements is too large", n)
	}
	if err := r.charge(nbytes); err != nil {
		return nil, err
	}
	var raw []byte
	switch lay.class {
	case 0:
		if uint64(len(lay.compact)) < nbytes {
			return nil, formatErr("compact data holds %d bytes, the dataset needs %d", len(lay.compact), nbytes)
		}
		raw = lay.compact[:nbytes]
	case 1:
		if lay.addr == undefAddr {
			raw = filled(nbytes, fill)
			break
		}
		if lay.size != undefAddr && lay.size < nbytes {
			return nil, formatErr("contiguous storage holds %d bytes, the dataset needs %d", lay.size, nbytes)
		}
		if raw, err = r.readAt(lay.addr, nbytes); err != nil {
			return nil, err
		}
	case 2:
		if raw, err = r.chunkedData(space, t, lay, filters, fill, nbytes); err != nil {
			return nil, err
		}
	}
	return r.decode(raw, int(n), t)
}

func filled(n uint64, fill []byte) []byte {
	b := make([]byte, n)
	if fill != nil && !bytes.Equal(fill, make([]byte, len(fill))) {
		for i := 0; i+len(fill) <= len(b); i += len(fill) {
			copy(b[i:], fill)
		}
	}
	return b
}

// chunkedData assembles a chunked dataset from its chunks.
func (r *reader) chunkedData(space *dataspace, t *h5type, lay *layout, filters []filter, fill []byte, nbytes uint64) ([]byte, error) {
	rank := len(space.dims)
	if len(lay.chunk) != rank {
		return nil, formatErr("chunk rank %d differs from dataset rank %d", len(lay.chunk), rank)
	}
	chunkBytes := uint64(t.size)
	for _, d := range lay.chunk {
		var ok bool
		if chunkBytes, ok = mulOK(chunkBytes, d); !ok || chunkBytes > 1<<32 {
			return nil, formatErr("chunk %v is too large", lay.chunk)
		}
	}
	if err := r.charge(chunkBytes); err != nil {
		return nil, err
	}
	out := filled(nbytes, fill)
	dims := space.dims
	maxDims := space.maxDims
	if maxDims == nil {
		maxDims = dims
	}
	esize := uint64(t.size)
	visit := func(off []uint64, addr, size uint64, mask uint32) error {
		if err := r.tick(); err != nil {
			return err
		}
		for d := range off {
			if off[d] >= dims[d] {
				return nil // beyond the current extent
			}
		}
		if addr == undefAddr {
			return nil
		}
		stored, err := r.readAt(addr, size)
		if err != nil {
			return err
		}
		partial := false
		for d := range off {
			if off[d]+lay.chunk[d] > dims[d] {
				partial = true
			}
		}
		data := stored
		if !(partial && lay.flags&0x01 != 0) {
			if data, err = unfilter(stored, filters, mask, chunkBytes, t.size); err != nil {
				return err
			}
		}
		if uint64(len(data)) < chunkBytes {
			return formatErr("chunk at %#x holds %d bytes, expected %d", addr, len(data), chunkBytes)
		}
		copyChunk(out, dims, data, lay.chunk, off, esize)
		return nil
	}
	if lay.addr == undefAddr {
		return out, nil // no chunk written yet
	}
	switch lay.index {
	case 0:
		return out, r.chunksBtree1(lay.addr, rank, visit)
	case 1:
		size := chunkBytes
		if lay.flags&0x02 != 0 {
			size = lay.singleSize
		}
		return out, visit(make([]uint64, rank), lay.addr, size, lay.singleMask)
	case 2:
		grid, count, err := chunkGrid(maxDims, lay.chunk, r.size/max(chunkBytes, 1)+1)
		if err != nil {
			return nil, err
		}
		for i := uint64(0); i < count; i++ {
			if err := visit(gridOffset(i, grid, lay.chunk), lay.addr+i*chunkBytes, chunkBytes, 0); err != nil {
				return nil, err
			}
		}
		return out, nil
	case 3:
		return out, r.chunksFixedArray(lay, maxDims, chunkBytes, visit)
	case 4:
		return out, r.chunksExtensibleArray(lay, maxDims, chunkBytes, visit)
	case 5:
		return out, r.chunksBtree2(lay, chunkBytes, visit)
	}
	return nil, formatErr("chunk index type %d", lay.index)
}

// copyChunk copies the part of a chunk at element offset off that lies
// inside dims into the row-major array out.
func copyChunk(out []byte, dims []uint64, chunk []byte, cdims, off []uint64, esize uint64) {
	rank := len(dims)
	ext := make([]uint64, rank)
	for d := range dims {
		ext[d] = min(cdims[d], dims[d]-off[d])
	}
	cstride := make([]uint64, rank)
	ostride := make([]uint64, rank)
	cs, os := esize, esize
	for d := rank - 1; d >= 0; d-- {
		cstride[d], ostride[d] = cs, os
		cs *= cdims[d]
		os *= dims[d]
	}
	row := ext[rank-1] * esize
	idx := make([]uint64, rank)
	for {
		var src, dst uint64
		for d := range idx {
			src += idx[d] * cstride[d]
			dst += (off[d] + idx[d]) * ostride[d]
		}
		copy(out[dst:dst+row], chunk[src:src+row])
		d := rank - 2
		for ; d >= 0; d-- {
			idx[d]++
			if idx[d] < ext[d] {
				break
			}
			idx[d] = 0
		}
		if d < 0 {
			return
		}
	}
}

// chunkGrid returns the number of chunks along each dimension of dims and
// their total, which must not exceed limit.
func chunkGrid(dims, cdims []uint64, limit uint64) ([]uint64, uint64, error) {
	grid := make([]uint64, len(dims))
	count := uint64(1)
	for d := range dims {
		if dims[d] == math.MaxUint64 {
			return nil, 0, formatErr("unlimited dimension with a fixed-size chunk index")
		}
		grid[d] = dims[d]/cdims[d] + min(dims[d]%cdims[d], 1)
		var ok bool
		if count, ok = mulOK(count, grid[d]); !ok || count > limit {
			return nil, 0, formatErr("chunk grid %v is larger than the file", grid)
		}
	}
	return grid, count, nil
}

// gridOffset returns the element offset of chunk i in row-major grid order.
func gridOffset(i uint64, grid, cdims []uint64) []uint64 {
	off := make([]uint64, len(grid))
	for d := len(grid) - 1; d >= 0; d-- {
		off[d] = (i % grid[d]) * cdims[d]
		i /= grid[d]
	}
	return off
}

// unfilter reverses the filter pipeline on one chunk.
func unfilter(b []byte, filters []filter, mask uint32, chunkBytes uint64, esize int) ([]byte, error) {
	for i := len(filters) - 1; i >= 0; i-- {
		if i < 32 && mask&(1<<i) != 0 {
			continue
		}
		f := filters[i]
		switch f.id {
		case filterDeflate:
			zr, err := zlib.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil, formatErr("deflate: %v", err)
			}
			limit := int64(chunkBytes) + 64
			out, err := io.ReadAll(io.LimitReader(zr, limit+1))
			if err != nil {
				return nil, formatErr("deflate: %v", err)
			}
			if int64(len(out)) > limit {
				return nil, formatErr("deflated chunk is larger than its chunk")
			}
			b = out
		case filterShuffle:
			size := esize
			if len(f.client) > 0 && f.client[0] > 0 && f.client[0] < 1<<16 {
				size = int(f.client[0])
			}
			b = unshuffle(b, size)
		case filterFletcher32:
			if len(b) < 4 {
				return nil, formatErr("fletcher32 chunk shorter than its checksum")
			}
			b = b[:len(b)-4]
		default:
			return nil, unsupported("filter %d (%s)", f.id, filterName(f.id))
		}
	}
	return b, nil
}

func filterName(id uint16) string {
	switch id {
	case 4:
		return "szip"
	case 5:
		return "nbit"
	case 6:
		return "scaleoffset"
	case 32000:
		return "lzf"
	case 32001:
		return "blosc"
	case 32004:
		return "lz4"
	case 32015:
		return "zstd"
	}
	return "unknown"
}

func unshuffle(b []byte, size int) []byte {
	if size <= 1 {
		return b
	}
	n := len(b) / size
	out := make([]byte, len(b))
	for j := 0; j < size; j++ {
		src := b[j*n : (j+1)*n]
		for i, v := range src {
			out[i*size+j] = v
		}
	}
	copy(out[n*size:], b[n*size:])
	return out
}
