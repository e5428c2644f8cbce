package hdf5

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
)

// Limits that keep a malformed file from making the reader loop or allocate
// without bound.
const (
	maxGroupDepth    = 512     // nesting of groups
	baseWork         = 1 << 20 // headers, nodes, messages and chunks visited in one Read, plus size/8
	baseReadBudget   = 16 << 20
	readBudgetFactor = 64 // bytes read from the file per byte of file, beyond baseReadBudget
	baseDataBudget   = 64 << 20
	dataBudgetFactor = 1100 // decoded bytes allowed per byte of file (deflate's best ratio is ~1032)
)

// Read decodes the HDF5 file of the given size read from r. All dataset
// values are decoded into memory, so r is not used after Read returns.
//
// The total size of decoded data is limited to 64 MiB plus 1100 times the
// file size, which a real file (even all-zero compressed data) stays within;
// a dataset declared larger than that, with no data behind it, is an error.
func Read(r io.ReaderAt, size int64) (f *File, err error) {
	budget := int64(math.MaxInt64)
	if size >= 0 && uint64(size) < (math.MaxInt64-baseDataBudget)/dataBudgetFactor {
		budget = baseDataBudget + size*dataBudgetFactor
	}
	return ReadLimit(r, size, budget)
}

// ReadLimit is Read with the total size of decoded dataset values limited to maxData bytes,
// for callers that know a tighter bound than Read's (a model file whose data is not
// expected to be compressed). A dataset that would exceed it is an error reported before its
// memory is allocated.
func ReadLimit(r io.ReaderAt, size, maxData int64) (f *File, err error) {
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("%w: %w while decoding: %v", ErrFormat, errInternal, p)
		}
	}()
	if size < 0 {
		return nil, fmt.Errorf("%w: negative size", ErrFormat)
	}
	rd := &reader{
		r:      r,
		size:   uint64(size),
		objs:   map[uint64]any{},
		gheaps: map[uint64]map[uint32][]byte{},
		fheaps: map[uint64]*fractalHeap{},
		budget: max(maxData, 0),
		work:   baseWork + int(min(uint64(size)/8, math.MaxInt32)),
		reads:  baseReadBudget + uint64(size)*readBudgetFactor,
	}
	root, err := rd.readFile()
	if err != nil {
		return nil, err
	}
	return &File{Root: root}, nil
}

// Open reads and decodes the HDF5 file at path.
func Open(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// errTooDeep reports groups nested deeper than maxGroupDepth.
var errTooDeep = formatErr("groups nested deeper than %d", maxGroupDepth)

// errInternal marks a panic recovered by Read: a bug, reported as ErrFormat.
var errInternal = errors.New("internal error")

type reader struct {
	r      io.ReaderAt
	size   uint64
	base   uint64         // base address: file addresses are relative to it
	so, sl int            // sizes of offsets and lengths
	budget int64          // decoded bytes still allowed
	work   int            // headers, nodes, messages and chunks still allowed
	reads  uint64         // bytes still allowed to be read from the file
	objs   map[uint64]any // object header address -> *Group, *Dataset, or skipped
	gheaps map[uint64]map[uint32][]byte
	fheaps map[uint64]*fractalHeap
	depth  int
}

type skipped struct{}

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
}

func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrUnsupported}, args...)...)
}

// tick counts work and fails once a file needs implausibly much of it.
func (r *reader) tick() error {
	r.work--
	if r.work < 0 {
		return formatErr("structure too large or cyclic")
	}
	return nil
}

// charge reserves n bytes of decoded data.
func (r *reader) charge(n uint64) error {
	if n > uint64(r.budget) {
		return formatErr("declared data size %d exceeds what a %d-byte file can hold (%d bytes of the data budget left)", n, r.size, r.budget)
	}
	r.budget -= int64(n)
	return nil
}

