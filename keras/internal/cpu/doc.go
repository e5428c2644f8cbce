// Package cpu reports the CPU features kerago's hand-written vector kernels need, checked once
// at start: the optimizers' update loops (keras/optimizers) and, through the same flag, any
// other kernel written for AVX2 and FMA.
//
// Off amd64, and with the purego build tag, every feature is reported absent and the kernels'
// pure-Go loops run.
package cpu
