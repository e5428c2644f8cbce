package realdata_test

import (
	"sync"
	"testing"

	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/internal/textdata"
	"github.com/kerago/kerago/keras/preprocessing"
	"gorgonia.org/tensor"
)

var (
	emailsOnce sync.Once
	emails     []textdata.Email
	emailsErr  error
)

// loadEmails reads the SpamAssassin corpus once per test binary.
func loadEmails(t *testing.T) []textdata.Email {
	t.Helper()
	p := testenv.DataFile(t, "spamassassin/spamassassin.csv")
	emailsOnce.Do(func() { emails, emailsErr = textdata.ReadSpamAssassin(p) })
	if emailsErr != nil {
		t.Fatal(emailsErr)
	}
	return emails
}

// loadPenguins reads the complete Palmer penguins.
func loadPenguins(t *testing.T) []textdata.Penguin {
	t.Helper()
	ps, err := textdata.ReadPenguins(testenv.DataFile(t, "penguins/penguins_complete.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// tokenized holds the e-mails' subjects and bodies as token lists.
type tokenized struct {
	subjects, bodies [][]string
}

// tokenize splits the first subjectLength tokens of every subject and the first bodyLength
// tokens of every body: what the models see, padded or truncated at the end.
func tokenize(es []textdata.Email, subjectLength, bodyLength int) tokenized {
	var tk tokenized
	for _, e := range es {
		tk.subjects = append(tk.subjects, preprocessing.TokenizeFirst(e.Subject, subjectLength))
		tk.bodies = append(tk.bodies, preprocessing.TokenizeFirst(e.Body, bodyLength))
	}
	return tk
}

// pick returns the elements idx of s.
func pick[T any](s []T, idx []int) []T {
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = s[j]
	}
	return out
}

// encodeAll encodes every document with v.
func encodeAll(v *preprocessing.Vocabulary, docs [][]string) [][]int {
	out := make([][]int, len(docs))
	for i, d := range docs {
		out[i] = v.Encode(d)
	}
	return out
}

// mustPad pads sequences to length (keeping their start) or fails the test.
func mustPad(t *testing.T, seqs [][]int, length int) *tensor.Dense {
	t.Helper()
	x, err := preprocessing.PadSequences(seqs, length, preprocessing.Post, preprocessing.Post)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// floats returns the values of a float32 or float64 tensor.
func floats(t *testing.T, x *tensor.Dense) []float64 {
	t.Helper()
	switch d := x.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	t.Fatalf("expected float data, got %v", x.Dtype())
	return nil
}

// argmaxRows returns the index of the largest value of each row of an (n, k) tensor.
func argmaxRows(t *testing.T, x *tensor.Dense) []int {
	t.Helper()
	v := floats(t, x)
	k := x.Shape()[1]
	out := make([]int, x.Shape()[0])
	for i := range out {
		best := 0
		for j := 1; j < k; j++ {
			if v[i*k+j] > v[i*k+best] {
				best = j
			}
		}
		out[i] = best
	}
	return out
}

// accuracy is the fraction of equal entries.
func accuracy(pred, want []int) float64 {
	n := 0
	for i := range pred {
		if pred[i] == want[i] {
			n++
		}
	}
	return float64(n) / float64(len(pred))
}

// majority returns the share of the most frequent label in train, and its accuracy on test.
func majority(train, test []int) (label int, acc float64) {
	counts := map[int]int{}
	for _, l := range train {
		counts[l]++
	}
	for l, c := range counts {
		if c > counts[label] || (c == counts[label] && l < label) {
			label = l
		}
	}
	n := 0
	for _, l := range test {
		if l == label {
			n++
		}
	}
	return label, float64(n) / float64(len(test))
}

// mse is the mean squared difference.
func mse(pred, want []float64) float64 {
	var s float64
	for i := range pred {
		s += (pred[i] - want[i]) * (pred[i] - want[i])
	}
	return s / float64(len(pred))
}

// meanBaseline is the mse of predicting the training mean on test.
func meanBaseline(train, test []float64) float64 {
	var m float64
	for _, v := range train {
		m += v
	}
	m /= float64(len(train))
	c := make([]float64, len(test))
	for i := range c {
		c[i] = m
	}
	return mse(c, test)
}

// labelsOf returns the e-mails' labels (0 ham, 1 spam).
func labelsOf(es []textdata.Email) []int {
	out := make([]int, len(es))
	for i, e := range es {
		out[i] = e.Label
	}
	return out
}
