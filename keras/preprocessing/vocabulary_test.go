package preprocessing

import (
	"errors"
	"reflect"
	"testing"

	"github.com/kerago/kerago/keras"
)

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
	if _, err := NewVocabulary(docs, 1); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("NewVocabulary(size 1): %v, want an error wrapping keras.ErrInvalidArgument", err)
	}
}
