package hdf5

// btree2 returns the records of the version 2 B-tree at addr, which must be
// of record type typ, in key order.
func (r *reader) btree2(addr uint64, typ uint8) ([][]byte, error) {
	recs, got, err := r.btree2Any(addr)
	if err != nil {
		return nil, err
	}
	if got != typ {
		return nil, formatErr("v2 B-tree at %#x has record type %d, expected %d", addr, got, typ)
	}
	return recs, nil
}

// encSize is the number of bytes libhdf5 uses to encode counts up to n.
func encSize(n uint64) int { return log2(n)/8 + 1 }

// btree2Any returns the records of the version 2 B-tree at addr and its type.
func (r *reader) btree2Any(addr uint64) ([][]byte, uint8, error) {
	if err := r.tick(); err != nil {
		return nil, 0, err
	}
	hb, err := r.readAt(addr, uint64(4+1+1+4+2+2+1+1+r.so+2+r.sl+4))
	if err != nil {
		return nil, 0, err
	}
	c := r.cursor(hb)
	if string(c.take(4)) != "BTHD" || c.u8() != 0 {
		return nil, 0, formatErr("bad v2 B-tree header at %#x", addr)
	}
	typ := c.u8()
	nodeSize := uint64(c.u32())
	recSize := uint64(c.u16())
	depth := int(c.u16())
	c.skip(2) // split and merge percentages
	root := c.addr()
	rootN := uint64(c.u16())
	total := c.length()
	if err := c.err("v2 B-tree header"); err != nil {
		return nil, 0, err
	}
	if recSize == 0 || nodeSize < 10+recSize || nodeSize > r.size || depth > 16 {
		return nil, 0, formatErr("bad v2 B-tree parameters at %#x", addr)
	}
	if root == undefAddr || total == 0 {
		return nil, typ, nil
	}
	// Per-depth sizes of the child pointer fields, as libhdf5 derives them.
	maxNrec := make([]uint64, depth+1)
	cum := make([]uint64, depth+1)
	cumSize := make([]int, depth+1)
	maxNrec[0] = (nodeSize - 10) / recSize
	cum[0] = maxNrec[0]
	nrecSize := encSize(maxNrec[0])
	for d := 1; d <= depth; d++ {
		ptr := uint64(r.so + nrecSize + cumSize[d-1])
		if nodeSize < 10+ptr {
			return nil, 0, formatErr("v2 B-tree nodes too small")
		}
		maxNrec[d] = (nodeSize - 10 - ptr) / (recSize + ptr)
		prod, ok := mulOK(maxNrec[d]+1, cum[d-1])
		if !ok {
			prod = 1 << 62
		}
		cum[d] = min(prod, 1<<62) + maxNrec[d]
		cumSize[d] = encSize(cum[d])
	}
	var recs [][]byte
	seen := map[uint64]bool{}
	var walk func(addr uint64, depth int, n uint64) error
	walk = func(addr uint64, depth int, n uint64) error {
		if seen[addr] {
			return formatErr("v2 B-tree is cyclic")
		}
		seen[addr] = true
		if err := r.tick(); err != nil {
			return err
		}
		if n > maxNrec[depth] {
			return formatErr("v2 B-tree node claims %d records", n)
		}
		b, err := r.readAt(addr, nodeSize)
		if err != nil {
			return err
		}
		c := r.cursor(b)
		sig := string(c.take(4))
		if (depth > 0 && sig != "BTIN") || (depth == 0 && sig != "BTLF") || c.u8() != 0 || c.u8() != typ {
			return formatErr("bad v2 B-tree node at %#x", addr)
		}
		mine := make([][]byte, n)
		for i := range mine {
			mine[i] = c.take(int(recSize))
		}
		if depth == 0 {
			recs = append(recs, mine...)
			return c.err("v2 B-tree leaf")
		}
		type ptr struct {
			addr uint64
			n    uint64
		}
		kids := make([]ptr, n+1)
		for i := range kids {
			kids[i].addr = c.addr()
			kids[i].n = c.uint(nrecSize)
			c.skip(cumSize[depth-1])
		}
		if err := c.err("v2 B-tree internal node"); err != nil {
			return err
		}
		for i, k := range kids {
			if err := walk(k.addr, depth-1, k.n); err != nil {
				return err
			}
			if i < len(mine) {
				recs = append(recs, mine[i])
			}
		}
		return nil
	}
	if err := walk(root, depth, rootN); err != nil {
		return nil, 0, err
	}
	return recs, typ, nil
}

