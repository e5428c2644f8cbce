package main

import (
	"github.com/kerago/kerago/keras/preprocessing"
	"gorgonia.org/tensor"
)

// encode turns docs into the ids of vocab, padded with 0 (or cut) at the end to length: an
// int32 tensor of shape (len(docs), length) for an Embedding with MaskZero(true).
func encode(docs [][]string, vocab *preprocessing.Vocabulary, length int) (*tensor.Dense, error) {
	seqs := make([][]int, len(docs))
	for i, d := range docs {
		seqs[i] = vocab.Encode(d)
	}
	return preprocessing.PadSequences(seqs, length, preprocessing.Post, preprocessing.Post)
}
