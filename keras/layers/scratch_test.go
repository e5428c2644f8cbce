package layers

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
)

// TestScratchElements checks the patch sizes the convolutions and poolings report to the
// memory check, and that a size too large for int64 saturates.
func TestScratchElements(t *testing.T) {
	for _, tc := range []struct {
		name  string
		layer keras.ScratchSizer
		in    keras.Shape
		want  int64
	}{
		// 64·64 positions (same padding) × 7·7 window × 3 channels.
		{"Conv2D 7x7 same", Conv2D(8, 7, Padding("same")), keras.Shape{1, 64, 64, 3}, 64 * 64 * 49 * 3},
		// 2·(10-3+1) positions × 3 window × 4 channels.
		{"Conv1D 3 valid", Conv1D(5, 3), keras.Shape{2, 10, 4}, 2 * 8 * 3 * 4},
		// 4·4 positions × 2·2 window × 3 channels.
		{"MaxPooling2D 2", MaxPooling2D(2), keras.Shape{1, 8, 8, 3}, 16 * 4 * 3},
		{"AveragePooling1D 3 same", AveragePooling1D(3, Padding("same"), Strides(1)), keras.Shape{1, 9, 2}, 9 * 3 * 2},
		{"saturates", Conv2D(8, 3, Padding("same")), keras.Shape{1 << 31, 1 << 31, 1 << 31, 3}, math.MaxInt64},
		{"bad shape reports nothing", Conv2D(8, 3), keras.Shape{1, 2, 2, 3}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.layer.ScratchElements([]keras.Shape{tc.in}); got != tc.want {
				t.Errorf("ScratchElements(%v) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}
