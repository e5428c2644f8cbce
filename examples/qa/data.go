package main

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"gorgonia.org/tensor"
)

// email is one message of the SpamAssassin corpus.
type email struct {
	spam          bool
	subject, body string
}

// findFile returns dir/data/rel or dir/rel, whichever exists: dir may be the team's shared
// directory or its data folder.
func findFile(dir, rel string) (string, error) {
	for _, p := range []string{filepath.Join(dir, "data", rel), filepath.Join(dir, rel)} {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fmt.Errorf("no %s under %s (pass -data, the directory holding data/%s)", rel, dir, rel)
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

// firstTokens returns the first n lowercase words (runs of letters and digits) of s.
func firstTokens(s string, n int) []string {
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

// vocabulary maps the size-2 most frequent words of docs to ids 2, 3, ...; 0 is padding and
// 1 any other word.
func vocabulary(docs [][]string, size int) map[string]int32 {
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
	ids := map[string]int32{}
	for i, w := range words[:min(len(words), size-2)] {
		ids[w] = int32(i + 2)
	}
	return ids
}

// padded encodes docs with vocab into an int32 tensor of shape (len(docs), length), padding
// with 0 at the end (docs are already at most length long).
func padded(docs [][]string, vocab map[string]int32, length int) *tensor.Dense {
	out := make([]int32, len(docs)*length)
	for i, d := range docs {
		for j, w := range d[:min(len(d), length)] {
			id, ok := vocab[w]
			if !ok {
				id = 1
			}
			out[i*length+j] = id
		}
	}
	return tensor.New(tensor.WithShape(len(docs), length), tensor.WithBacking(out))
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
