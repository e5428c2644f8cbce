package keras

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
)

// ErrMemoryLimit reports a computation whose tensors would not fit the memory limit: a
// realisation (the graph for one batch and sequence shape) is refused before any of it is
// allocated, since a failed allocation of that size ends the process and cannot be recovered.
var ErrMemoryLimit = errors.New("memory limit exceeded")

// MemoryLimitEnv is the environment variable that sets the default memory limit of every
// model: a number of bytes, optionally with a binary suffix ("512MiB", "8GiB", "1TiB"), or
// "off" for no limit. [Model.SetMemoryLimit] overrides it for one model.
const MemoryLimitEnv = "KERAGO_MEMORY_LIMIT"

// ScratchSizer is implemented by layers whose forward pass holds intermediate tensors much
// larger than its outputs (a convolution's or pooling's patches). ScratchElements returns how
// many elements those take for concrete input shapes; the memory check adds them to the
// layer's outputs.
type ScratchSizer interface {
	ScratchElements(inputShapes []Shape) int64
}

// SetMemoryLimit sets how many bytes the tensors of one realisation of the model may take:
// before Fit, Evaluate or Predict builds the graph for a new batch or sequence shape, the
// outputs of every layer call (and a convolution's patches) are summed, doubled in training
// for their gradients, and a graph over the limit, or a single tensor over it, is refused
// with an error wrapping ErrMemoryLimit that names the layer and the shape. n = 0 restores
// the default: KERAGO_MEMORY_LIMIT if set, else the smallest of the physical memory, the
// process's address-space limit (RLIMIT_AS) and Go's memory limit (GOMEMLIMIT). n < 0 turns
// the check off.
func (m *Model) SetMemoryLimit(n int64) { m.memLimit.Store(n) }

// memoryLimit returns the limit in bytes and where it comes from; 0 means none.
func (m *Model) memoryLimit() (int64, string, error) {
	switch n := m.memLimit.Load(); {
	case n > 0:
		return n, "Model.SetMemoryLimit", nil
	case n < 0:
		return 0, "", nil
	}
	if s := os.Getenv(MemoryLimitEnv); s != "" {
		n, err := parseBytes(s)
		if err != nil {
			return 0, "", fmt.Errorf("keras: %w: %s=%q: %w", ErrInvalidArgument, MemoryLimitEnv, s, err)
		}
		return n, MemoryLimitEnv, nil
	}
	n, from := defaultMemoryLimit()
	return n, from, nil
}

// parseBytes reads "123", "512MiB", "8GiB" ...; "off" is 0 (no limit).
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "off") {
		return 0, nil
	}
	mult := int64(1)
	for i, suf := range []string{"KiB", "MiB", "GiB", "TiB"} {
		if strings.HasSuffix(s, suf) {
			mult = 1 << (10 * (i + 1))
			s = strings.TrimSpace(strings.TrimSuffix(s, suf))
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/mult {
		return 0, errors.New(`want a positive number of bytes, optionally with KiB, MiB, GiB or TiB, or "off"`)
	}
	return n * mult, nil
}

// defaultMemoryLimit is the smallest of the physical memory, RLIMIT_AS and GOMEMLIMIT, each
// when known: a graph larger than any of them cannot run here.
var defaultMemoryLimit = sync.OnceValues(func() (int64, string) {
	n, from := int64(0), ""
	take := func(v int64, what string) {
		if v > 0 && (n == 0 || v < n) {
			n, from = v, what
		}
	}
	take(physicalMemory(), "physical memory")
	take(addressSpaceLimit(), "the address-space limit (RLIMIT_AS)")
	if g := debug.SetMemoryLimit(-1); g != math.MaxInt64 {
		take(g, "GOMEMLIMIT")
	}
	return n, from
})

// physicalMemory reads MemTotal from /proc/meminfo; 0 where there is none.
func physicalMemory() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err == nil && kb > 0 && kb < math.MaxInt64>>10 {
				return kb << 10
			}
		}
	}
	return 0
}

// memoryCheck sums the tensors of one realisation.
type memoryCheck struct {
	elemSize int64
	factor   int64 // 2 in training: every activation has a gradient
	limit    int64
	from     string
	total    int64
}

