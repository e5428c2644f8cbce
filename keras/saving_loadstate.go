package keras

import (
	"fmt"
	"math"
	"sync"
)

// loadState is shared by the rebuild of one saved model: the budget of weight values its
// layers may allocate (what the weights file holds), and the layers charged against it.
type loadState struct {
	budget  *int64
	charged []*LayerBase
	depth   int // models being rebuilt around the current one
}

// loadBudgets maps a layer being rebuilt by LoadModel to the budget of its loadState. A
// layer's weights are created by its own Build through AddWeight, which has no parameter to
// carry the budget; keeping the link here, only for the duration of a load, leaves LayerBase
// with nothing for loading. Entries are added by charge and removed by release.
var loadBudgets sync.Map // *LayerBase -> *int64

// newLoadState returns a state with a budget of n weight values (n <= 0: no limit).
func newLoadState(n int64) *loadState {
	st := &loadState{}
	if n > 0 {
		st.budget = &n
	}
	return st
}

// charge makes l's weight creation count against the budget until release.
func (st *loadState) charge(l Layer) {
	if st.budget == nil {
		return
	}
	b := l.base()
	loadBudgets.Store(b, st.budget)
	st.charged = append(st.charged, b)
}

// release ends the budget of every charged layer.
func (st *loadState) release() {
	for _, b := range st.charged {
		loadBudgets.Delete(b)
	}
	st.charged = nil
}

// chargeLoad is called by AddWeight: while LoadModel rebuilds a model, its weights may not
// add up to more values than the weights file holds, so a corrupt or hostile config cannot
// make it allocate without bound. The budget of one load is only used by the goroutine
// running that load, so it needs no lock of its own.
func chargeLoad(b *LayerBase, name string, shape Shape) error {
	v, ok := loadBudgets.Load(b)
	if !ok {
		return nil
	}
	budget := v.(*int64)
	n := int64(1)
	for _, d := range shape {
		if d < 0 {
			return nil // newVariable reports the unknown dimension
		}
		if d > 0 && n > math.MaxInt64/int64(d) {
			n = math.MaxInt64
			break
		}
		n *= int64(d)
	}
	if n > *budget {
		return fmt.Errorf("%w: weight %q of shape %v needs %d values, more than the weights file holds for it (%d left): the config does not match the weights",
			ErrFileFormat, name, shape, n, *budget)
	}
	*budget -= n
	return nil
}
