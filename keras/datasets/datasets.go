package datasets

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"

	"gorgonia.org/tensor"
)

//go:embed digits.csv
var digitsCSV []byte

//go:embed iris.csv
var irisCSV []byte

// Digits returns the scikit-learn digits: x of shape (1797, 64) with pixel values 0..16 as
// float32, and y of shape (1797,) with the digit 0..9 as int.
func Digits() (x, y *tensor.Dense, err error) { return load("digits.csv", digitsCSV) }

// Iris returns Fisher's irises: x of shape (150, 4) in centimetres as float32, and y of shape
// (150,) with the species 0..2 as int.
func Iris() (x, y *tensor.Dense, err error) { return load("iris.csv", irisCSV) }

// load parses a CSV whose last column is the integer target.
func load(name string, data []byte) (*tensor.Dense, *tensor.Dense, error) {
	r := csv.NewReader(bytes.NewReader(data))
	header, err := r.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("datasets: %s: %w", name, err)
	}
	nf := len(header) - 1
	var xs []float32
	var ys []int
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("datasets: %s: %w", name, err)
		}
		for _, f := range rec[:nf] {
			v, err := strconv.ParseFloat(f, 32)
			if err != nil {
				return nil, nil, fmt.Errorf("datasets: %s line %d: %w", name, line, err)
			}
			xs = append(xs, float32(v))
		}
		c, err := strconv.Atoi(rec[nf])
		if err != nil {
			return nil, nil, fmt.Errorf("datasets: %s line %d: %w", name, line, err)
		}
		ys = append(ys, c)
	}
	n := len(ys)
	return tensor.New(tensor.WithShape(n, nf), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(n), tensor.WithBacking(ys)), nil
}

// OneHot encodes class indices (an int vector) as a float32 matrix of the given number of
// classes.
func OneHot(y *tensor.Dense, classes int) (*tensor.Dense, error) {
	ids, ok := y.Data().([]int)
	if !ok {
		return nil, fmt.Errorf("datasets: OneHot needs int class indices, got %v", y.Dtype())
	}
	out := make([]float32, len(ids)*classes)
	for i, c := range ids {
		if c < 0 || c >= classes {
			return nil, fmt.Errorf("datasets: class %d at row %d is outside [0, %d)", c, i, classes)
		}
		out[i*classes+c] = 1
	}
	return tensor.New(tensor.WithShape(len(ids), classes), tensor.WithBacking(out)), nil
}

// Split returns rows [0, at) and [at, n) of x, sharing its data.
func Split(x *tensor.Dense, at int) (*tensor.Dense, *tensor.Dense, error) {
	s := x.Shape()
	if at <= 0 || at >= s[0] {
		return nil, nil, fmt.Errorf("datasets: cannot split %d rows at %d", s[0], at)
	}
	per := s.TotalSize() / s[0]
	head := s.Clone()
	head[0] = at
	tail := s.Clone()
	tail[0] = s[0] - at
	switch d := x.Data().(type) {
	case []float32:
		return tensor.New(tensor.WithShape(head...), tensor.WithBacking(d[:at*per])),
			tensor.New(tensor.WithShape(tail...), tensor.WithBacking(d[at*per:])), nil
	case []int:
		return tensor.New(tensor.WithShape(head...), tensor.WithBacking(d[:at*per])),
			tensor.New(tensor.WithShape(tail...), tensor.WithBacking(d[at*per:])), nil
	}
	return nil, nil, fmt.Errorf("datasets: Split: unsupported dtype %v", x.Dtype())
}

// Shuffle returns copies of x and y (same number of rows) with their rows in one random order
// drawn from seed, as scikit-learn's train_test_split shuffles before splitting.
func Shuffle(x, y *tensor.Dense, seed uint64) (*tensor.Dense, *tensor.Dense, error) {
	n := x.Shape()[0]
	if y.Shape()[0] != n {
		return nil, nil, fmt.Errorf("datasets: Shuffle: x has %d rows, y %d", n, y.Shape()[0])
	}
	perm := rand.New(rand.NewPCG(seed, seed^0x5eed)).Perm(n)
	xs, err := permuteRows(x, perm)
	if err != nil {
		return nil, nil, err
	}
	ys, err := permuteRows(y, perm)
	if err != nil {
		return nil, nil, err
	}
	return xs, ys, nil
}

func permuteRows(t *tensor.Dense, perm []int) (*tensor.Dense, error) {
	s := t.Shape().Clone()
	per := s.TotalSize() / s[0]
	switch d := t.Data().(type) {
	case []float32:
		out := make([]float32, len(d))
		for r, p := range perm {
			copy(out[r*per:(r+1)*per], d[p*per:(p+1)*per])
		}
		return tensor.New(tensor.WithShape(s...), tensor.WithBacking(out)), nil
	case []int:
		out := make([]int, len(d))
		for r, p := range perm {
			copy(out[r*per:(r+1)*per], d[p*per:(p+1)*per])
		}
		return tensor.New(tensor.WithShape(s...), tensor.WithBacking(out)), nil
	}
	return nil, fmt.Errorf("datasets: unsupported dtype %v", t.Dtype())
}

// DigitsPrepared returns the digits ready for a softmax classifier: rows shuffled with seed
// (so that a held-out tail, as ValidationSplit takes, has every digit), pixels scaled from
// 0..16 to [0, 1], and targets one-hot encoded over the 10 classes.
func DigitsPrepared(seed uint64) (x, y *tensor.Dense, err error) {
	if x, y, err = Digits(); err != nil {
		return nil, nil, err
	}
	if x, y, err = Shuffle(x, y, seed); err != nil {
		return nil, nil, err
	}
	pixels := x.Data().([]float32)
	for i := range pixels {
		pixels[i] /= 16
	}
	if y, err = OneHot(y, 10); err != nil {
		return nil, nil, err
	}
	return x, y, nil
}