// checkMemory refuses a realisation of m for concrete input shapes whose tensors would exceed
// the model's memory limit, naming the first layer call that crosses it.
func (m *Model) checkMemory(md mode, shapes []Shape) error {
	limit, from, err := m.memoryLimit()
	if err != nil || limit == 0 {
		return err
	}
	c := &memoryCheck{elemSize: 4, factor: 1, limit: limit, from: from}
	if m.floatDType().String() == "float64" {
		c.elemSize = 8
	}
	if md == modeTrain {
		c.factor = 2
	}
	for i, s := range shapes {
		if err := c.add(nil, fmt.Sprintf("input %q", m.inputs[i].Name()), s, elements(s)); err != nil {
			return err
		}
	}
	_, err = c.walk(m, shapes)
	return err
}

// walk follows m's calls with concrete shapes, into nested models, adding every output.
func (c *memoryCheck) walk(m *Model, in []Shape) ([]Shape, error) {
	shapes := make(map[*Tensor]Shape, len(m.nodes))
	for i, t := range m.inputs {
		shapes[t] = in[i]
	}
	for _, n := range m.nodes {
		if n.isInput() {
			continue
		}
		ins := make([]Shape, len(n.inputs))
		for i, t := range n.inputs {
			ins[i] = shapes[t]
		}
		var outs []Shape
		var err error
		if inner, ok := n.layer.(*Model); ok {
			outs, err = c.walk(inner, ins)
		} else {
			outs, err = n.layer.OutputShapes(ins)
			if err != nil {
				return nil, layerErr(n.layer, err)
			}
			if ss, ok := n.layer.(ScratchSizer); ok {
				if err := c.add(n.layer, "scratch", nil, ss.ScratchElements(ins)); err != nil {
					return nil, err
				}
			}
			for _, s := range outs {
				if err := c.add(n.layer, "output", s, elements(s)); err != nil {
					return nil, err
				}
			}
		}
		if err != nil {
			return nil, err
		}
		for i, t := range n.outputs {
			if i < len(outs) {
				shapes[t] = outs[i]
			}
		}
	}
	out := make([]Shape, len(m.outputs))
	for i, t := range m.outputs {
		out[i] = shapes[t]
	}
	return out, nil
}

// add counts a tensor of n elements (math.MaxInt64 when its size overflows) that layer l
// makes (nil: a model input).
func (c *memoryCheck) add(l Layer, what string, s Shape, n int64) error {
	b := satMul(satMul(n, c.elemSize), c.factor)
	c.total = satAdd(c.total, b)
	if b <= c.limit && c.total <= c.limit {
		return nil
	}
	desc := what
	if s != nil {
		desc = fmt.Sprintf("%s of shape %v", what, s)
	}
	var err error
	if b > c.limit {
		err = fmt.Errorf("%w: %s needs %s, more than the limit of %s (%s)", ErrMemoryLimit, desc, memSize(b), memSize(c.limit), c.from)
	} else {
		err = fmt.Errorf("%w: with its %s the graph's tensors need %s, more than the limit of %s (%s)", ErrMemoryLimit, desc, memSize(c.total), memSize(c.limit), c.from)
	}
	if l == nil {
		return fmt.Errorf("keras: %w", err)
	}
	return layerErr(l, err)
}

// elements returns the product of a concrete shape's dimensions, saturating at MaxInt64.
func elements(s Shape) int64 {
	n := int64(1)
	for _, d := range s {
		n = satMul(n, int64(max(d, 0)))
	}
	return n
}

// ScratchOf returns the product of the given sizes, saturating at math.MaxInt64 instead of
// overflowing: a helper for [ScratchSizer] implementations.
func ScratchOf(sizes ...int) int64 {
	n := int64(1)
	for _, d := range sizes {
		n = satMul(n, int64(max(d, 0)))
	}
	return n
}

func satMul(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// memSize formats n bytes with a binary unit.
func memSize(n int64) string {
	if n == math.MaxInt64 {
		return "more than 8 EiB"
	}
	f := float64(n)
	for _, u := range []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"} {
		if f < 1024 {
			if u == "B" {
				return fmt.Sprintf("%d B", n)
			}
			return fmt.Sprintf("%.1f %s", f, u)
		}
		f /= 1024
	}
	return fmt.Sprintf("%.1f EiB", f)
}
