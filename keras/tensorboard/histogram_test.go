package tensorboard

import (
	"math"
	"reflect"
	"testing"
)

// zeros returns k all-zero buckets.
func zeros(k int) []Bucket { return make([]Bucket, k) }

// constant returns TensorFlow's buckets for n copies of v.
func constant(k int, v float64, n int) []Bucket {
	b := make([]Bucket, k)
	for i := range b {
		b[i] = Bucket{v, v, 0}
	}
	b[k-1].Count = float64(n)
	return b
}

// The references follow tf.summary.histogram's _buckets by hand (and were
// cross-checked against tensorboard's numpy histogram_pb, which the Python
// conformance test also does for random data).
func TestHistogramBuckets(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	const m = math.MaxFloat64
	tests := []struct {
		name   string
		values []float64
		k      int
		want   []Bucket
	}{
		{"no buckets", []float64{1, 2}, 0, []Bucket{}},
		{"negative bucket count", []float64{1, 2}, -3, []Bucket{}},
		{"empty", nil, 30, zeros(30)},
		{"single value", []float64{3}, 30, constant(30, 3, 1)},
		{"constant", []float64{7, 7, 7}, 4, constant(4, 7, 3)},
		{"single bucket", []float64{1, 5, 2}, 1, []Bucket{{1, 5, 3}}},
		// width 0.75; 3 lands on index 4 and is clamped to 3
		{"max clamped", []float64{0, 1, 2, 3}, 4, []Bucket{{0, 0.75, 1}, {0.75, 1.5, 1}, {1.5, 2.25, 1}, {2.25, 3, 1}}},
		// width 2; offsets 0,1,2,8 -> indices 0,0,1,3
		{"negative values", []float64{-2, -1, 0, 6}, 4, []Bucket{{-2, 0, 2}, {0, 2, 1}, {2, 4, 0}, {4, 6, 1}}},
		// width 0.3/3 = 0.09999999999999999: 0.1 -> 1.0000000000000002 -> 1,
		// 0.2 -> 2.0000000000000004 -> 2, 0.3 -> 3.0000000000000004 -> 2;
		// edges min + i*width, last edge forced to max
		{"rounding as TF", []float64{0, 0.1, 0.2, 0.3}, 3,
			[]Bucket{{0, 0.09999999999999999, 1}, {0.09999999999999999, 0.19999999999999998, 1}, {0.19999999999999998, 0.3, 2}}},
		{"float32 data widened", []float64{float64(float32(0.1)), float64(float32(0.7)), float64(float32(-0.35)), float64(float32(0.2))}, 5,
			[]Bucket{{-0.3499999940395355, -0.13999999761581422, 1}, {-0.13999999761581422, 0.06999999880790708, 0},
				{0.06999999880790708, 0.27999999523162833, 2}, {0.27999999523162833, 0.4899999916553497, 0},
				{0.4899999916553497, 0.699999988079071, 1}}},
		{"non-finite dropped", []float64{nan, 1, inf, 3, -inf}, 2, []Bucket{{1, 2, 1}, {2, 3, 1}}},
		{"only non-finite", []float64{nan, inf, -inf}, 3, zeros(3)},
		{"one finite among NaN", []float64{nan, 4}, 2, constant(2, 4, 1)},
		// max-min overflows: computed on halves
		{"overflowing range", []float64{-m, m, 0}, 2, []Bucket{{-m, 0, 1}, {0, m, 2}}},
		// width underflows to 0: min stays in bucket 0, the rest go last
		{"underflowing width", []float64{0, 5e-324}, 3, []Bucket{{0, 0, 1}, {0, 0, 0}, {0, 5e-324, 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := HistogramBuckets(tc.values, tc.k)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("HistogramBuckets(%v, %d)\n got %v\nwant %v", tc.values, tc.k, got, tc.want)
			}
		})
	}
}

func TestHistogramBucketsDefault(t *testing.T) {
	got := HistogramBuckets([]float64{1, 2, 3, 4, 5}, DefaultBuckets)
	if len(got) != 30 {
		t.Fatalf("%d buckets, want 30", len(got))
	}
	// width 4/30: 2 falls in bucket 7, 3 in bucket 15, 5 is clamped to 29
	checks := map[int]Bucket{
		0:  {1, 1.1333333333333333, 1},
		7:  {1.9333333333333333, 2.0666666666666664, 1},
		14: {2.8666666666666667, 3, 0},
		15: {3, 3.1333333333333333, 1},
		29: {got[29].Left, 5, 1},
	}
	for i, want := range checks {
		if got[i] != want {
			t.Errorf("bucket %d = %v, want %v", i, got[i], want)
		}
	}
	total := 0.0
	for i, b := range got {
		total += b.Count
		if i > 0 && b.Left != got[i-1].Right {
			t.Errorf("bucket %d starts at %v, bucket %d ends at %v", i, b.Left, i-1, got[i-1].Right)
		}
	}
	if total != 5 {
		t.Errorf("counts sum to %v, want 5", total)
	}
}
