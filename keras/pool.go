package keras

import (
	"container/list"
	"runtime"
	"sync"

	"gorgonia.org/tensor"
)

// programCache keeps the realisations of the most recently used keys (mode × input shapes),
// releasing the least recently used key's machines when it holds more keys than max. Sequence
// models see a key per length bucket; the bound keeps memory flat.
//
// A key holds a small pool of programs rather than one. A TapeMachine keeps its node values on
// its graph, so one machine serves one goroutine at a time; inference steps, which run
// concurrently under the model's read lock, each take a program of their own from the pool
// and put it back after the step. At most perKey programs are built for a key (the cores Go
// runs on: more machines than cores add memory, not throughput); a goroutine that finds them
// all busy waits for one. Training programs are only used under the write lock, so their pool
// never grows past one.
type programCache struct {
	mu     sync.Mutex
	free   sync.Cond // signalled when a program goes back to a pool or a build fails
	max    int
	perKey int // 0: runtime.GOMAXPROCS
	ll     *list.List
	items  map[string]*list.Element
}

// poolEntry is one key's programs.
type poolEntry struct {
	cache   *programCache
	key     string
	idle    []*program
	n       int  // programs built or being built for this entry, idle or in use
	evicted bool // out of the cache: programs coming back are released, not kept
}

// DefaultProgramCacheSize is how many realisation keys (shape signature × mode) a model keeps.
const DefaultProgramCacheSize = 32

func (c *programCache) init() {
	if c.items == nil {
		c.items = map[string]*list.Element{}
		c.ll = list.New()
		if c.max == 0 {
			c.max = DefaultProgramCacheSize
		}
	}
	if c.free.L == nil { // once: a goroutine may be waiting on it when clear empties items
		c.free.L = &c.mu
	}
}

// entry returns key's pool, adding it (and evicting the least recently used) if absent.
// c.mu is held.
func (c *programCache) entry(key string) *poolEntry {
	c.init()
	if e, ok := c.items[key]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*poolEntry)
	}
	pe := &poolEntry{cache: c, key: key}
	c.items[key] = c.ll.PushFront(pe)
	for c.ll.Len() > c.max {
		e := c.ll.Back()
		c.ll.Remove(e)
		old := e.Value.(*poolEntry)
		delete(c.items, old.key)
		old.evict()
	}
	return pe
}

// evict releases the idle programs; those in use are released when they come back.
func (e *poolEntry) evict() {
	e.evicted = true
	for _, p := range e.idle {
		p.release()
	}
	e.idle = nil
}

// acquire returns a program for key that no other goroutine is using: an idle one, or a new
// one from build when the pool is not full; otherwise it waits for one to come back. A
// program whose weights were replaced since it was built (see boundVar) is released and
// rebuilt. The caller holds the model's lock (read or write), so no weight changes meanwhile.
func (c *programCache) acquire(key string, limit int, build func() (*program, error)) (*program, error) {
	c.mu.Lock()
	for {
		e := c.entry(key)
		if k := len(e.idle); k > 0 {
			p := e.idle[k-1]
			e.idle = e.idle[:k-1]
			if p.current() {
				c.mu.Unlock()
				return p, nil
			}
			e.n--
			p.release()
			continue
		}
		if e.n < limit {
			e.n++
			c.mu.Unlock()
			// Built without the cache's lock: other goroutines keep running their programs.
			p, err := build()
			if err != nil {
				c.mu.Lock()
				e.n--
				c.free.Broadcast()
				c.mu.Unlock()
				return nil, err
			}
			p.pool = e
			return p, nil
		}
		c.free.Wait()
	}
}

// giveBack returns a program to its pool after a step.
func (p *program) giveBack() {
	c := p.pool.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	e := p.pool
	if e.evicted {
		e.n--
		p.release()
	} else {
		e.idle = append(e.idle, p)
	}
	c.free.Broadcast()
}

// clear evicts every key (Compile: the losses changed).
func (c *programCache) clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.items {
		e.Value.(*poolEntry).evict()
	}
	c.items = nil
	c.ll = nil
}

// len returns how many keys the cache holds.
func (c *programCache) len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ll == nil {
		return 0
	}
	return c.ll.Len()
}

// current reports whether the program still reads every weight's current numbers.
func (p *program) current() bool {
	for _, b := range p.bound {
		if !b.current() {
			return false
		}
	}
	return true
}

// program returns a realisation for a mode and input shapes that the calling goroutine has to
// itself until it gives it back with giveBack; it is built on first use.
func (m *Model) program(md mode, shapes []tensor.Shape, trainable []*Variable) (*program, error) {
	return m.programFor(md, shapes, trainable, false)
}

// programFor is program for a realisation whose losses take per-sample weights (weighted)
// or not: the two are different graphs, cached under different keys.
func (m *Model) programFor(md mode, shapes []tensor.Shape, trainable []*Variable, weighted bool) (*program, error) {
	return m.programAt(weightedKey(programKey(md, shapes), weighted), md, shapes, trainable, weighted)
}

// weightedKey is the key of a realisation with per-sample weights (weighted) or not.
func weightedKey(key string, weighted bool) string {
	if weighted {
		return key + "|sample_weight"
	}
	return key
}

// programAt is programFor with the key already built (runner.programKey).
func (m *Model) programAt(key string, md mode, shapes []tensor.Shape, trainable []*Variable, weighted bool) (*program, error) {
	c := m.cache()
	limit := 1
	if md != modeTrain {
		if limit = c.perKey; limit <= 0 {
			limit = runtime.GOMAXPROCS(0)
		}
	}
	return c.acquire(key, limit, func() (*program, error) {
		mu := m.buildLock()
		mu.Lock() // layers' Forward may keep state: realisations are built one at a time
		defer mu.Unlock()
		return m.buildProgram(md, key, shapes, trainable, weighted, nil)
	})
}
