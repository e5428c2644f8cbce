package callbacks

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kerago/kerago/keras"
)

// CSVLoggerCallback writes the epoch logs to a CSV file. Make one with [CSVLogger].
type CSVLoggerCallback struct {
	keras.BaseCallback

	err    error
	path   string
	sep    string
	append bool

	file   *os.File
	keys   []string
	header bool
}

var _ keras.Callback = (*CSVLoggerCallback)(nil)

// CSVLogger returns Keras 3's CSVLogger callback: it writes one row per epoch to the file at
// path, byte for byte as Keras does. The columns are "epoch" (counted from 0) and the names
// of the first epoch's logs in alphabetical order; when those hold no "val_" name, a "val_"
// column is added for each, so validation results logged later have a place. A missing value
// is written "NA"; numbers are written as Python's str(float) writes them ("0.1", "1e-05",
// "1.0", "nan"); rows end with "\r\n" as Python's csv module ends them, and fields holding
// the separator or a quote are quoted. The file is flushed every epoch and closed when
// training ends.
//
// Options: [Separator] (","; one character) and [Append] (false: the file is overwritten;
// true: rows are appended, and the header is written only when the file is missing or its
// first line is empty).
func CSVLogger(path string, opts ...Option) *CSVLoggerCallback {
	const cls = "CSVLogger"
	o := (&options{separator: ","}).apply(opts)
	c := &CSVLoggerCallback{path: path, sep: o.separator, append: o.append}
	errs := []error{checkTaken(cls, o, "Separator", "Append")}
	if path == "" {
		errs = append(errs, invalid(cls, "the file path is empty"))
	}
	if utf8.RuneCountInString(o.separator) != 1 || strings.ContainsAny(o.separator, "\"\r\n") {
		errs = append(errs, invalid(cls, "Separator(%q) must be one character other than a quote or a line break", o.separator))
	}
	c.err = errors.Join(errs...)
	return c
}

// Err returns the problem with the arguments, if any; Fit returns it too.
func (c *CSVLoggerCallback) Err() error { return c.err }

// OnTrainBegin opens the file: truncated, or for appending with Append(true).
func (c *CSVLoggerCallback) OnTrainBegin(keras.Logs) error {
	if c.err != nil {
		return c.err
	}
	c.close()
	c.keys, c.header = nil, true
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if c.append {
		flags = os.O_WRONLY | os.O_CREATE | os.O_APPEND
		if f, err := os.Open(c.path); err == nil {
			line, _ := bufio.NewReader(f).ReadString('\n')
			f.Close()
			c.header = line == ""
		}
	}
	f, err := os.OpenFile(c.path, flags, 0o644)
	if err != nil {
		return &Error{Callback: "CSVLogger", Err: err}
	}
	c.file = f
	return nil
}

// OnEpochEnd writes the epoch's row (and the header after the first epoch of a new file).
func (c *CSVLoggerCallback) OnEpochEnd(epoch int, logs keras.Logs) error {
	if c.err != nil {
		return c.err
	}
	if c.file == nil {
		return &Error{Callback: "CSVLogger", Err: fmt.Errorf("%s is not open: OnTrainBegin was not called", c.path)}
	}
	var b strings.Builder
	if c.keys == nil {
		c.keys = logs.SortedKeys()
		hasVal := false
		for _, k := range c.keys {
			hasVal = hasVal || strings.HasPrefix(k, "val_")
		}
		if !hasVal {
			for _, k := range c.keys[:len(c.keys):len(c.keys)] {
				c.keys = append(c.keys, "val_"+k)
			}
		}
		if c.header {
			c.writeRow(&b, append([]string{"epoch"}, c.keys...))
		}
	}
	row := make([]string, 0, len(c.keys)+1)
	row = append(row, strconv.Itoa(epoch))
	for _, k := range c.keys {
		if v, ok := logs[k]; ok {
			row = append(row, pyRepr(v))
		} else {
			row = append(row, "NA")
		}
	}
	c.writeRow(&b, row)
	if _, err := c.file.WriteString(b.String()); err != nil {
		return &Error{Callback: "CSVLogger", Err: err}
	}
	return nil
}

// OnTrainEnd closes the file.
func (c *CSVLoggerCallback) OnTrainEnd(keras.Logs) error {
	if err := c.close(); err != nil {
		return &Error{Callback: "CSVLogger", Err: err}
	}
	return nil
}

func (c *CSVLoggerCallback) close() error {
	if c.file == nil {
		return nil
	}
	err := c.file.Close()
	c.file = nil
	return err
}

// writeRow writes fields as Python's csv.excel dialect does (QUOTE_MINIMAL, "\r\n").
func (c *CSVLoggerCallback) writeRow(b *strings.Builder, fields []string) {
	for i, f := range fields {
		if i > 0 {
			b.WriteString(c.sep)
		}
		if strings.Contains(f, c.sep) || strings.ContainsAny(f, "\"\r\n") || (f == "" && len(fields) == 1) {
			b.WriteString(`"` + strings.ReplaceAll(f, `"`, `""`) + `"`)
		} else {
			b.WriteString(f)
		}
	}
	b.WriteString("\r\n")
}
