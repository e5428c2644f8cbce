package hdf5

import (
	"bytes"
	"fmt"
	"sort"
)

// link is a named reference from a group to an object.
type link struct {
	name   string
	addr   uint64 // undefAddr for soft and external links
	corder uint64
	hard   bool
}

// readGroup fills g from its object header messages.
func (r *reader) readGroup(g *Group, msgs []hmsg) error {
	var links []link
	byCreation := false
	for _, m := range msgs {
		if m.flags&0x02 != 0 && (m.typ == msgSymbolTable || m.typ == msgLink || m.typ == msgLinkInfo) {
			return unsupported("shared group message")
		}
		switch m.typ {
		case msgSymbolTable:
			c := r.cursor(m.data)
			btree, heap := c.addr(), c.addr()
			if err := c.err("symbol table message"); err != nil {
				return err
			}
			ls, err := r.symbolTable(btree, heap)
			if err != nil {
				return err
			}
			links = append(links, ls...)
		case msgLink:
			l, err := r.parseLink(m.data)
			if err != nil {
				return err
			}
			links = append(links, l)
		case msgLinkInfo:
			c := r.cursor(m.data)
			if v := c.u8(); v != 0 {
				return unsupported("link info message version %d", v)
			}
			flags := c.u8()
			if flags&1 != 0 {
				c.skip(8) // maximum creation index
				byCreation = true
			}
			heap, nameIndex := c.addr(), c.addr()
			if err := c.err("link info message"); err != nil {
				return err
			}
			if heap != undefAddr {
				ls, err := r.denseLinks(heap, nameIndex)
				if err != nil {
					return err
				}
				links = append(links, ls...)
			}
		}
	}
	if byCreation {
		sort.SliceStable(links, func(i, j int) bool { return links[i].corder < links[j].corder })
	} else {
		sort.SliceStable(links, func(i, j int) bool { return links[i].name < links[j].name })
	}
	for _, l := range links {
		if !l.hard {
			continue // soft and external links are not followed
		}
		if _, dup := g.index[l.name]; dup {
			return formatErr("two members named %q", l.name)
		}
		obj, err := r.object(l.addr, l.name)
		if err != nil {
			return err
		}
		switch o := obj.(type) {
		case *Group:
			g.add(member{name: l.name, group: o})
		case *Dataset:
			g.add(member{name: l.name, dataset: o})
		}
	}
	attrs, err := r.attributes(msgs)
	if err != nil {
		return err
	}
	g.attrs = attrs
	return nil
}

