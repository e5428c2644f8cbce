package preprocessing

import (
	"math"
	"strings"
	"unicode"
)

// Tokenize splits s into lowercase word tokens: maximal runs of letters and digits (Unicode
// classes L and N), each lowercased. Everything else (spaces, punctuation, symbols) separates
// tokens and is dropped.
//
// It is close to, not the same as, Keras's TextVectorization with its default standardize
// ("lower_and_strip_punctuation") and split ("whitespace"): Keras deletes punctuation inside
// a word ("don't" becomes "dont", "e-mail" "email") where Tokenize splits there ("don", "t").
func Tokenize(s string) []string { return TokenizeFirst(s, math.MaxInt) }

// TokenizeFirst returns the first n tokens of s as [Tokenize] splits it (all of them when there
// are fewer), reading no further than needed: a long e-mail body costs only its start. Feeding
// them to [PadSequences] with maxLen n and truncating [Post] gives the same ids as tokenizing
// all of s.
func TokenizeFirst(s string, n int) []string {
	var out []string
	start := -1
	for i, r := range s {
		if len(out) >= n {
			return out
		}
		word := unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			out = append(out, strings.ToLower(s[start:i]))
			start = -1
		}
	}
	if start >= 0 && len(out) < n {
		out = append(out, strings.ToLower(s[start:]))
	}
	return out
}
