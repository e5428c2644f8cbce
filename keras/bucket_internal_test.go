package keras

import (
	"errors"
	"fmt"
	"testing"

	"gorgonia.org/tensor"
)

func TestBucketLength(t *testing.T) {
	cases := []struct{ n, want int }{
		{0, 1}, {1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 6}, {6, 6}, {7, 8}, {8, 8}, {9, 12}, {12, 12},
		{13, 16}, {17, 24}, {25, 32}, {33, 48}, {49, 64}, {65, 96}, {97, 128}, {129, 192}, {193, 256},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.n), func(t *testing.T) {
			if got := bucketLength(c.n); got != c.want {
				t.Errorf("bucketLength(%d) = %d, want %d", c.n, got, c.want)
			}
		})
	}
	// At most a third of a bucket is padding beyond 4 steps, and buckets only grow.
	prev := 0
	for n := 1; n <= 5000; n++ {
		b := bucketLength(n)
		if b < n || b < prev || (n > 4 && float64(b-n) > float64(b)/3) {
			t.Fatalf("bucketLength(%d) = %d (previous %d)", n, b, prev)
		}
		prev = b
	}
}

func TestBucketedLength(t *testing.T) {
	x := tensor.New(tensor.WithShape(6, 10), tensor.WithBacking([]int32{
		0, 0, 0, 5, 6, 7, 0, 0, 0, 0,
		0, 0, 1, 2, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
		0, 1, 0, 0, 0, 0, 0, 0, 0, 3,
		4, 0, 4, 0, 4, 0, 4, 0, 4, 0,
	}))
	cases := []struct {
		name string
		idx  []int
		want int
	}{
		{"padding anywhere is dropped", []int{0, 1, 4}, 3},
		{"only padding", []int{2}, 1},
		{"full rows keep the width", []int{3, 0}, 10},
		{"5 ids round up to a bucket of 6", []int{5, 1}, 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, err := bucketedLength(x, c.idx)
			if err != nil {
				t.Fatal(err)
			}
			if n != c.want {
				t.Errorf("length %d, want %d", n, c.want)
			}
		})
	}
	if _, err := bucketedLength(tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float32{1, 2})), []int{0}); !errors.Is(err, ErrDType) {
		t.Errorf("float data: error %v, want ErrDType", err)
	}
}

func TestGatherCompact(t *testing.T) {
	src := tensor.New(tensor.WithShape(3, 5), tensor.WithBacking([]int64{
		0, 2, 0, 4, 5,
		6, 7, 8, 9, 10,
		0, 0, 0, 0, 15,
	}))
	dst := tensor.New(tensor.WithShape(3, 4), tensor.Of(tensor.Int))
	for i := range dst.Data().([]int) {
		dst.Data().([]int)[i] = -1 // stale values from an earlier batch
	}
	if err := gatherCompact(dst, src, []int{2, 0, 1}); err != nil {
		t.Fatal(err)
	}
	want := []int{15, 0, 0, 0, 2, 4, 5, 0, 6, 7, 8, 9}
	for i, v := range dst.Data().([]int) {
		if v != want[i] {
			t.Fatalf("gathered %v, want %v", dst.Data(), want)
		}
	}
}