// fractalHeap is the part of a fractal heap header needed to find objects.
type fractalHeap struct {
	addr        uint64
	idLen       int
	filtered    bool
	hugeBtree   uint64
	width       uint64
	startBlock  uint64
	maxDirect   uint64
	offSize     int
	lenSize     int
	maxDirRows  int
	blocks      []directBlock
	hugeRecords map[uint64][2]uint64 // huge object ID -> address, length
}

type directBlock struct{ off, addr, size uint64 }

func (r *reader) fractalHeap(addr uint64) (*fractalHeap, error) {
	if h, ok := r.fheaps[addr]; ok {
		return h, nil
	}
	if err := r.tick(); err != nil {
		return nil, err
	}
	b, err := r.readAt(addr, uint64(4+1+2+2+1+4+12*r.sl+3*r.so+2+2+2+2))
	if err != nil {
		return nil, err
	}
	c := r.cursor(b)
	if string(c.take(4)) != "FRHP" || c.u8() != 0 {
		return nil, formatErr("bad fractal heap header at %#x", addr)
	}
	h := &fractalHeap{addr: addr}
	h.idLen = int(c.u16())
	h.filtered = c.u16() > 0
	c.u8() // flags
	maxManaged := uint64(c.u32())
	c.length() // next huge object ID
	h.hugeBtree = c.addr()
	c.length() // free space in managed blocks
	c.addr()   // free-space manager
	c.skip(8 * r.sl)
	h.width = uint64(c.u16())
	h.startBlock = c.length()
	h.maxDirect = c.length()
	maxHeapBits := int(c.u16())
	c.u16() // starting rows in the root indirect block
	root := c.addr()
	rows := int(c.u16())
	if err := c.err("fractal heap header"); err != nil {
		return nil, err
	}
	pow2 := func(v uint64) bool { return v != 0 && v&(v-1) == 0 }
	if h.idLen < 2 || !pow2(h.width) || !pow2(h.startBlock) || !pow2(h.maxDirect) ||
		h.maxDirect < h.startBlock || maxHeapBits < 1 || maxHeapBits > 64 || rows > 64 || h.width > 1<<16 {
		return nil, formatErr("bad fractal heap parameters at %#x", addr)
	}
	h.offSize = (maxHeapBits + 7) / 8
	h.lenSize = min((log2(h.maxDirect)+7)/8, encSize(maxManaged))
	h.maxDirRows = log2(h.maxDirect) - log2(h.startBlock) + 2
	r.fheaps[addr] = h
	if root == undefAddr {
		return h, nil
	}
	if h.filtered {
		return nil, unsupported("filtered fractal heap")
	}
	if rows == 0 {
		if err := h.addDirect(r, root, h.startBlock); err != nil {
			return nil, err
		}
		return h, nil
	}
	if err := h.walkIndirect(r, root, rows, 0); err != nil {
		return nil, err
	}
	return h, nil
}

// rowBlockSize is the size of the blocks in row row of an indirect block.
func (h *fractalHeap) rowBlockSize(row int) uint64 {
	if row == 0 {
		return h.startBlock
	}
	return h.startBlock << (row - 1)
}

func (h *fractalHeap) addDirect(r *reader, addr, size uint64) error {
	if err := r.tick(); err != nil {
		return err
	}
	b, err := r.readAt(addr, uint64(5+r.so+h.offSize))
	if err != nil {
		return err
	}
	if string(b[:4]) != "FHDB" {
		return formatErr("bad fractal heap direct block at %#x", addr)
	}
	c := r.cursor(b[5+r.so:])
	h.blocks = append(h.blocks, directBlock{off: c.uint(h.offSize), addr: addr, size: size})
	return nil
}

