package tensorboard

import "math"

// DefaultBuckets is the number of buckets tf.summary.histogram (and so
// Keras's TensorBoard callback) uses.
const DefaultBuckets = 30

// Bucket is one row of a TensorFlow 2 histogram: the values in
// [Left, Right) (the last bucket also holds Right) and how many there were.
type Bucket struct {
	Left, Right, Count float64
}

// HistogramBuckets groups values into k buckets exactly as TensorFlow's
// tf.summary.histogram does (tensorboard/plugins/histogram/summary_v2.py,
// _buckets), so the rows written for the same float64 data are bit for bit
// TensorFlow's:
//
//   - k <= 0: no buckets;
//   - no values: k all-zero buckets;
//   - all values equal to v: k buckets with both edges v, all counts 0
//     except the last, which holds every value;
//   - otherwise k equal-width buckets from min to max: width = (max-min)/k,
//     value x goes to bucket min(floor((x-min)/width), k-1), left edge i is
//     min + i*width, and the right edge of the last bucket is max itself.
//
// Float32 data (Keras weights) give TensorFlow's result when each value is
// converted to float64 first, as TensorFlow casts them.
//
// NaN and ±Inf values are left out (TensorFlow's result for them is
// meaningless: NaN edges, or the values silently dropped), so the counts sum
// to the number of finite values. Where max-min overflows float64 the
// buckets are computed on values halved, and where the width underflows to 0
// the values above min go to the last bucket; TensorFlow returns NaN or
// infinite edges in both cases.
func HistogramBuckets(values []float64, k int) []Bucket {
	if k <= 0 {
		return []Bucket{}
	}
	out := make([]Bucket, k)
	n := 0
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if !finite(v) {
			continue
		}
		n++
		lo = math.Min(lo, v)
		hi = math.Max(hi, v)
	}
	if n == 0 {
		return out
	}
	if lo == hi {
		for i := range out {
			out[i] = Bucket{Left: hi, Right: hi}
		}
		out[k-1].Count = float64(n)
		return out
	}
	// scale is 1, or 0.5 when hi-lo overflows; all arithmetic below is
	// TensorFlow's when scale is 1 (multiplying by 1 is exact).
	scale := 1.0
	if math.IsInf(hi-lo, 0) {
		scale = 0.5
	}
	slo, shi := lo*scale, hi*scale
	width := (shi - slo) / float64(k)
	last := float64(k - 1)
	for _, v := range values {
		if !finite(v) {
			continue
		}
		q := (v*scale - slo) / width // offsets / bucket_width
		i := 0
		switch {
		case q >= last || math.IsInf(q, 1): // clamp to k-1
			i = k - 1
		case q > 0: // floor of a positive number below k-1
			i = int(q)
		}
		out[i].Count++
	}
	for i := range out {
		out[i].Left = (slo + float64(i)*width) / scale
		if i > 0 {
			out[i-1].Right = out[i].Left
		}
	}
	out[0].Left = lo
	out[k-1].Right = hi
	return out
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
