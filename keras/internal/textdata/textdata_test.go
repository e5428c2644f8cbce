package textdata

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras/preprocessing"
)

func TestSplit(t *testing.T) {
	train, test, err := Split(100, 0.2, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(train) != 80 || len(test) != 20 {
		t.Fatalf("Split sizes %d/%d, want 80/20", len(train), len(test))
	}
	all := slices.Sorted(slices.Values(append(slices.Clone(train), test...)))
	for i, v := range all {
		if v != i {
			t.Fatalf("train and test are not a partition of 0..99: %v", all)
		}
	}
	if slices.IsSorted(train) {
		t.Error("training rows are in increasing order, want a random order")
	}
	train2, test2, _ := Split(100, 0.2, 7)
	if !slices.Equal(train, train2) || !slices.Equal(test, test2) {
		t.Error("the same seed gave another split")
	}
	if _, test3, _ := Split(100, 0.2, 8); slices.Equal(test, test3) {
		t.Error("another seed gave the same split")
	}
	for _, f := range []float64{0, 1, -0.1, math.NaN(), 0.001} {
		if _, _, err := Split(100, f, 1); err == nil {
			t.Errorf("Split(100, %v) succeeded, want an error", f)
		}
	}
}

func TestSample(t *testing.T) {
	s := Sample(50, 10, 3)
	if len(s) != 10 {
		t.Fatalf("Sample gave %d rows, want 10", len(s))
	}
	seen := map[int]bool{}
	for _, i := range s {
		if i < 0 || i >= 50 || seen[i] {
			t.Fatalf("Sample gave %v: out of range or repeated", s)
		}
		seen[i] = true
	}
	if got := Sample(5, 10, 3); len(got) != 5 {
		t.Errorf("Sample(5, 10) gave %d rows, want 5", len(got))
	}
}

func TestRowsOneHotColumnMatrix(t *testing.T) {
	x, err := Matrix([][]float64{{1, 2}, {3, 4}, {5, 6}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Rows(x, []int{2, 0, 2})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual([]int(r.Shape()), []int{3, 2}) || !reflect.DeepEqual(r.Data(), []float32{5, 6, 1, 2, 5, 6}) {
		t.Errorf("Rows = %v %v", r.Shape(), r.Data())
	}
	ids, _ := preprocessing.PadSequences([][]int{{1}, {2, 3}}, 2, preprocessing.Post, preprocessing.Post)
	r, err = Rows(ids, []int{1})
	if err != nil || !reflect.DeepEqual(r.Data(), []int32{2, 3}) {
		t.Errorf("Rows of int32 = %v, %v", r.Data(), err)
	}
	if _, err := Rows(x, []int{3}); err == nil {
		t.Error("Rows out of range succeeded")
	}
	oh, err := OneHot([]int{2, 0}, 3)
	if err != nil || !reflect.DeepEqual(oh.Data(), []float32{0, 0, 1, 1, 0, 0}) {
		t.Errorf("OneHot = %v, %v", oh.Data(), err)
	}
	if _, err := OneHot([]int{3}, 3); err == nil {
		t.Error("OneHot of class 3 of 3 succeeded")
	}
	c := Column([]float64{1.5, -2})
	if !reflect.DeepEqual([]int(c.Shape()), []int{2, 1}) || !reflect.DeepEqual(c.Data(), []float32{1.5, -2}) {
		t.Errorf("Column = %v %v", c.Shape(), c.Data())
	}
	if _, err := Matrix([][]float64{{1}, {1, 2}}); err == nil {
		t.Error("ragged Matrix succeeded")
	}
}

func TestStandardizer(t *testing.T) {
	s := FitStandardizer([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	if s.Mean != 5 || s.Std != 2 {
		t.Errorf("FitStandardizer = %+v, want mean 5, std 2", s)
	}
	if got := s.Apply([]float64{5, 9, 1}); !reflect.DeepEqual(got, []float64{0, 2, -2}) {
		t.Errorf("Apply = %v", got)
	}
	if c := FitStandardizer([]float64{3, 3}); c.Std != 1 {
		t.Errorf("constant values: std %v, want 1", c.Std)
	}
}

func TestParseSpamAssassin(t *testing.T) {
	const good = "label,group,id,subject,body\n" +
		"0,easy-ham-1,00001,Re: hello,\"line one\nline \"\"two\"\"\"\n" +
		"1,spam-2,00002,WIN,cash\n"
	es, err := ParseSpamAssassin(strings.NewReader(good), "good.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Email{
		{Label: 0, Group: "easy-ham-1", ID: "00001", Subject: "Re: hello", Body: "line one\nline \"two\""},
		{Label: 1, Group: "spam-2", ID: "00002", Subject: "WIN", Body: "cash"},
	}
	if !reflect.DeepEqual(es, want) {
		t.Errorf("got %+v, want %+v", es, want)
	}
	for name, in := range map[string]string{
		"header":  "label,group,id,body\n0,g,1,b\n",
		"label":   "label,group,id,subject,body\n2,g,1,s,b\n",
		"columns": "label,group,id,subject,body\n0,g,1,s\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseSpamAssassin(strings.NewReader(in), "bad.csv")
			if err == nil || !strings.Contains(err.Error(), "bad.csv") {
				t.Errorf("error %v, want one naming bad.csv", err)
			}
		})
	}
}

func TestParsePenguins(t *testing.T) {
	const header = "species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\n"
	ps, err := ParsePenguins(strings.NewReader(header+"Adelie,Torgersen,39.1,18.7,181,3750,male,2007\n"), "p.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := Penguin{Species: "Adelie", Island: "Torgersen", BillLength: 39.1, BillDepth: 18.7, FlipperLength: 181, BodyMass: 3750, Sex: "male", Year: 2007}
	if len(ps) != 1 || ps[0] != want {
		t.Errorf("got %+v, want %+v", ps, want)
	}
	for name, row := range map[string]string{
		"NA":   "Adelie,Torgersen,NA,18.7,181,3750,male,2007\n",
		"sex":  "Adelie,Torgersen,39.1,18.7,181,3750,NA,2007\n",
		"year": "Adelie,Torgersen,39.1,18.7,181,3750,male,x\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParsePenguins(strings.NewReader(header+row), "p.csv")
			if err == nil || !strings.Contains(err.Error(), "p.csv line 2") {
				t.Errorf("error %v, want one naming p.csv line 2", err)
			}
		})
	}
}
