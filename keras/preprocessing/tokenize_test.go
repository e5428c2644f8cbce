package preprocessing

import (
	"reflect"
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
