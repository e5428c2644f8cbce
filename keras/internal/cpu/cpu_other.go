//go:build !amd64 || purego

package cpu

// AVX2FMA is false off amd64 and with the purego build tag: the kernels' pure-Go loops run.
const AVX2FMA = false