// readAt reads n bytes at file address addr (relative to the base address).
func (r *reader) readAt(addr, n uint64) ([]byte, error) {
	if addr == undefAddr {
		return nil, formatErr("read at undefined address")
	}
	abs := r.base + addr
	if abs < addr || abs > r.size || n > r.size-abs {
		return nil, formatErr("%d bytes at address %#x run past the end of the %d-byte file", n, addr, r.size)
	}
	if n > r.reads {
		return nil, formatErr("structures refer to the same bytes too many times")
	}
	r.reads -= n
	b := make([]byte, n)
	if _, err := r.r.ReadAt(b, int64(abs)); err != nil && !(errors.Is(err, io.EOF) && n == 0) {
		if errors.Is(err, io.EOF) {
			return nil, formatErr("unexpected end of file at %#x", addr)
		}
		return nil, err
	}
	return b, nil
}

// readUpTo reads up to n bytes at addr, fewer if the file ends first.
func (r *reader) readUpTo(addr, n uint64) ([]byte, error) {
	abs := r.base + addr
	if addr == undefAddr || abs < addr || abs >= r.size {
		return nil, formatErr("address %#x is outside the %d-byte file", addr, r.size)
	}
	return r.readAt(addr, min(n, r.size-abs))
}

// cursor decodes little-endian fields from a byte slice. Reading past the end
// sets bad and yields zeros, so decoders check bad (via err) once at the end.
type cursor struct {
	b      []byte
	p      int
	so, sl int
	bad    bool
}

func (r *reader) cursor(b []byte) *cursor { return &cursor{b: b, so: r.so, sl: r.sl} }

func (c *cursor) take(n int) []byte {
	if c.bad || n < 0 || len(c.b)-c.p < n {
		c.bad = true
		return nil
	}
	s := c.b[c.p : c.p+n : c.p+n]
	c.p += n
	return s
}

