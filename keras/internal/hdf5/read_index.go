package hdf5

import "math"

type chunkVisitor func(off []uint64, addr, size uint64, mask uint32) error

// chunksBtree1 walks a version 1 B-tree of chunks (node type 1).
func (r *reader) chunksBtree1(root uint64, rank int, visit chunkVisitor) error {
	keySize := 8 + 8*(rank+1)
	bodySize := func(n int) uint64 { return uint64(2*r.so + n*(keySize+r.so) + keySize) }
	return r.walkBtree1(root, 1, bodySize, func(level byte, n int, c *cursor, descend func(uint64) error) error {
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
				if err := descend(e.child); err != nil {
					return err
				}
				continue
			}
			if err := visit(e.off, e.child, e.size, e.mask); err != nil {
				return err
			}
		}
		return nil
	})
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

// chunksExtensibleArray walks an extensible array chunk index (layout
// version 4, one unlimited dimension).
func (r *reader) chunksExtensibleArray(lay *layout, maxDims []uint64, chunkBytes uint64, visit chunkVisitor) error {
	head, err := r.readAt(lay.addr, uint64(12+6*r.sl+r.so+4))
	if err != nil {
		return err
	}
	c := r.cursor(head)
	if string(c.take(4)) != "EAHD" || c.u8() != 0 {
		return formatErr("bad extensible array header at %#x", lay.addr)
	}
	client := c.u8()
	entrySize := int(c.u8())
	maxBits := int(c.u8())
	idxElems := uint64(c.u8())
	dblkMin := uint64(c.u8())
	sblkMinPtrs := uint64(c.u8())
	pageBits := int(c.u8())
	c.skip(4 * r.sl) // super and data block statistics
	maxIdx := c.length()
	c.length() // elements realized
	iblock := c.addr()
	if err := c.err("extensible array header"); err != nil {
		return err
	}
	pow2 := func(v uint64) bool { return v != 0 && v&(v-1) == 0 }
	if client > 1 || entrySize < r.so || (client == 1 && entrySize < r.so+5) || maxBits < 1 || maxBits > 64 ||
		!pow2(dblkMin) || !pow2(sblkMinPtrs) || log2(dblkMin) > maxBits || pageBits > 32 {
		return formatErr("bad extensible array parameters")
	}
	if iblock == undefAddr || maxIdx == 0 {
		return nil
	}
	if maxIdx > r.size {
		return formatErr("extensible array claims %d entries", maxIdx)
	}
	// The chunk grid with the unlimited dimension moved first ("swizzled").
	rank := len(lay.chunk)
	unlim := -1
	for d, m := range maxDims {
		if m == math.MaxUint64 {
			unlim = d
		}
	}
	if unlim < 0 {
		return formatErr("extensible array index without an unlimited dimension")
	}
	order := append([]int{unlim}, make([]int, 0, rank-1)...)
	for d := 0; d < rank; d++ {
		if d != unlim {
			order = append(order, d)
		}
	}
	grid := make([]uint64, rank)
	for _, d := range order[1:] {
		grid[d] = maxDims[d]/lay.chunk[d] + min(maxDims[d]%lay.chunk[d], 1)
	}
	entry := func(i uint64, b []byte) error {
		if i >= maxIdx {
			return nil
		}
		c := r.cursor(b)
		addr := c.addr()
		size, mask := chunkBytes, uint32(0)
		if client == 1 {
			size = c.uint(entrySize - r.so - 4)
			mask = c.u32()
		}
		if err := c.err("extensible array element"); err != nil {
			return err
		}
		off := make([]uint64, rank)
		for k := rank - 1; k >= 1; k-- {
			d := order[k]
			if grid[d] == 0 {
				return nil
			}
			off[d] = (i % grid[d]) * lay.chunk[d]
			i /= grid[d]
		}
		var ok bool
		if off[unlim], ok = mulOK(i, lay.chunk[unlim]); !ok {
			return nil
		}
		return visit(off, addr, size, mask)
	}
	entries := func(b []byte, first uint64) error {
		for k := 0; k+entrySize <= len(b); k += entrySize {
			if err := entry(first+uint64(k/entrySize), b[k:k+entrySize]); err != nil {
				return err
			}
		}
		return nil
	}

	// Super block s holds 2^(s/2) data blocks of 2^((s+1)/2)*dblkMin entries.
	nsblks := 1 + maxBits - log2(dblkMin)
	ndblks := func(s int) uint64 { return 1 << (s / 2) }
	dblkElems := func(s int) uint64 { return dblkMin << ((s + 1) / 2) }
	ibSblks := 2 * log2(sblkMinPtrs)
	ibDblks := 2 * (sblkMinPtrs - 1)
	if ibSblks > nsblks || nsblks > 64 {
		return formatErr("bad extensible array parameters")
	}
	offSize := (maxBits + 7) / 8
	pageElems := uint64(1) << pageBits

	ib, err := r.readAt(iblock, uint64(6+r.so)+idxElems*uint64(entrySize)+(ibDblks+uint64(nsblks-ibSblks))*uint64(r.so))
	if err != nil {
		return err
	}
	if string(ib[:4]) != "EAIB" {
		return formatErr("bad extensible array index block at %#x", iblock)
	}
	ic := r.cursor(ib[6+r.so:])
	if err := entries(ic.take(int(idxElems)*entrySize), 0); err != nil {
		return err
	}
	dataBlock := func(addr, first, n uint64) error {
		if addr == undefAddr || first >= maxIdx {
			return nil
		}
		if n > pageElems {
			return unsupported("paged extensible array data block")
		}
		if err := r.tick(); err != nil {
			return err
		}
		b, err := r.readAt(addr, uint64(6+r.so+offSize)+n*uint64(entrySize))
		if err != nil {
			return err
		}
		if string(b[:4]) != "EADB" {
			return formatErr("bad extensible array data block at %#x", addr)
		}
		return entries(b[6+r.so+offSize:], first)
	}
	first := idxElems
	for s := 0; s < ibSblks; s++ {
		for k := uint64(0); k < ndblks(s); k++ {
			if err := dataBlock(ic.addr(), first, dblkElems(s)); err != nil {
				return err
			}
			first += dblkElems(s)
		}
	}
	for s := ibSblks; s < nsblks && first < maxIdx; s++ {
		sb := ic.addr()
		if ic.bad {
			return formatErr("extensible array index block is truncated")
		}
		n := ndblks(s)
		if sb != undefAddr {
			if dblkElems(s) > pageElems {
				return unsupported("paged extensible array data block")
			}
			b, err := r.readAt(sb, uint64(6+r.so+offSize)+n*uint64(r.so))
			if err != nil {
				return err
			}
			if string(b[:4]) != "EASB" {
				return formatErr("bad extensible array super block at %#x", sb)
			}
			sc := r.cursor(b[6+r.so+offSize:])
			for k := uint64(0); k < n; k++ {
				if err := dataBlock(sc.addr(), first+k*dblkElems(s), dblkElems(s)); err != nil {
					return err
				}
			}
		}
		first += n * dblkElems(s)
	}
	return ic.err("extensible array index block")
}
