package keras

import (
	"bufio"
	"fmt"
	"iter"
	"os"
	"strconv"
	"strings"

	"gorgonia.org/tensor"
)

// FromCSV makes a [Stream] that reads the CSV files at paths line by line, in the order
// given, so a data set far larger than memory trains in the memory of one batch. Every line
// is one row of numbers; column target is its target (target < 0 counts from the end, -1
// being the last column) and the other columns, in order, its features. Each batch holds
// batchSize rows (rows run on across files; the last batch of a pass may hold fewer): X of
// shape (rows, columns-1) and Y of shape (rows,), both float32, so Y suits a sparse
// categorical loss (class ids) as well as a regression. A first line that is not all
// numbers is a header and is skipped, in every file. Every pass reopens the files.
//
// Errors name the file and line: a cell that is not a number, a line with another number of
// columns than the first.
func FromCSV(batchSize, target int, paths ...string) *Stream {
	return &Stream{name: "CSV", pass: func(<-chan struct{}) iter.Seq2[Batch, error] {
		return func(yield func(Batch, error) bool) {
			if batchSize <= 0 {
				yield(Batch{}, fmt.Errorf("keras: FromCSV: %w: batch size must be positive, got %d", ErrInvalidArgument, batchSize))
				return
			}
			if len(paths) == 0 {
				yield(Batch{}, fmt.Errorf("keras: FromCSV: %w: no files", ErrInvalidArgument))
				return
			}
			c := &csvBatcher{bs: batchSize, target: target}
			for _, p := range paths {
				if !c.readFile(p, yield) {
					return
				}
			}
			if c.rows > 0 {
				yield(c.batch(), nil)
			}
		}
	}}
}

// csvBatcher gathers CSV rows into batches.
type csvBatcher struct {
	bs, target int
	cols       int // columns of every row, from the first row read
	x, y       []float32
	rows       int
}

// readFile reads one file, yielding every full batch; it returns false when the loop
// stopped (yield returned false or an error was yielded).
func (c *csvBatcher) readFile(path string, yield func(Batch, error) bool) bool {
	f, err := os.Open(path)
	if err != nil {
		yield(Batch{}, fmt.Errorf("keras: FromCSV: %w", err))
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	line := 0
	var cells []float32
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		cells = cells[:0]
		var bad error
		for _, s := range fields {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 32)
			if err != nil {
				bad = err
				break
			}
			cells = append(cells, float32(v))
		}
		if bad != nil {
			if line == 1 {
				continue // a header
			}
			yield(Batch{}, fmt.Errorf("keras: FromCSV: %s:%d: %w: %v", path, line, ErrData, bad))
			return false
		}
		if c.cols == 0 {
			c.cols = len(cells)
			t := c.target
			if t < 0 {
				t += c.cols
			}
			if c.cols < 2 || t < 0 || t >= c.cols {
				yield(Batch{}, fmt.Errorf("keras: FromCSV: %s:%d: %w: target column %d of %d columns (a row needs a target and at least one feature)", path, line, ErrInvalidArgument, c.target, c.cols))
				return false
			}
			c.target = t
		}
		if len(cells) != c.cols {
			yield(Batch{}, fmt.Errorf("keras: FromCSV: %s:%d: %w: %d columns, the first row had %d", path, line, ErrData, len(cells), c.cols))
			return false
		}
		c.x = append(c.x, cells[:c.target]...)
		c.x = append(c.x, cells[c.target+1:]...)
		c.y = append(c.y, cells[c.target])
		c.rows++
		if c.rows == c.bs && !yield(c.batch(), nil) {
			return false
		}
	}
	if err := sc.Err(); err != nil {
		yield(Batch{}, fmt.Errorf("keras: FromCSV: %s: %w", path, err))
		return false
	}
	return true
}

// batch hands out the rows gathered so far as a Batch and starts a new one; the tensors own
// their data, since a prefetched batch lives on while the next is read.
func (c *csvBatcher) batch() Batch {
	b := Batch{
		X: tensor.New(tensor.WithShape(c.rows, c.cols-1), tensor.WithBacking(c.x)),
		Y: tensor.New(tensor.WithShape(c.rows), tensor.WithBacking(c.y)),
	}
	c.x, c.y, c.rows = nil, nil, 0
	return b
}
