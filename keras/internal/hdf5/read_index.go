package hdf5

type chunkVisitor func(off []uint64, addr, size uint64, mask uint32) error

// chunksBtree1 walks a version 1 B-tree of chunks (node type 1).
func (r *reader) chunksBtree1(root uint64, rank int, visit chunkVisitor) error {
	keySize := 8 + 8*(rank+1)
	seen := map[uint64]bool{}
	var walk func(addr uint64, depth int) error
	walk = func(addr uint64, depth int) error {
		if seen[addr] || depth > 64 {
			return formatErr("chunk B-tree is cyclic or too deep")
		}
		seen[addr] = true
		if err := r.tick(); err != nil {
			return err
		}
		head, err := r.readAt(addr, 8)
		if err != nil {
			return err
		}
		if string(head[:4]) != "TREE" || head[4] != 1 {
			return formatErr("bad chunk B-tree node at %#x", addr)
		}
		level := head[5]
		n := int(le16(head[6:]))
		body, err := r.readAt(addr+8, uint64(2*r.so+n*(keySize+r.so)+keySize))
		if err != nil {
			return err
		}
		c := r.cursor(body)
		c.addr() // left sibling
		c.addr() // right sibling
		type entry struct {
			size  uint64
			mask  uint32
			off   []uint64
			child uint64
		}
		entries := make([]entry, n)
		for i := range entries {
			e := &entries[i]
			e.size = uint64(c.u32())
			e.mask = c.u32()
			e.off = make([]uint64, rank)
			for d := range e.off {
				e.off[d] = c.u64()
			}
			c.u64() // offset in the element-size dimension
			e.child = c.addr()
		}
		if err := c.err("chunk B-tree node"); err != nil {
			return err
		}
		for _, e := range entries {
			if level > 0 {
				if err := walk(e.child, depth+1); err != nil {
					return err
				}
				continue
			}
			if err := visit(e.off, e.child, e.size, e.mask); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(root, 0)
}

// chunksFixedArray walks a fixed array chunk index (layout version 4).
func (r *reader) chunksFixedArray(lay *layout, maxDims []uint64, chunkBytes uint64, visit chunkVisitor) error {
	head, err := r.readAt(lay.addr, uint64(8+r.sl+r.so+4))
	if err != nil {
		return err
	}
	c := r.cursor(head)
	if string(c.take(4)) != "FAHD" || c.u8() != 0 {
		return formatErr("bad fixed array header at %#x", lay.addr)
	}
	client := c.u8()
	entrySize := int(c.u8())
	pageBits := int(c.u8())
	nelmts := c.length()
	dblock := c.addr()
	if err := c.err("fixed array header"); err != nil {
		return err
	}
	if client > 1 || entrySize < r.so || (client == 1 && entrySize < r.so+5) || pageBits > 32 {
		return formatErr("bad fixed array parameters")
	}
	if dblock == undefAddr || nelmts == 0 {
		return nil
	}
	if nelmts > r.size/uint64(entrySize)+1 {
		return formatErr("fixed array of %d entries is larger than the file", nelmts)
	}
	grid, count, err := chunkGrid(maxDims, lay.chunk, r.size+1)
	if err != nil {
		return err
	}
	pageElems := uint64(1) << pageBits
	npages := uint64(0)
	bitmap := 0
	if nelmts > pageElems {
		npages = (nelmts + pageElems - 1) / pageElems
		bitmap = int((npages + 7) / 8)
	}
	prefix := uint64(4 + 1 + 1 + r.so + bitmap)
	pre, err := r.readAt(dblock, prefix)
	if err != nil {
		return err
	}
	if string(pre[:4]) != "FADB" {
		return formatErr("bad fixed array data block at %#x", dblock)
	}
	entry := func(i uint64, b []byte) error {
		c := r.cursor(b)
		addr := c.addr()
		size, mask := chunkBytes, uint32(0)
		if client == 1 {
			size = c.uint(entrySize - r.so - 4)
			mask = c.u32()
		}
		if err := c.err("fixed array element"); err != nil {
			return err
		}
		if i >= count {
			return nil
		}
		return visit(gridOffset(i, grid, lay.chunk), addr, size, mask)
	}
	readRun := func(at, first, n uint64) error {
		b, err := r.readAt(at, n*uint64(entrySize))
		if err != nil {
			return err
		}
		for k := uint64(0); k < n; k++ {
			if err := entry(first+k, b[k*uint64(entrySize):(k+1)*uint64(entrySize)]); err != nil {
				return err
			}
		}
		return nil
	}
	if npages == 0 {
		return readRun(dblock+prefix, 0, nelmts)
	}
	at := dblock + prefix + 4 // pages follow the prefix and its checksum
	for p := uint64(0); p < npages; p++ {
		n := min(pageElems, nelmts-p*pageElems)
		if pre[6+r.so+int(p/8)]&(0x80>>(p%8)) != 0 {
			if err := readRun(at, p*pageElems, n); err != nil {
				return err
			}
		}
		at += n*uint64(entrySize) + 4
	}
	return nil
}

// chunksBtree2 walks a version 2 B-tree chunk index (record types 10 and 11).
func (r *reader) chunksBtree2(lay *layout, chunkBytes uint64, visit chunkVisitor) error {
	recs, typ, err := r.btree2Any(lay.addr)
	if err != nil {
		return err
	}
	rank := len(lay.chunk)
	for _, rec := range recs {
		c := r.cursor(rec)
		addr := c.addr()
		size, mask := chunkBytes, uint32(0)
		switch typ {
		case 10:
		case 11:
			size = c.uint(len(rec) - r.so - 4 - 8*rank)
			mask = c.u32()
		default:
			return formatErr("chunk index B-tree of record type %d", typ)
		}
		off := make([]uint64, rank)
		for d := range off {
			scaled := c.u64()
			var ok bool
			if off[d], ok = mulOK(scaled, lay.chunk[d]); !ok {
				return formatErr("chunk offset overflows")
			}
		}
		if err := c.err("chunk record"); err != nil {
			return err
		}
		if err := visit(off, addr, size, mask); err != nil {
			return err
		}
	}
	return nil
}
