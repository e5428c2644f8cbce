package ops

import (
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// TestOpPanicIsAnError: Gorgonia runs an op's Do in the TapeMachine's own goroutine, where a
// panic ends the program, so every op here turns one into its error. The max pooling gradient
// of a 4×4 image handed a 2×2 input indexes past it: an error naming the op, not a crash.
func TestOpPanicIsAnError(t *testing.T) {
	op := newPool2DGrad(newPool2D(Window{KH: 2, KW: 2, SH: 2, SW: 2, DH: 1, DW: 1}, false), 4, 4, 1, nil)
	x := tensor.New(tensor.WithShape(1, 2, 2, 1), tensor.Of(tensor.Float64))
	dy := tensor.New(tensor.WithShape(1, 2, 2, 1), tensor.Of(tensor.Float64))
	_, err := op.Do(x, dy)
	if err == nil || !strings.Contains(err.Error(), "internal error") || !strings.Contains(err.Error(), op.String()) {
		t.Fatalf("error %v, want an internal error naming %v", err, op)
	}
}
