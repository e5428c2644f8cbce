//go:build !amd64 || purego

package optimizers

// useAVX is false off amd64 and with the purego tag: the optimizers run their pure-Go loops.
const useAVX = false
