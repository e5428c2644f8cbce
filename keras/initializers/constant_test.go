package initializers

import (
	"errors"
	"fmt"
	"testing"

	"gorgonia.org/tensor"
)

func TestConstants(t *testing.T) {
	for _, tc := range []struct {
		name string
		init Initializer
		want float64
	}{
		{"zeros", Zeros(), 0},
		{"ones", Ones(), 1},
		{"constant", Constant(0.03), 0.03},
		{"negative constant", Constant(-2.5), -2.5},
	} {
		for _, dt := range dtypes {
			for _, shape := range [][]int{{}, {7}, {3, 4}, {2, 3, 4}} {
				t.Run(fmt.Sprintf("%s/%v/%v", tc.name, dt, shape), func(t *testing.T) {
					x := zerosOf(dt, shape...)
					fill := 99.0
					if dt == tensor.Float32 {
						for i := range x.Float32s() {
							x.Float32s()[i] = float32(fill)
						}
					} else {
						for i := range x.Float64s() {
							x.Float64s()[i] = fill
						}
					}
					if err := tc.init.Initialize(x, nil); err != nil {
						t.Fatal(err)
					}
					want := tc.want
					if dt == tensor.Float32 {
						want = float64(float32(want))
					}
					for i, v := range values(x) {
						if v != want {
							t.Fatalf("element %d = %v, want exactly %v", i, v, want)
						}
					}
				})
			}
		}
	}
}

func TestIdentity(t *testing.T) {
	for _, tc := range []struct {
		rows, cols int
		gain       float64
	}{{3, 3, 1}, {2, 4, 1}, {4, 2, 0.5}} {
		t.Run(fmt.Sprintf("%dx%d gain %v", tc.rows, tc.cols, tc.gain), func(t *testing.T) {
			vals := initialized(t, Identity(tc.gain), tensor.Float64, 0, tc.rows, tc.cols)
			for i := 0; i < tc.rows; i++ {
				for j := 0; j < tc.cols; j++ {
					want := 0.0
					if i == j {
						want = tc.gain
					}
					if got := vals[i*tc.cols+j]; got != want {
						t.Errorf("[%d][%d] = %v, want %v", i, j, got, want)
					}
				}
			}
		})
	}
	if err := Identity(1).Initialize(zerosOf(tensor.Float32, 2, 2, 2), nil); !errors.Is(err, ErrTensor) {
		t.Errorf("rank 3: %v, want ErrTensor", err)
	}
}