// symbolTable lists the members of an old-style group: a version 1 B-tree of
// symbol table nodes whose names are in a local heap.
func (r *reader) symbolTable(btree, heapAddr uint64) ([]link, error) {
	hb, err := r.readAt(heapAddr, uint64(8+2*r.sl+r.so))
	if err != nil {
		return nil, err
	}
	c := r.cursor(hb)
	if string(c.take(4)) != "HEAP" {
		return nil, formatErr("bad local heap signature at %#x", heapAddr)
	}
	c.skip(4) // version, reserved
	dataSize := c.length()
	c.length() // free list
	dataAddr := c.addr()
	if err := c.err("local heap"); err != nil {
		return nil, err
	}
	heap, err := r.readAt(dataAddr, dataSize)
	if err != nil {
		return nil, err
	}
	var links []link
	bodySize := func(n int) uint64 { return uint64(2*r.so + (n+1)*r.sl + n*r.so) }
	err = r.walkBtree1(btree, 0, bodySize, func(level byte, n int, c *cursor, descend func(uint64) error) error {
		children := make([]uint64, n)
		for i := range children {
			c.length() // key
			children[i] = c.addr()
		}
		if err := c.err("group B-tree node"); err != nil {
			return err
		}
		for _, child := range children {
			if level > 0 {
				if err := descend(child); err != nil {
					return err
				}
				continue
			}
			ls, err := r.symbolNode(child, heap)
			if err != nil {
				return err
			}
			links = append(links, ls...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return links, nil
}

// symbolNode reads the entries of one symbol table node.
func (r *reader) symbolNode(addr uint64, heap []byte) ([]link, error) {
	if err := r.tick(); err != nil {
		return nil, err
	}
	head, err := r.readAt(addr, 8)
	if err != nil {
		return nil, err
	}
	if string(head[:4]) != "SNOD" {
		return nil, formatErr("bad symbol table node signature at %#x", addr)
	}
	n := int(le16(head[6:]))
	entry := 2*r.so + 24
	body, err := r.readAt(addr+8, uint64(n*entry))
	if err != nil {
		return nil, err
	}
	links := make([]link, 0, n)
	c := r.cursor(body)
	for i := 0; i < n; i++ {
		nameOff := c.length()
		obj := c.addr()
		c.skip(24) // cache type, reserved, scratch pad
		if nameOff >= uint64(len(heap)) {
			return nil, formatErr("symbol name offset %d outside the local heap", nameOff)
		}
		name := heap[nameOff:]
		end := bytes.IndexByte(name, 0)
		if end < 0 {
			return nil, formatErr("unterminated symbol name in local heap")
		}
		links = append(links, link{name: string(name[:end]), addr: obj, hard: true})
	}
	return links, c.err("symbol table node")
}

// parseLink decodes a link message.
func (r *reader) parseLink(b []byte) (link, error) {
	c := r.cursor(b)
	if v := c.u8(); v != 1 {
		return link{}, unsupported("link message version %d", v)
	}
	flags := c.u8()
	typ := uint8(0)
	if flags&0x08 != 0 {
		typ = c.u8()
	}
	var l link
	if flags&0x04 != 0 {
		l.corder = c.u64()
	}
	if flags&0x10 != 0 {
		c.u8() // character set
	}
	n := c.uint(1 << (flags & 3))
	if n > uint64(c.left()) {
		return link{}, formatErr("link name overruns its message")
	}
	l.name = string(c.take(int(n)))
	l.addr = undefAddr
	if typ == 0 {
		l.addr = c.addr()
		l.hard = true
	}
	if err := c.err("link message"); err != nil {
		return link{}, err
	}
	if l.name == "" {
		return link{}, formatErr("link with an empty name")
	}
	return l, nil
}

// denseLinks lists links kept in a fractal heap, indexed by a version 2
// B-tree of name hashes.
func (r *reader) denseLinks(heapAddr, nameIndex uint64) ([]link, error) {
	h, err := r.fractalHeap(heapAddr)
	if err != nil {
		return nil, err
	}
	recs, err := r.btree2(nameIndex, 5)
	if err != nil {
		return nil, err
	}
	links := make([]link, 0, len(recs))
	for _, rec := range recs {
		if len(rec) < 4 {
			return nil, formatErr("short link name record")
		}
		obj, err := r.heapObject(h, rec[4:])
		if err != nil {
			return nil, err
		}
		l, err := r.parseLink(obj)
		if err != nil {
			return nil, err
		}
		links = append(links, l)
	}
	return links, nil
}

// attributes decodes the attributes of an object: attribute messages in the
// header and, with an attribute info message, those in dense storage. They
// are ordered as h5py lists them: by name, or by creation order if tracked.
func (r *reader) attributes(msgs []hmsg) ([]*Attribute, error) {
	type ordered struct {
		a      *Attribute
		corder uint64
	}
	var list []ordered
	byCreation := false
	for _, m := range msgs {
		switch m.typ {
		case msgAttribute:
			if m.flags&0x02 != 0 {
				return nil, unsupported("shared attribute message")
			}
			a, err := r.parseAttribute(m.data)
			if err != nil {
				return nil, err
			}
			list = append(list, ordered{a, uint64(m.corder)})
		case msgAttrInfo:
			c := r.cursor(m.data)
			if v := c.u8(); v != 0 {
				return nil, unsupported("attribute info message version %d", v)
			}
			flags := c.u8()
			if flags&1 != 0 {
				c.skip(2)
				byCreation = true
			}
			heap, nameIndex := c.addr(), c.addr()
			if err := c.err("attribute info message"); err != nil {
				return nil, err
			}
			if heap == undefAddr {
				continue
			}
			h, err := r.fractalHeap(heap)
			if err != nil {
				return nil, err
			}
			recs, err := r.btree2(nameIndex, 8)
			if err != nil {
				return nil, err
			}
			for _, rec := range recs {
				// Heap ID (8), message flags (1), creation order (4), name hash (4).
				if len(rec) < 17 {
					return nil, formatErr("short attribute name record")
				}
				if rec[8]&0x02 != 0 {
					return nil, unsupported("shared attribute in dense storage")
				}
				obj, err := r.heapObject(h, rec[:8])
				if err != nil {
					return nil, err
				}
				a, err := r.parseAttribute(obj)
				if err != nil {
					return nil, err
				}
				list = append(list, ordered{a, uint64(le32(rec[9:]))})
			}
		}
	}
	if byCreation {
		sort.SliceStable(list, func(i, j int) bool { return list[i].corder < list[j].corder })
	} else {
		sort.SliceStable(list, func(i, j int) bool { return list[i].a.Name < list[j].a.Name })
	}
	out := make([]*Attribute, len(list))
	for i, o := range list {
		if i > 0 && o.a.Name == out[i-1].Name && !byCreation {
			return nil, formatErr("two attributes named %q", o.a.Name)
		}
		out[i] = o.a
	}
	return out, nil
}

// parseAttribute decodes an attribute message (versions 1 to 3).
func (r *reader) parseAttribute(b []byte) (*Attribute, error) {
	if err := r.tick(); err != nil {
		return nil, err
	}
	c := r.cursor(b)
	version := c.u8()
	if version < 1 || version > 3 {
		return nil, unsupported("attribute message version %d", version)
	}
	flags := c.u8()
	nameSize := int(c.u16())
	dtSize := int(c.u16())
	dsSize := int(c.u16())
	if version == 3 {
		c.u8() // name character set
	}
	pad := func(n int) int {
		if version == 1 {
			return align8(n)
		}
		return n
	}
	if flags&0x03 != 0 {
		return nil, unsupported("attribute with a shared datatype or dataspace")
	}
	name := c.take(pad(nameSize))
	dt := c.take(pad(dtSize))
	ds := c.take(pad(dsSize))
	if err := c.err("attribute message"); err != nil {
		return nil, err
	}
	if nameSize < 1 || nameSize > len(name) {
		return nil, formatErr("bad attribute name size")
	}
	nm := name[:nameSize]
	if i := bytes.IndexByte(nm, 0); i >= 0 {
		nm = nm[:i]
	}
	a := &Attribute{Name: string(nm)}
	t, err := r.parseDatatype(dt[:min(dtSize, len(dt))])
	if err != nil {
		return nil, fmt.Errorf("attribute %q: %w", a.Name, err)
	}
	space, err := r.parseDataspace(ds[:min(dsSize, len(ds))])
	if err != nil {
		return nil, fmt.Errorf("attribute %q: %w", a.Name, err)
	}
	a.DType = t.dtype
	if space.null || t.dtype.Class == Unsupported {
		return a, nil
	}
	n, err := space.count()
	if err != nil {
		return nil, err
	}
	need, ok := mulOK(n, uint64(t.size))
	if !ok || need > uint64(c.left()) {
		return nil, formatErr("attribute %q: data is shorter than its %d elements", a.Name, n)
	}
	v, err := r.decode(c.take(int(need)), int(n), t)
	if err != nil {
		return nil, fmt.Errorf("attribute %q: %w", a.Name, err)
	}
	if space.scalar {
		a.Value = scalarAttr(v, t.dtype)
		return a, nil
	}
	a.Shape = space.shape()
	a.Value = vectorAttr(v, t.dtype)
	return a, nil
}

// vectorAttr converts decoded elements to an attribute value (see Attribute).
func vectorAttr(v any, t DType) any {
	switch v := v.(type) {
	case []string:
		if t.Class == String {
			return FixedStrings(v)
		}
		return v
	case []float32:
		return convertSlice[float32, float64](v)
	case []float64:
		return v
	case []uint8:
		return convertSlice[uint8, uint64](v)
	case []uint16:
		return convertSlice[uint16, uint64](v)
	case []uint32:
		return convertSlice[uint32, uint64](v)
	case []uint64:
		return v
	}
	if out, err := convertTo[int64](v, ""); err == nil {
		return out
	}
	return nil
}

func scalarAttr(v any, t DType) any {
	switch s := vectorAttr(v, t).(type) {
	case FixedStrings:
		return FixedString(s[0])
	case []string:
		return s[0]
	case []float64:
		return s[0]
	case []uint64:
		return s[0]
	case []int64:
		return s[0]
	}
	return nil
}
