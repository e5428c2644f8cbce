package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"

	"github.com/kerago/kerago/keras/preprocessing"
	"gorgonia.org/tensor"
)

// email is one message of the SpamAssassin corpus.
type email struct {
	spam          bool
	subject, body string
}

// readEmails reads spamassassin.csv (label, group, id, subject, body).
func readEmails(path string) ([]email, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 5
	if _, err := r.Read(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []email
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		label, err := strconv.Atoi(rec[0])
		if err != nil {
			return nil, fmt.Errorf("%s: label %q: %w", path, rec[0], err)
		}
		out = append(out, email{spam: label == 1, subject: rec[3], body: rec[4]})
	}
}

// encode turns docs into the ids of vocab, padded with 0 (or cut) at the end to length: an
// int32 tensor of shape (len(docs), length) for an Embedding with MaskZero(true).
func encode(docs [][]string, vocab *preprocessing.Vocabulary, length int) (*tensor.Dense, error) {
	seqs := make([][]int, len(docs))
	for i, d := range docs {
		seqs[i] = vocab.Encode(d)
	}
	return preprocessing.PadSequences(seqs, length, preprocessing.Post, preprocessing.Post)
}

// split returns a random partition of 0..n-1 into training and test rows.
func split(n int, testFraction float64, seed uint64) (train, test []int) {
	perm := rand.New(rand.NewPCG(seed, seed^0x5eed)).Perm(n)
	nTest := int(float64(n) * testFraction)
	return perm[nTest:], perm[:nTest]
}

// pick returns the elements idx of s.
func pick[T any](s []T, idx []int) []T {
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = s[j]
	}
	return out
}
