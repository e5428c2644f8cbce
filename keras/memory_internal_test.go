package keras

import (
	"math"
	"testing"
)

// TestShapeProductsSaturate checks that sizes computed from shapes saturate instead of
// overflowing into small or negative numbers, which would pass the memory check.
func TestShapeProductsSaturate(t *testing.T) {
	for _, tc := range []struct {
		shape Shape
		want  int64
	}{
		{Shape{2, 3, 4}, 24},
		{Shape{1 << 31, 1 << 31, 1 << 31}, math.MaxInt64},
		{Shape{1 << 62, 4}, math.MaxInt64},
		{Shape{0, 1 << 62, 1 << 62}, 0},
	} {
		if got := elements(tc.shape); got != tc.want {
			t.Errorf("elements(%v) = %d, want %d", tc.shape, got, tc.want)
		}
	}
	c := &memoryCheck{elemSize: 8, factor: 2, limit: math.MaxInt64 - 1}
	if err := c.add(nil, "output", Shape{1 << 31, 1 << 31, 1 << 31}, elements(Shape{1 << 31, 1 << 31, 1 << 31})); err == nil {
		t.Error("a tensor of 2^93 elements passed the memory check")
	}
}

func TestParseBytes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1048576", 1 << 20, true},
		{"512MiB", 512 << 20, true},
		{" 8 GiB ", 8 << 30, true},
		{"2TiB", 2 << 40, true},
		{"off", 0, true},
		{"0", 0, false},
		{"-5", 0, false},
		{"1.5GiB", 0, false},
		{"8GB", 0, false},
		{"9999999999TiB", 0, false},
	} {
		got, err := parseBytes(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