func (h *fractalHeap) walkIndirect(r *reader, addr uint64, rows, depth int) error {
	if depth > 8 || rows > 64 || log2(h.startBlock)+rows > 62 {
		return formatErr("fractal heap too deep")
	}
	if err := r.tick(); err != nil {
		return err
	}
	n := uint64(rows) * h.width
	b, err := r.readAt(addr, uint64(5+r.so+h.offSize)+n*uint64(r.so))
	if err != nil {
		return err
	}
	if string(b[:4]) != "FHIB" {
		return formatErr("bad fractal heap indirect block at %#x", addr)
	}
	c := r.cursor(b[5+r.so+h.offSize:])
	for row := 0; row < rows; row++ {
		for col := uint64(0); col < h.width; col++ {
			child := c.addr()
			if c.bad {
				return formatErr("fractal heap indirect block is truncated")
			}
			if child == undefAddr {
				continue
			}
			size := h.rowBlockSize(row)
			if row < h.maxDirRows {
				if err := h.addDirect(r, child, size); err != nil {
					return err
				}
				continue
			}
			childRows := log2(size) - log2(h.startBlock) - log2(h.width) + 1
			if childRows < 1 {
				return formatErr("bad fractal heap indirect block size")
			}
			if err := h.walkIndirect(r, child, childRows, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// heapObject returns the object with heap ID id.
func (r *reader) heapObject(h *fractalHeap, id []byte) ([]byte, error) {
	if len(id) < h.idLen || h.idLen < 1 {
		return nil, formatErr("short fractal heap ID")
	}
	id = id[:h.idLen]
	flags := id[0]
	if flags>>6 != 0 {
		return nil, formatErr("fractal heap ID version %d", flags>>6)
	}
	switch (flags >> 4) & 3 {
	case 0: // managed
		c := r.cursor(id[1:])
		off := c.uint(h.offSize)
		n := c.uint(h.lenSize)
		if err := c.err("fractal heap ID"); err != nil {
			return nil, err
		}
		for _, blk := range h.blocks {
			if off >= blk.off && off-blk.off < blk.size && n <= blk.size-(off-blk.off) {
				return r.readAt(blk.addr+(off-blk.off), n)
			}
		}
		return nil, formatErr("fractal heap object at offset %d not found", off)
	case 1: // huge
		if h.filtered {
			return nil, unsupported("filtered huge fractal heap object")
		}
		c := r.cursor(id[1:])
		if h.idLen-1 >= r.so+r.sl {
			addr, n := c.addr(), c.length()
			if err := c.err("fractal heap ID"); err != nil {
				return nil, err
			}
			return r.readAt(addr, n)
		}
		key := c.uint(min(h.idLen-1, 8))
		if h.hugeRecords == nil {
			recs, err := r.btree2(h.hugeBtree, 1)
			if err != nil {
				return nil, err
			}
			h.hugeRecords = map[uint64][2]uint64{}
			for _, rec := range recs {
				rc := r.cursor(rec)
				addr, n, rid := rc.addr(), rc.length(), rc.length()
				if err := rc.err("huge object record"); err != nil {
					return nil, err
				}
				h.hugeRecords[rid] = [2]uint64{addr, n}
			}
		}
		loc, ok := h.hugeRecords[key]
		if !ok {
			return nil, formatErr("huge fractal heap object %d not found", key)
		}
		return r.readAt(loc[0], loc[1])
	case 2: // tiny: stored in the ID itself
		n, data := int(flags&0x0F)+1, id[1:]
		if h.idLen > 18 {
			n = int(flags&0x0F)<<8 | int(id[1]) + 1
			data = id[2:]
		}
		if n > len(data) {
			return nil, formatErr("tiny fractal heap object overruns its ID")
		}
		return data[:n], nil
	}
	return nil, formatErr("bad fractal heap ID type")
}
