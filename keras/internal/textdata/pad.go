package textdata

import (
	"fmt"

	"gorgonia.org/tensor"
)

// Side says at which end of a sequence Pad adds padding or removes extra ids, as Keras's
// pad_sequences arguments padding and truncating.
type Side string

// The two sides.
const (
	Pre  Side = "pre"  // at the start
	Post Side = "post" // at the end
)

// Pad returns the sequences as an int32 tensor of shape (len(seqs), length), as Keras's
// pad_sequences: a shorter sequence gets PadID on the padding side, a longer one loses its ids
// on the truncating side. Keras's defaults are Pre for both.
func Pad(seqs [][]int, length int, padding, truncating Side) (*tensor.Dense, error) {
	if length <= 0 {
		return nil, fmt.Errorf("textdata: Pad: length must be positive, got %d", length)
	}
	for _, s := range []Side{padding, truncating} {
		if s != Pre && s != Post {
			return nil, fmt.Errorf("textdata: Pad: side %q is not %q or %q", s, Pre, Post)
		}
	}
	if len(seqs) == 0 {
		return nil, fmt.Errorf("textdata: Pad: no sequences")
	}
	out := make([]int32, len(seqs)*length)
	for i, s := range seqs {
		if len(s) > length {
			if truncating == Pre {
				s = s[len(s)-length:]
			} else {
				s = s[:length]
			}
		}
		row := out[i*length : (i+1)*length]
		if padding == Pre {
			row = row[length-len(s):]
		}
		for j, id := range s {
			row[j] = int32(id)
		}
	}
	return tensor.New(tensor.WithShape(len(seqs), length), tensor.WithBacking(out)), nil
}