func (c *cursor) u8() uint8 {
	if b := c.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (c *cursor) u16() uint16 { return uint16(c.uint(2)) }
func (c *cursor) u32() uint32 { return uint32(c.uint(4)) }
func (c *cursor) u64() uint64 { return c.uint(8) }

// uint reads an n-byte little-endian unsigned integer, 0 <= n <= 8.
func (c *cursor) uint(n int) uint64 {
	if n > 8 {
		c.bad = true
		return 0
	}
	b := c.take(n)
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// addr reads a file address; the all-ones value is undefAddr.
func (c *cursor) addr() uint64 {
	v := c.uint(c.so)
	if c.so < 8 && v == 1<<(8*c.so)-1 {
		return undefAddr
	}
	return v
}

func (c *cursor) length() uint64 { return c.uint(c.sl) }
func (c *cursor) skip(n int)     { c.take(n) }
func (c *cursor) left() int      { return len(c.b) - c.p }

func (c *cursor) err(what string) error {
	if c.bad {
		return formatErr("%s is truncated", what)
	}
	return nil
}

// readFile finds and decodes the superblock, then the whole tree.
func (r *reader) readFile() (*Group, error) {
	var sbAddr uint64
	found := false
	for off := uint64(0); off+8 <= r.size; off = max(512, off*2) {
		b, err := r.readAt(off, 8)
		if err != nil {
			return nil, err
		}
		if bytes.Equal(b, signature) {
			sbAddr, found = off, true
			break
		}
	}
	if !found {
		return nil, formatErr("no HDF5 signature found")
	}
	head, err := r.readUpTo(sbAddr, 256)
	if err != nil {
		return nil, err
	}
	c := &cursor{b: head, p: 8}
	version := c.u8()
	var rootAddr uint64
	switch version {
	case 0, 1:
		c.skip(4) // free-space, root group entry, reserved, shared header versions
		r.so, r.sl = int(c.u8()), int(c.u8())
		c.skip(1 + 2 + 2 + 4) // reserved, group leaf K, group internal K, flags
		if version == 1 {
			c.skip(4) // indexed storage K, reserved
		}
		if err := c.err("superblock"); err != nil {
			return nil, err
		}
		if err := r.checkSizes(); err != nil {
			return nil, err
		}
		c.so, c.sl = r.so, r.sl
		c.addr() // base address (see below)
		c.addr() // free-space info
		c.addr() // end of file
		c.addr() // driver info
		c.addr() // root entry: link name offset
		rootAddr = c.addr()
	case 2, 3:
		r.so, r.sl = int(c.u8()), int(c.u8())
		if err := c.err("superblock"); err != nil {
			return nil, err
		}
		if err := r.checkSizes(); err != nil {
			return nil, err
		}
		c.so, c.sl = r.so, r.sl
		c.skip(1) // flags
		c.addr()  // base address (see below)
		c.addr()  // superblock extension
		c.addr()  // end of file
		rootAddr = c.addr()
	default:
		if err := c.err("superblock"); err != nil {
			return nil, err
		}
		return nil, unsupported("superblock version %d", version)
	}
	if err := c.err("superblock"); err != nil {
		return nil, err
	}
	// Addresses are relative to the base address, which libhdf5 takes to be
	// where the superblock is, whatever the stored value says.
	r.base = sbAddr
	obj, err := r.object(rootAddr, "/")
	if err != nil {
		return nil, err
	}
	g, ok := obj.(*Group)
	if !ok {
		return nil, formatErr("root object is not a group")
	}
	return g, nil
}

func (r *reader) checkSizes() error {
	for _, s := range []int{r.so, r.sl} {
		if s != 2 && s != 4 && s != 8 {
			return unsupported("offset/length size %d", s)
		}
	}
	return nil
}

// hmsg is one object header message.
type hmsg struct {
	typ    uint16
	flags  uint8
	corder uint16 // creation order, if the header tracks it
	data   []byte
}

// header reads the object header at addr with all its continuation blocks.
func (r *reader) header(addr uint64) ([]hmsg, error) {
	if err := r.tick(); err != nil {
		return nil, err
	}
	prefix, err := r.readUpTo(addr, 16)
	if err != nil {
		return nil, err
	}
	type block struct{ addr, size uint64 }
	var msgs []hmsg
	seen := map[uint64]bool{}
	if len(prefix) >= 4 && string(prefix[:4]) == "OHDR" {
		c := r.cursor(prefix)
		c.skip(4)
		if v := c.u8(); v != 2 {
			return nil, formatErr("object header at %#x has version %d", addr, v)
		}
		flags := c.u8()
		hlen := 6
		if flags&0x20 != 0 {
			hlen += 16 // access, modification, change, birth times
		}
		if flags&0x10 != 0 {
			hlen += 4 // attribute storage phase change values
		}
		szLen := 1 << (flags & 3)
		hdr, err := r.readAt(addr, uint64(hlen+szLen))
		if err != nil {
			return nil, err
		}
		c = r.cursor(hdr)
		c.skip(hlen)
		chunk0 := c.uint(szLen)
		body, err := r.readAt(addr+uint64(hlen+szLen), chunk0)
		if err != nil {
			return nil, err
		}
		pending := []block{}
		parse := func(b []byte) error {
			c := r.cursor(b)
			mh := 4
			if flags&0x04 != 0 {
				mh = 6
			}
			for c.left() >= mh {
				if err := r.tick(); err != nil {
					return err
				}
				m := hmsg{typ: uint16(c.u8())}
				size := int(c.u16())
				m.flags = c.u8()
				if flags&0x04 != 0 {
					m.corder = c.u16()
				}
				m.data = c.take(size)
				if c.bad {
					return formatErr("object header message at %#x overruns its block", addr)
				}
				if m.typ == msgContinuation {
					cc := r.cursor(m.data)
					blk := block{cc.addr(), cc.length()}
					if err := cc.err("continuation message"); err != nil {
						return err
					}
					pending = append(pending, blk)
					continue
				}
				msgs = append(msgs, m)
			}
			return nil
		}
		if err := parse(body); err != nil {
			return nil, err
		}
		for len(pending) > 0 {
			blk := pending[0]
			pending = pending[1:]
			if seen[blk.addr] {
				return nil, formatErr("object header continuation loop at %#x", blk.addr)
			}
			seen[blk.addr] = true
			if blk.size < 8 {
				return nil, formatErr("object header continuation block too small")
			}
			b, err := r.readAt(blk.addr, blk.size)
			if err != nil {
				return nil, err
			}
			if string(b[:4]) != "OCHK" {
				return nil, formatErr("bad continuation block signature at %#x", blk.addr)
			}
			if err := parse(b[4 : len(b)-4]); err != nil {
				return nil, err
			}
		}
		return msgs, nil
	}

	// Version 1: version, reserved, message count, reference count, header size, padding.
	c := r.cursor(prefix)
	if v := c.u8(); v != 1 {
		return nil, formatErr("no object header at %#x (version byte %d)", addr, v)
	}
	c.skip(1 + 2 + 4)
	size := uint64(c.u32())
	if err := c.err("object header"); err != nil {
		return nil, err
	}
	pending := []block{{addr + 16, size}}
	for len(pending) > 0 {
		blk := pending[0]
		pending = pending[1:]
		if seen[blk.addr] {
			return nil, formatErr("object header continuation loop at %#x", blk.addr)
		}
		seen[blk.addr] = true
		b, err := r.readAt(blk.addr, blk.size)
		if err != nil {
			return nil, err
		}
		c := r.cursor(b)
		for c.left() >= 8 {
			if err := r.tick(); err != nil {
				return nil, err
			}
			m := hmsg{typ: c.u16()}
			size := int(c.u16())
			m.flags = c.u8()
			c.skip(3)
			m.data = c.take(size)
			if c.bad {
				return nil, formatErr("object header message at %#x overruns its block", addr)
			}
			if m.typ == msgContinuation {
				cc := r.cursor(m.data)
				next := block{cc.addr(), cc.length()}
				if err := cc.err("continuation message"); err != nil {
					return nil, err
				}
				pending = append(pending, next)
				continue
			}
			msgs = append(msgs, m)
		}
	}
	return msgs, nil
}

// object decodes the group or dataset whose object header is at addr. It
// returns a *Group, a *Dataset, or skipped{} for other objects (named
// datatypes). An object reached twice is decoded once.
func (r *reader) object(addr uint64, name string) (any, error) {
	if o, ok := r.objs[addr]; ok {
		return o, nil
	}
	if r.depth >= maxGroupDepth {
		return nil, errTooDeep
	}
	msgs, err := r.header(addr)
	if err != nil {
		return nil, err
	}
	has := func(t uint16) bool {
		for _, m := range msgs {
			if m.typ == t {
				return true
			}
		}
		return false
	}
	switch {
	case has(msgSymbolTable) || has(msgLinkInfo) || has(msgLink) || has(msgGroupInfo):
		g := newGroup(name)
		r.objs[addr] = g
		r.depth++
		err := r.readGroup(g, msgs)
		r.depth--
		if err != nil && !errors.Is(err, errTooDeep) {
			// The depth error is not wrapped: with every group on the path it would run to
			// kilobytes.
			return nil, fmt.Errorf("group %q: %w", name, err)
		}
		return g, err
	case has(msgLayout):
		d := &Dataset{name: name}
		r.objs[addr] = d
		if err := r.readDataset(d, msgs); err != nil {
			return nil, fmt.Errorf("dataset %q: %w", name, err)
		}
		return d, nil
	}
	r.objs[addr] = skipped{}
	return skipped{}, nil
}

// log2 returns floor(log2(v)) for v > 0 and 0 for v == 0.
func log2(v uint64) int {
	if v == 0 {
		return 0
	}
	return bits.Len64(v) - 1
}

func le16(b []byte) uint16 { return binary.LittleEndian.Uint16(b) }
