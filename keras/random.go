package keras

import (
	"math/rand/v2"
	"sync"
)

// The package random source draws initial weights, shuffles and dropout masks. Keras has one
// global seed (keras.utils.set_random_seed); so do we.
var (
	rngMu sync.Mutex
	rng   = rand.New(rand.NewPCG(uint64(rand.Int64()), 0x6b657261676f))
)

// SetRandomSeed makes initial weights, shuffling and dropout masks reproducible, as Keras's
// keras.utils.set_random_seed does.
func SetRandomSeed(seed int64) {
	rngMu.Lock()
	rng = rand.New(rand.NewPCG(uint64(seed), 0x6b657261676f))
	rngMu.Unlock()
}

// ClearSession resets the counters behind default layer and model names, as Keras's
// keras.backend.clear_session does: the next Dense is "dense" again. Layers made before keep
// their names, so do not mix them with layers made after in one model.
func ClearSession() { resetNames() }

// newRand derives an independent generator from the package source, so one consumer (a layer
// build, a fit call) draws reproducibly without holding the lock.
func newRand() *rand.Rand {
	rngMu.Lock()
	defer rngMu.Unlock()
	return rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))
}
