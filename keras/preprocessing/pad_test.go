package preprocessing

import (
	"errors"
	"flag"
	"math"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
)

var update = flag.Bool("update", false, "regenerate testdata/pad_sequences.json with Keras (needs python3 with keras and jax)")

const (
	padGoldenFile   = "testdata/pad_sequences.json"
	padGoldenScript = "testdata/pad_sequences.py"
)

type padGoldenCase struct {
	Name       string  `json:"name"`
	Seqs       [][]int `json:"seqs"`
	MaxLen     int     `json:"maxlen"` // 0: None
	Padding    string  `json:"padding"`
	Truncating string  `json:"truncating"`
	Shape      []int   `json:"shape"`
	Values     []int32 `json:"values"`
}

// TestPadSequencesKeras compares every case of testdata/pad_sequences.json, written by
// keras.utils.pad_sequences (testdata/pad_sequences.py), with PadSequences: the shape and every
// value. The cases cover both sides of padding and truncating, maxlen None, shorter, equal and
// longer sequences, empty sequences and the int32 extremes.
func TestPadSequencesKeras(t *testing.T) {
	if *update {
		py := testenv.Python(t, "keras", "numpy")
		testenv.PythonOutput(t, py, filepath.FromSlash(padGoldenScript), filepath.FromSlash(padGoldenFile))
	}
	cases := testenv.GoldenCases[padGoldenCase](t, padGoldenFile, 100, padGoldenScript)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			x, err := PadSequences(c.Seqs, c.MaxLen, c.Padding, c.Truncating)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual([]int(x.Shape()), c.Shape) || !reflect.DeepEqual(x.Data(), c.Values) {
				t.Errorf("PadSequences(%v, %d, %s, %s) = %v %v, Keras %v %v", c.Seqs, c.MaxLen, c.Padding, c.Truncating, x.Shape(), x.Data(), c.Shape, c.Values)
			}
		})
	}
}

func TestPadSequences(t *testing.T) {
	seqs := [][]int{{1, 2, 3}, {4, 5, 6, 7, 8}, {9}, {}}
	// Keras: keras.utils.pad_sequences(seqs, maxlen=4, padding=p, truncating=q).
	tests := []struct {
		padding, truncating string
		want                []int32
	}{
		{Pre, Pre, []int32{0, 1, 2, 3, 5, 6, 7, 8, 0, 0, 0, 9, 0, 0, 0, 0}},
		{Post, Post, []int32{1, 2, 3, 0, 4, 5, 6, 7, 9, 0, 0, 0, 0, 0, 0, 0}},
		{Pre, Post, []int32{0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 9, 0, 0, 0, 0}},
		{Post, Pre, []int32{1, 2, 3, 0, 5, 6, 7, 8, 9, 0, 0, 0, 0, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.padding+"/"+tt.truncating, func(t *testing.T) {
			x, err := PadSequences(seqs, 4, tt.padding, tt.truncating)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual([]int(x.Shape()), []int{4, 4}) || !reflect.DeepEqual(x.Data(), tt.want) {
				t.Errorf("PadSequences = %v %v, want (4, 4) %v", x.Shape(), x.Data(), tt.want)
			}
		})
	}
	t.Run("maxLen 0 is the longest", func(t *testing.T) {
		// Keras: keras.utils.pad_sequences([[1], [2, 3]]) (maxlen=None).
		x, err := PadSequences([][]int{{1}, {2, 3}}, 0, Pre, Pre)
		if err != nil || !reflect.DeepEqual([]int(x.Shape()), []int{2, 2}) || !reflect.DeepEqual(x.Data(), []int32{0, 1, 2, 3}) {
			t.Errorf("PadSequences(maxLen 0) = %v, %v", x, err)
		}
	})
	t.Run("input untouched", func(t *testing.T) {
		in := [][]int{{1, 2, 3, 4}}
		if _, err := PadSequences(in, 2, Pre, Pre); err != nil || !reflect.DeepEqual(in, [][]int{{1, 2, 3, 4}}) {
			t.Errorf("PadSequences changed its input to %v (err %v)", in, err)
		}
	})
}

func TestPadSequencesErrors(t *testing.T) {
	seqs := [][]int{{1, 2, 3}, {4}}
	tests := []struct {
		name       string
		seqs       [][]int
		maxLen     int
		padding    string
		truncating string
		want       error
	}{
		{"negative maxLen", seqs, -1, Pre, Pre, keras.ErrInvalidArgument},
		{"bad padding", seqs, 3, "left", Pre, keras.ErrInvalidArgument},
		{"bad truncating", seqs, 3, Pre, "", keras.ErrInvalidArgument},
		{"too large for int32", [][]int{{math.MaxInt32 + 1}}, 1, Pre, Pre, keras.ErrInvalidArgument},
		{"too small for int32", [][]int{{math.MinInt32 - 1}}, 1, Pre, Pre, keras.ErrInvalidArgument},
		{"no sequences", nil, 3, Pre, Pre, keras.ErrData},
		{"all empty, maxLen 0", [][]int{{}, {}}, 0, Pre, Pre, keras.ErrData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := PadSequences(tt.seqs, tt.maxLen, tt.padding, tt.truncating)
			if !errors.Is(err, tt.want) || x != nil {
				t.Errorf("PadSequences = %v, %v; want an error wrapping %v", x, err, tt.want)
			}
		})
	}
	// A truncated-away id out of range is not an error: Keras converts only what it keeps.
	x, err := PadSequences([][]int{{math.MaxInt32 + 1, 5}}, 1, Pre, Pre)
	if err != nil || !reflect.DeepEqual(x.Data(), []int32{5}) {
		t.Errorf("PadSequences of a truncated large id = %v, %v; want [5]", x, err)
	}
}
