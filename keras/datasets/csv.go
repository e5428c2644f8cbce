package datasets

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"

	"gorgonia.org/tensor"
)

// Table is a CSV file read whole: a header row naming the columns, then rows of exactly as
// many fields. Its methods turn columns into tensors, with errors naming the file, the line and
// the column of a bad value.
type Table struct {
	Name   string     // the file's name, used in errors
	Header []string   // the column names
	Rows   [][]string // the fields of each row after the header
	Lines  []int      // the line in the file where each row starts (1 is the header)
}

// ReadCSV reads the CSV file at path, whose first row names the columns. A row with more or
// fewer fields than the header is an error naming the file, the line and both counts.
func ReadCSV(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	return ParseCSV(f, path)
}

// ParseCSV reads a CSV with a header row from r, as [ReadCSV] does; name is the file's name in
// errors.
func ParseCSV(r io.Reader, name string) (*Table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // counted below, for an error that says what was expected
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("datasets: %s: empty file, expected a header row", name)
	}
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: reading the header: %w", name, err)
	}
	t := &Table{Name: name, Header: header}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("datasets: %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			return nil, fmt.Errorf("datasets: %s line %d: %d columns, expected %d as in the header %v",
				name, line, len(rec), len(header), header)
		}
		t.Rows = append(t.Rows, rec)
		t.Lines = append(t.Lines, line)
	}
}

// Column returns the index of the named column.
func (t *Table) Column(name string) (int, error) {
	if i := slices.Index(t.Header, name); i >= 0 {
		return i, nil
	}
	return 0, fmt.Errorf("datasets: %s: no column %q (the header is %v)", t.Name, name, t.Header)
}

// Floats returns the named columns as a float32 tensor of shape (rows, len(columns)), in the
// order given. A field that is not a number (such as "NA") is an error naming its line and
// column.
func (t *Table) Floats(columns ...string) (*tensor.Dense, error) {
	if len(columns) == 0 {
		return nil, errors.New("datasets: Floats: name at least one column")
	}
	idx := make([]int, len(columns))
	for j, c := range columns {
		i, err := t.Column(c)
		if err != nil {
			return nil, err
		}
		idx[j] = i
	}
	out := make([]float32, 0, len(t.Rows)*len(columns))
	for r, rec := range t.Rows {
		for j, i := range idx {
			v, err := strconv.ParseFloat(rec[i], 32)
			if err != nil {
				return nil, fmt.Errorf("datasets: %s line %d column %s: %q is not a number", t.Name, t.Lines[r], columns[j], rec[i])
			}
			out = append(out, float32(v))
		}
	}
	return tensor.New(tensor.WithShape(len(t.Rows), len(columns)), tensor.WithBacking(out)), nil
}

// Classes returns the named column as class indices: an int tensor of shape (rows,) whose
// values index names, the column's distinct values in sorted order (so the same file always
// gives the same indices). [OneHot] turns the indices into targets for a softmax.
func (t *Table) Classes(column string) (ids *tensor.Dense, names []string, err error) {
	i, err := t.Column(column)
	if err != nil {
		return nil, nil, err
	}
	for _, rec := range t.Rows {
		if !slices.Contains(names, rec[i]) {
			names = append(names, rec[i])
		}
	}
	slices.Sort(names)
	out := make([]int, len(t.Rows))
	for r, rec := range t.Rows {
		out[r], _ = slices.BinarySearch(names, rec[i])
	}
	return tensor.New(tensor.WithShape(len(t.Rows)), tensor.WithBacking(out)), names, nil
}
