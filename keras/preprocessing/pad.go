package preprocessing

import (
	"fmt"
	"math"

	"github.com/kerago/kerago/keras"
	"gorgonia.org/tensor"
)

// The sides of a sequence, for the padding and truncating arguments of [PadSequences].
const (
	Pre  = "pre"  // at the start of the sequence (Keras's default for both arguments)
	Post = "post" // at the end of the sequence
)

// PadSequences returns seqs as an int32 tensor of shape (len(seqs), maxLen), as Keras's
// keras.utils.pad_sequences(seqs, maxlen, padding=padding, truncating=truncating) with
// value 0 and dtype int32:
//
//   - a sequence shorter than maxLen gets 0s on the padding side: [Pre] (before it) or [Post]
//     (after it);
//   - a sequence longer than maxLen loses ids on the truncating side: [Pre] keeps its last
//     maxLen ids, [Post] its first maxLen;
//   - maxLen 0 stands for Keras's maxlen=None: the length of the longest sequence.
//
// Keras's default is [Pre] for both sides; a model reading the sequences left to right with
// a mask (Embedding with MaskZero(true)) works with either.
//
// It returns an error wrapping keras.ErrInvalidArgument when padding or truncating is not
// "pre" or "post", maxLen is negative, or an id it keeps does not fit in an int32 (Keras's
// numpy raises OverflowError), and one wrapping keras.ErrData when there is no sequence, or
// when maxLen is 0 and every sequence is empty: Keras returns an empty array of shape
// (0, maxlen) or (n, 0) there, which a tensor cannot hold.
func PadSequences(seqs [][]int, maxLen int, padding, truncating string) (*tensor.Dense, error) {
	for _, arg := range []struct{ name, value string }{{"padding", padding}, {"truncating", truncating}} {
		if arg.value != Pre && arg.value != Post {
			return nil, fmt.Errorf("preprocessing: PadSequences: %w: %s %q is not %q or %q", keras.ErrInvalidArgument, arg.name, arg.value, Pre, Post)
		}
	}
	if maxLen < 0 {
		return nil, fmt.Errorf("preprocessing: PadSequences: %w: maxLen %d is negative (0 pads to the longest sequence)", keras.ErrInvalidArgument, maxLen)
	}
	if len(seqs) == 0 {
		return nil, fmt.Errorf("preprocessing: PadSequences: %w: no sequences", keras.ErrData)
	}
	if maxLen == 0 {
		for _, s := range seqs {
			maxLen = max(maxLen, len(s))
		}
		if maxLen == 0 {
			return nil, fmt.Errorf("preprocessing: PadSequences: %w: all %d sequences are empty and maxLen is 0; pass a positive maxLen", keras.ErrData, len(seqs))
		}
	}
	out := make([]int32, len(seqs)*maxLen)
	for i, s := range seqs {
		if len(s) > maxLen {
			if truncating == Pre {
				s = s[len(s)-maxLen:]
			} else {
				s = s[:maxLen]
			}
		}
		row := out[i*maxLen : (i+1)*maxLen]
		if padding == Pre {
			row = row[maxLen-len(s):]
		}
		for j, id := range s {
			if id < math.MinInt32 || id > math.MaxInt32 {
				return nil, fmt.Errorf("preprocessing: PadSequences: %w: sequence %d holds %d, outside the int32 range", keras.ErrInvalidArgument, i, id)
			}
			row[j] = int32(id)
		}
	}
	return tensor.New(tensor.WithShape(len(seqs), maxLen), tensor.WithBacking(out)), nil
}
