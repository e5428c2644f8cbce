//go:build !race

package testenv

// RaceEnabled reports whether the test binary runs under the race detector, which changes
// what allocates (sync.Pool drops a share of what it is given, on purpose): tests that count
// allocations skip under it.
const RaceEnabled = false
