package textdata

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"empty", "", nil},
		{"punctuation", "Hello, World!", []string{"hello", "world"}},
		{"digits", "Win $1,000,000 NOW!!!", []string{"win", "1", "000", "000", "now"}},
		{"unicode", "Ünïcode café 42x", []string{"ünïcode", "café", "42x"}},
		{"underscore and dash", "a-b_c", []string{"a", "b", "c"}},
		{"newlines", "Re: x\n\n  y\t", []string{"re", "x", "y"}},
		{"only separators", " .,;\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Tokenize(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTokenizeFirst(t *testing.T) {
	for _, s := range []string{"", "one", "one two", "Subject: Re: [SAdev] 2.4.1 release?", "trailing word"} {
		all := Tokenize(s)
		for n := 0; n <= len(all)+1; n++ {
			want := all[:min(n, len(all))]
			if got := TokenizeFirst(s, n); len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
				t.Errorf("TokenizeFirst(%q, %d) = %q, want %q", s, n, got, want)
			}
		}
	}
}

func TestVocabulary(t *testing.T) {
	docs := [][]string{{"b", "a", "c", "a"}, {"c", "d", "a"}, {"b"}}
	// counts: a 3, b 2, c 2, d 1; b and c tie and go alphabetically.
	tests := []struct {
		name  string
		size  int
		words []string // by id from 2
	}{
		{"all words", 10, []string{"a", "b", "c", "d"}},
		{"truncated", 4, []string{"a", "b"}},
		{"tie cut", 5, []string{"a", "b", "c"}},
		{"reserved only", 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewVocabulary(docs, tt.size)
			if err != nil {
				t.Fatal(err)
			}
			if v.Size() != 2+len(tt.words) {
				t.Errorf("Size() = %d, want %d", v.Size(), 2+len(tt.words))
			}
			for i, w := range tt.words {
				if v.ID(w) != i+2 || v.Word(i+2) != w {
					t.Errorf("ID(%q) = %d, Word(%d) = %q; want id %d", w, v.ID(w), i+2, v.Word(i+2), i+2)
				}
			}
			if v.ID("zzz") != UnknownID || v.Word(PadID) != "" || v.Word(UnknownID) != "" || v.Word(v.Size()) != "" || v.Word(-1) != "" {
				t.Errorf("reserved or unknown ids misbehave")
			}
		})
	}
	v, _ := NewVocabulary(docs, 4)
	if got, want := v.Encode([]string{"a", "d", "b", "x"}), []int{2, UnknownID, 3, UnknownID}; !reflect.DeepEqual(got, want) {
		t.Errorf("Encode = %v, want %v", got, want)
	}
	if _, err := NewVocabulary(docs, 1); err == nil {
		t.Error("NewVocabulary(size 1) succeeded, want an error")
	}
}

func TestPad(t *testing.T) {
	seqs := [][]int{{1, 2, 3}, {4, 5, 6, 7, 8}, {9}, {}}
	// Keras: keras.utils.pad_sequences(seqs, maxlen=4, padding=p, truncating=q).
	tests := []struct {
		padding, truncating Side
		want                []int32
	}{
		{Pre, Pre, []int32{0, 1, 2, 3, 5, 6, 7, 8, 0, 0, 0, 9, 0, 0, 0, 0}},
		{Post, Post, []int32{1, 2, 3, 0, 4, 5, 6, 7, 9, 0, 0, 0, 0, 0, 0, 0}},
		{Pre, Post, []int32{0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 9, 0, 0, 0, 0}},
		{Post, Pre, []int32{1, 2, 3, 0, 5, 6, 7, 8, 9, 0, 0, 0, 0, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(string(tt.padding)+"/"+string(tt.truncating), func(t *testing.T) {
			x, err := Pad(seqs, 4, tt.padding, tt.truncating)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual([]int(x.Shape()), []int{4, 4}) || !reflect.DeepEqual(x.Data(), tt.want) {
				t.Errorf("Pad = %v %v, want (4, 4) %v", x.Shape(), x.Data(), tt.want)
			}
		})
	}
	for name, f := range map[string]func() error{
		"zero length": func() error { _, err := Pad(seqs, 0, Pre, Pre); return err },
		"bad side":    func() error { _, err := Pad(seqs, 3, "left", Pre); return err },
		"no rows":     func() error { _, err := Pad(nil, 3, Pre, Pre); return err },
	} {
		t.Run(name, func(t *testing.T) {
			if f() == nil {
				t.Error("no error")
			}
		})
	}
}

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
	ids, _ := Pad([][]int{{1}, {2, 3}}, 2, Post, Post)
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

func TestSharedDirAndLocate(t *testing.T) {
	root := t.TempDir()
	shared := filepath.Join(root, "shared")
	deep := filepath.Join(root, "repo", "a", "b")
	for _, d := range []string{filepath.Join(shared, "data", "set"), deep} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(shared, "data", "set", "f.csv")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}

	t.Setenv(SharedEnv, "")
	got, err := SharedDir(deep)
	if err != nil || got != shared {
		t.Errorf("SharedDir(%s) = %q, %v; want %q", deep, got, err, shared)
	}
	if _, err := SharedDir(t.TempDir()); !errors.Is(err, ErrNoData) {
		t.Errorf("SharedDir without a shared directory: %v, want ErrNoData", err)
	}
	t.Setenv(SharedEnv, shared)
	if got, err := SharedDir("."); err != nil || got != shared {
		t.Errorf("SharedDir with $%s = %q, %v", SharedEnv, got, err)
	}
	t.Setenv(SharedEnv, filepath.Join(root, "missing"))
	if _, err := SharedDir("."); !errors.Is(err, ErrNoData) {
		t.Errorf("SharedDir with a missing $%s: %v, want ErrNoData", SharedEnv, err)
	}

	for _, dir := range []string{shared, filepath.Join(shared, "data")} {
		if got, err := Locate(dir, "set/f.csv"); err != nil || got != file {
			t.Errorf("Locate(%s) = %q, %v; want %q", dir, got, err, file)
		}
	}
	if _, err := Locate(shared, "set/none.csv"); !errors.Is(err, ErrNoData) {
		t.Errorf("Locate of a missing file: %v, want ErrNoData", err)
	}
}
