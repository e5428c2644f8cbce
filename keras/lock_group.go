package keras

import "sync"

// lockGroup is the lock over the weights of a set of connected models and layers. Layers
// shared between models (a model nested in another, one layer object called in two models,
// NewModel over a sub-graph of another model, a model over a loaded model's layers) share
// their weight tensors, so a lock per model would let a Predict on one read the weights that
// a training step on the other is writing. NewModel therefore joins the groups of the model
// and of every layer it calls, union-find style: the groups of models that share a layer,
// directly or through others, become one, and all of them take its root's lock.
//
// Groups only merge, never split: a model that was once connected to another stays
// excluded from it, which costs concurrency (never correctness) and keeps the rule simple.
// Models that share nothing keep separate groups and never wait for each other.
type lockGroup struct {
	// mu guards the weights of every member: a training step, SetWeights, LoadWeights, Save,
	// Summary hold it for writing; an inference step and Weights hold it for reading, so
	// inference on any of the members runs in parallel.
	mu sync.RWMutex
	// build serialises building realisations over the members: a layer's Forward may keep
	// state, and a shared layer's Forward is called by every model it is part of.
	build sync.Mutex
	// parent is the group this one was merged into; nil at a root. Guarded by groupsMu; set
	// only while holding mu for writing, so a root locked by a goroutine stays the root until
	// that goroutine unlocks it.
	parent *lockGroup
}

// groupsMu guards the union-find structure: every lockGroup's parent and every LayerBase's
// group. It is held only for pointer walks, never while waiting for a group's lock.
var groupsMu sync.Mutex

// rootGroup returns b's group root, giving b a group of its own on first use and shortening
// the path it walked. groupsMu is held.
func (b *LayerBase) rootGroup() *lockGroup {
	if b.group == nil {
		b.group = &lockGroup{}
	}
	r := b.group
	for r.parent != nil {
		r = r.parent
	}
	for g := b.group; g != r; {
		next := g.parent
		g.parent = r
		g = next
	}
	b.group = r
	return r
}

// currentGroup returns b's group root. While the caller holds that root's lock (read or
// write) the answer cannot change.
func (b *LayerBase) currentGroup() *lockGroup {
	groupsMu.Lock()
	defer groupsMu.Unlock()
	return b.rootGroup()
}

// lockGroupFor locks b's group, for writing or reading, and returns the root it locked. The
// root may change between finding it and locking it (a NewModel merged it into another): then
// the lock is dropped and taken again on the new root.
func (b *LayerBase) lockGroupFor(write bool) *lockGroup {
	for {
		g := b.currentGroup()
		if write {
			g.mu.Lock()
		} else {
			g.mu.RLock()
		}
		groupsMu.Lock()
		root := g.parent == nil
		groupsMu.Unlock()
		if root {
			return g
		}
		if write {
			g.mu.Unlock()
		} else {
			g.mu.RUnlock()
		}
	}
}

// lockWeights takes the model's weights for writing (no other member of its group reads or
// writes them meanwhile) and returns the function that gives them back.
func (m *Model) lockWeights() (unlock func()) {
	return m.LayerBase.lockGroupFor(true).mu.Unlock
}

// rlockWeights takes the model's weights for reading and returns the function that gives them
// back.
func (m *Model) rlockWeights() (unlock func()) {
	return m.LayerBase.lockGroupFor(false).mu.RUnlock
}

// buildLock returns the mutex that serialises building realisations for m's group. The
// caller holds the group's lock, so the root is stable.
func (m *Model) buildLock() *sync.Mutex {
	return &m.LayerBase.currentGroup().build
}

// joinGroups makes m's group and the groups of its layers one. Input layers hold no weights
// and no state, so two models over one Input tensor but no common layer stay independent.
func (m *Model) joinGroups() {
	for _, l := range m.layers {
		if _, ok := l.(*InputLayer); ok || l == nil || l.base() == nil {
			continue
		}
		mergeGroups(&m.LayerBase, l.base())
	}
}

// mergeGroups makes the groups of a and b one. The absorbed root is locked for writing while
// it is merged, so steps of its group still in flight finish before any member of the merged
// group may take the other root; steps in flight under the other root touch no weight of the
// absorbed group (the groups shared nothing), so they need not be waited for. Whichever root
// is free is absorbed, so joining a new model to a group that is training does not wait for
// its step. One group lock is held at a time, so a merge cannot deadlock with steps or with
// other merges.
func mergeGroups(a, b *LayerBase) {
	for {
		groupsMu.Lock()
		ra, rb := a.rootGroup(), b.rootGroup()
		groupsMu.Unlock()
		if ra == rb {
			return
		}
		absorbed, into := rb, ra
		if !rb.mu.TryLock() {
			if ra.mu.TryLock() {
				absorbed, into = ra, rb
			} else {
				rb.mu.Lock()
			}
		}
		groupsMu.Lock()
		// Parents are only ever given to roots, so if both are still roots, a's root is
		// still ra and b's rb.
		ok := ra.parent == nil && rb.parent == nil
		if ok {
			absorbed.parent = into
		}
		groupsMu.Unlock()
		absorbed.mu.Unlock()
		if ok {
			return
		}
	}
}
