package datasets

import "testing"

func TestDigits(t *testing.T) {
	x, y, err := Digits()
	if err != nil {
		t.Fatal(err)
	}
	if !x.Shape().Eq([]int{1797, 64}) || !y.Shape().Eq([]int{1797}) {
		t.Fatalf("shapes %v %v", x.Shape(), y.Shape())
	}
	counts := map[int]int{}
	for _, c := range y.Data().([]int) {
		counts[c]++
	}
	if len(counts) != 10 {
		t.Errorf("%d classes, want 10", len(counts))
	}
	for _, v := range x.Data().([]float32) {
		if v < 0 || v > 16 {
			t.Fatalf("pixel %v outside 0..16", v)
		}
	}
	oh, err := OneHot(y, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !oh.Shape().Eq([]int{1797, 10}) {
		t.Errorf("one-hot shape %v", oh.Shape())
	}
	if _, err := OneHot(y, 5); err == nil {
		t.Error("OneHot with too few classes did not fail")
	}
}

func TestIrisAndSplit(t *testing.T) {
	x, y, err := Iris()
	if err != nil {
		t.Fatal(err)
	}
	if !x.Shape().Eq([]int{150, 4}) || y.Shape()[0] != 150 {
		t.Fatalf("shapes %v %v", x.Shape(), y.Shape())
	}
	a, b, err := Split(x, 100)
	if err != nil {
		t.Fatal(err)
	}
	if a.Shape()[0] != 100 || b.Shape()[0] != 50 {
		t.Errorf("split %v %v", a.Shape(), b.Shape())
	}
	if _, _, err := Split(x, 0); err == nil {
		t.Error("split at 0 did not fail")
	}
}

func TestDigitsPrepared(t *testing.T) {
	x, y, err := DigitsPrepared(0)
	if err != nil {
		t.Fatal(err)
	}
	if !x.Shape().Eq([]int{1797, 64}) || !y.Shape().Eq([]int{1797, 10}) {
		t.Fatalf("shapes %v %v", x.Shape(), y.Shape())
	}
	maxPixel := float32(0)
	for _, v := range x.Data().([]float32) {
		maxPixel = max(maxPixel, v)
	}
	if maxPixel != 1 {
		t.Errorf("largest pixel %v, want 1 after scaling", maxPixel)
	}
	// The last 10% (what ValidationSplit(0.1) holds out) has every digit.
	seen := map[int]bool{}
	yv := y.Data().([]float32)
	for r := 1617; r < 1797; r++ {
		for c := 0; c < 10; c++ {
			if yv[r*10+c] == 1 {
				seen[c] = true
			}
		}
	}
	if len(seen) != 10 {
		t.Errorf("held-out tail has %d digits", len(seen))
	}
}
