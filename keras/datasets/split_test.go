package datasets

import (
	"slices"
	"testing"
)

func TestTrainTestSplit(t *testing.T) {
	train, test, err := TrainTestSplit(10, 0.3, 7)
	if err != nil {
		t.Fatal(err)
	}
	all := slices.Sorted(slices.Values(append(slices.Clone(train), test...)))
	if len(test) != 3 || !slices.Equal(all, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Errorf("split %v %v is not a partition with 3 test rows", train, test)
	}
	for _, f := range []float64{0, 1, 0.01} {
		if _, _, err := TrainTestSplit(10, f, 7); err == nil {
			t.Errorf("fraction %v of 10 rows did not fail", f)
		}
	}
}

func TestStratifiedSplit(t *testing.T) {
	keys := append(slices.Repeat([]string{"a"}, 90), slices.Repeat([]string{"b"}, 10)...)
	train, test := stratifiedSplit(keys, 0.2, 1)
	nb := 0
	for _, i := range test {
		if keys[i] == "b" {
			nb++
		}
	}
	if len(train) != 80 || len(test) != 20 || nb != 2 {
		t.Errorf("%d train, %d test with %d of the rare key; want 80, 20, 2", len(train), len(test), nb)
	}
}
