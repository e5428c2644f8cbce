package preprocessing

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/kerago/kerago/keras"
)

// Reserved ids of every [Vocabulary].
const (
	PadID     = 0 // padding, masked by an Embedding with MaskZero(true)
	UnknownID = 1 // a word outside the vocabulary (Keras's OOV token "[UNK]")
)

// Vocabulary maps words to ids: [PadID] is padding, [UnknownID] an unknown word, and 2, 3, ...
// the known words from the most to the least frequent.
type Vocabulary struct {
	ids   map[string]int
	words []string // words[id]; "" for the reserved ids
}

// NewVocabulary returns the vocabulary of size ids (the two reserved ones included, as
// TextVectorization's max_tokens) built from the documents' tokens: the size-2 most frequent
// words, ties broken alphabetically so the result does not depend on map order. A vocabulary
// may be smaller than size when the documents have fewer distinct words. It returns an error
// wrapping keras.ErrInvalidArgument when size is below 2.
func NewVocabulary(docs [][]string, size int) (*Vocabulary, error) {
	if size < 2 {
		return nil, fmt.Errorf("preprocessing: NewVocabulary: %w: a vocabulary needs at least the 2 reserved ids (padding, unknown), got size %d", keras.ErrInvalidArgument, size)
	}
	counts := map[string]int{}
	for _, d := range docs {
		for _, w := range d {
			counts[w]++
		}
	}
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	slices.SortFunc(words, func(a, b string) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), strings.Compare(a, b))
	})
	if len(words) > size-2 {
		words = words[:size-2]
	}
	v := &Vocabulary{ids: make(map[string]int, len(words)), words: append([]string{"", ""}, words...)}
	for i, w := range words {
		v.ids[w] = i + 2
	}
	return v, nil
}

// Size returns the number of ids, the reserved ones included: an Embedding over this
// vocabulary has Size() rows.
func (v *Vocabulary) Size() int { return len(v.words) }

// ID returns the id of word, [UnknownID] when it is not in the vocabulary.
func (v *Vocabulary) ID(word string) int {
	if id, ok := v.ids[word]; ok {
		return id
	}
	return UnknownID
}

// Word returns the word of id, "" for the reserved ids and ids out of range.
func (v *Vocabulary) Word(id int) string {
	if id < 0 || id >= len(v.words) {
		return ""
	}
	return v.words[id]
}

// Encode returns the ids of tokens.
func (v *Vocabulary) Encode(tokens []string) []int {
	out := make([]int, len(tokens))
	for i, w := range tokens {
		out[i] = v.ID(w)
	}
	return out
}
