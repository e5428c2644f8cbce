//go:build !purego

package cpu

const isPurego = false
