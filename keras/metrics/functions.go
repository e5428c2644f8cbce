package metrics

import "math"

// epsilon is Keras's backend.epsilon(), the clip bound of its probabilistic metrics.
const epsilon = 1e-7

// rowFn computes one row's metric value: yt and yp are the row's targets (one class index
// for sparse functions) and predictions along the last axis. batch holds whatever the
// function decided once for the whole batch (hinge's label conversion).
type rowFn func(yt, yp []float64, batch *batchInfo) float64

// batchInfo carries batch-wide facts a row function needs.
type batchInfo struct {
	binaryLabels bool // every target is 0 or 1 (hinge converts them to -1, 1)
}

func meanOf(v []float64, f func(i int) float64) float64 {
	s := 0.0
	for i := range v {
		s += f(i)
	}
	return s / float64(len(v))
}

func sumOf(v []float64, f func(i int) float64) float64 {
	s := 0.0
	for i := range v {
		s += f(i)
	}
	return s
}

func squaredError(yt, yp []float64, _ *batchInfo) float64 {
	return meanOf(yp, func(i int) float64 { d := yp[i] - yt[i]; return d * d })
}

func absoluteError(yt, yp []float64, _ *batchInfo) float64 {
	return meanOf(yp, func(i int) float64 { return math.Abs(yp[i] - yt[i]) })
}

func absolutePercentageError(yt, yp []float64, _ *batchInfo) float64 {
	return 100 * meanOf(yp, func(i int) float64 {
		return math.Abs((yt[i] - yp[i]) / math.Max(math.Abs(yt[i]), epsilon))
	})
}

func squaredLogError(yt, yp []float64, _ *batchInfo) float64 {
	return meanOf(yp, func(i int) float64 {
		d := math.Log(math.Max(yp[i], epsilon)+1) - math.Log(math.Max(yt[i], epsilon)+1)
		return d * d
	})
}

// cosineSimilarity normalises both rows as Keras's l2_normalize does (the squared norm is
// floored at 1e-12) and takes their dot product.
func cosineSimilarity(yt, yp []float64, _ *batchInfo) float64 {
	nt := 1 / math.Sqrt(math.Max(sumOf(yt, func(i int) float64 { return yt[i] * yt[i] }), 1e-12))
	np := 1 / math.Sqrt(math.Max(sumOf(yp, func(i int) float64 { return yp[i] * yp[i] }), 1e-12))
	return sumOf(yp, func(i int) float64 { return yt[i] * nt * yp[i] * np })
}

// logCosh is log(cosh(x)) written as x + softplus(-2x) - log 2, which does not overflow.
func logCosh(yt, yp []float64, _ *batchInfo) float64 {
	return meanOf(yp, func(i int) float64 {
		x := yp[i] - yt[i]
		return x + softplus(-2*x) - math.Ln2
	})
}

func softplus(x float64) float64 {
	if x > 30 {
		return x
	}
	return math.Log1p(math.Exp(x))
}

// hingeLabel converts 0/1 targets to -1/1 when the whole batch is binary, as Keras's
// convert_binary_labels_to_hinge does.
func hingeLabel(y float64, b *batchInfo) float64 {
	if b.binaryLabels {
		return 2*y - 1
	}
	return y
}

func hinge(yt, yp []float64, b *batchInfo) float64 {
	return meanOf(yp, func(i int) float64 { return math.Max(1-hingeLabel(yt[i], b)*yp[i], 0) })
}

func squaredHinge(yt, yp []float64, b *batchInfo) float64 {
	return meanOf(yp, func(i int) float64 { h := math.Max(1-hingeLabel(yt[i], b)*yp[i], 0); return h * h })
}

func categoricalHinge(yt, yp []float64, _ *batchInfo) float64 {
	pos := sumOf(yp, func(i int) float64 { return yt[i] * yp[i] })
	neg := math.Inf(-1)
	for i := range yp {
		neg = math.Max(neg, (1-yt[i])*yp[i])
	}
	return math.Max(neg-pos+1, 0)
}

func klDivergence(yt, yp []float64, _ *batchInfo) float64 {
	return sumOf(yp, func(i int) float64 {
		t := clamp(yt[i], epsilon, 1)
		return t * math.Log(t/clamp(yp[i], epsilon, 1))
	})
}

func poisson(yt, yp []float64, _ *batchInfo) float64 {
	return meanOf(yp, func(i int) float64 { return yp[i] - yt[i]*math.Log(yp[i]+epsilon) })
}

func binaryCrossentropy(yt, yp []float64, _ *batchInfo) float64 {
	return meanOf(yp, func(i int) float64 {
		p := clamp(yp[i], epsilon, 1-epsilon)
		return -(yt[i]*math.Log(p) + (1-yt[i])*math.Log(1-p))
	})
}

// categoricalCrossentropy rescales the row to sum to one first, as Keras does for
// probabilities.
func categoricalCrossentropy(yt, yp []float64, _ *batchInfo) float64 {
	s := sumOf(yp, func(i int) float64 { return yp[i] })
	return -sumOf(yp, func(i int) float64 { return yt[i] * math.Log(clamp(yp[i]/s, epsilon, 1-epsilon)) })
}

func sparseCategoricalCrossentropy(yt, yp []float64, _ *batchInfo) float64 {
	s := sumOf(yp, func(i int) float64 { return yp[i] })
	return -math.Log(clamp(yp[int(yt[0])]/s, epsilon, 1-epsilon))
}

func clamp(v, lo, hi float64) float64 { return math.Min(math.Max(v, lo), hi) }

// equalAccuracy is Keras's Accuracy: the fraction of predictions exactly equal to targets.
func equalAccuracy(yt, yp []float64, _ *batchInfo) float64 {
	return meanOf(yp, func(i int) float64 { return b2f(yt[i] == yp[i]) })
}

func binaryAccuracy(threshold float64) rowFn {
	return func(yt, yp []float64, _ *batchInfo) float64 {
		return meanOf(yp, func(i int) float64 { return b2f(yt[i] == b2f(yp[i] > threshold)) })
	}
}

func categoricalAccuracy(yt, yp []float64, _ *batchInfo) float64 {
	return b2f(argmax(yt) == argmax(yp))
}

func sparseCategoricalAccuracy(yt, yp []float64, _ *batchInfo) float64 {
	return b2f(float64(argmax(yp)) == yt[0])
}

// inTopK reports whether class c is among the k largest predictions; a tie with the k-th
// largest counts as in, as in Keras's in_top_k.
func inTopK(yp []float64, c, k int) bool {
	if c < 0 || c >= len(yp) {
		return false
	}
	greater := 0
	for _, v := range yp {
		if v > yp[c] {
			greater++
		}
	}
	return greater < k
}

func topKAccuracy(k int) rowFn {
	return func(yt, yp []float64, _ *batchInfo) float64 { return b2f(inTopK(yp, argmax(yt), k)) }
}

func sparseTopKAccuracy(k int) rowFn {
	return func(yt, yp []float64, _ *batchInfo) float64 { return b2f(inTopK(yp, int(yt[0]), k)) }
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// argmax returns the index of the first largest value (ties go to the lowest index).
func argmax(v []float64) int {
	best := 0
	for i := 1; i < len(v); i++ {
		if v[i] > v[best] {
			best = i
		}
	}
	return best
}
