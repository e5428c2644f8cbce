package keras

import (
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// Default names follow Keras 3: the snake-cased class name, then _1, _2, ... from a counter
// that is global to the process (keras.backend.clear_session resets it; here SetRandomSeed).
var (
	namesMu sync.Mutex
	names   = map[string]int{}
)

func resetNames() {
	namesMu.Lock()
	names = map[string]int{}
	namesMu.Unlock()
}

// UniqueName returns the next default name for prefix: "dense", then "dense_1", "dense_2" ...
func UniqueName(prefix string) string {
	namesMu.Lock()
	defer namesMu.Unlock()
	n := names[prefix]
	names[prefix] = n + 1
	if n == 0 {
		return prefix
	}
	return prefix + "_" + strconv.Itoa(n)
}

// SnakeCase converts a Keras class name to its default layer-name prefix as Keras 3 does:
// LSTM → lstm, Conv1D → conv1d, GlobalMaxPooling1D → global_max_pooling1d,
// BatchNormalization → batch_normalization.
func SnakeCase(class string) string {
	r := []rune(class)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) {
			// An upper-case letter starts a word when it follows a lower-case letter or digit
			// that is not part of a trailing "1D"/"2D" suffix, or precedes a lower-case letter
			// after an upper-case run.
			prevLower := i > 0 && (unicode.IsLower(r[i-1]))
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1]) && i > 0 && unicode.IsUpper(r[i-1])
			if i > 0 && (prevLower || nextLower) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(c))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
