//go:build amd64 && !purego

package ops

// The float32 relu passes of the Dense and convolution ops, eight lanes at a time
// (dense_act_amd64.s) on CPUs with AVX2 and FMA (hasAVX2FMA, which the recurrent activations
// also use; these kernels need only AVX). In the MLP's OpenBLAS step the Go loops were 10% of
// the time: the relu's branch on the sign of y is taken at random, about half the time.

//go:noescape
func biasReluAVX(y, b *float32, n int)

//go:noescape
func reluGradSumsAVX(dz, db, y, dy *float32, n int)

// biasRelu32 replaces y[j] by relu(y[j] + b[j]) over the first n&^7 elements of a row and
// returns how many it did (0 without AVX2); the caller finishes the row.
func biasRelu32(y, b []float32, n int) int {
	n &^= 7
	if !hasAVX2FMA || n == 0 {
		return 0
	}
	_, _ = y[n-1], b[n-1]
	biasReluAVX(&y[0], &b[0], n)
	return n
}

// reluGradSums32 writes dy masked by y > 0 into dz and adds it into db over the first n&^7
// elements of a row, and returns how many it did (0 without AVX2).
func reluGradSums32(dz, db, y, dy []float32, n int) int {
	n &^= 7
	if !hasAVX2FMA || n == 0 {
		return 0
	}
	_, _, _, _ = dz[n-1], db[n-1], y[n-1], dy[n-1]
	reluGradSumsAVX(&dz[0], &db[0], &y[0], &dy[0], n)
	return n
}
