package hdf5

// btree1Node reads one node of a version 1 B-tree: its level (0 for a leaf), its n entries in
// c (positioned after the two sibling addresses), and descend to walk a child node of a
// level above 0.
type btree1Node func(level byte, n int, c *cursor, descend func(child uint64) error) error

// walkBtree1 walks the version 1 B-tree of node type typ (0: a group's symbol table nodes,
// 1: a dataset's chunks) from root. It does what every such walk must do before trusting a
// node: refuse a cycle or a depth over 64 (a crafted file could loop forever), count the read
// against the reader's budget (tick), check the node's signature and type, and read its body
// of bodySize(n) bytes; node then reads the entries, which differ between the types.
func (r *reader) walkBtree1(root uint64, typ byte, bodySize func(n int) uint64, node btree1Node) error {
	what := "group"
	if typ == 1 {
		what = "chunk"
	}
	seen := map[uint64]bool{}
	var walk func(addr uint64, depth int) error
	walk = func(addr uint64, depth int) error {
		if seen[addr] || depth > 64 {
			return formatErr("%s B-tree is cyclic or too deep", what)
		}
		seen[addr] = true
		if err := r.tick(); err != nil {
			return err
		}
		head, err := r.readAt(addr, 8)
		if err != nil {
			return err
		}
		if string(head[:4]) != "TREE" || head[4] != typ {
			return formatErr("bad %s B-tree node at %#x", what, addr)
		}
		level := head[5]
		n := int(le16(head[6:]))
		body, err := r.readAt(addr+8, bodySize(n))
		if err != nil {
			return err
		}
		c := r.cursor(body)
		c.addr() // left sibling
		c.addr() // right sibling
		return node(level, n, c, func(child uint64) error { return walk(child, depth+1) })
	}
	return walk(root, 0)
}
