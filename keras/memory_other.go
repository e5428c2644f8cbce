//go:build !linux

package keras

// addressSpaceLimit returns 0: the address-space limit is only read on Linux.
func addressSpaceLimit() int64 { return 0 }
