package tensorboard

import (
	"errors"
	"strconv"
	"strings"

	"github.com/kerago/kerago/keras/internal/errs"
)

// Sentinel errors, wrapped in an [*Error] that says where; test them with
// errors.Is. Those that are misuse or a bad file refine the kinds package keras
// exports (keras.ErrInvalidArgument, keras.ErrFileFormat), so errors.Is matches
// those too; ErrClosed is a state of the Writer and refines nothing.
var (
	// ErrClosed: the Writer was closed (or is nil).
	ErrClosed = errors.New("writer is closed")
	// ErrStepOrder: a step not greater than the last step written for the
	// same tag by the same Writer.
	ErrStepOrder = errs.Refine(errs.InvalidArgument, "step does not increase")
	// ErrTag: an empty tag or a tag that is not valid UTF-8.
	ErrTag = errs.Refine(errs.InvalidArgument, "invalid tag")
	// ErrValue: a value TensorBoard cannot show (text that is not UTF-8,
	// a model graph that is not a Keras model JSON object).
	ErrValue = errs.Refine(errs.InvalidArgument, "invalid value")
	// ErrOption: an option with a value out of range.
	ErrOption = errs.Refine(errs.InvalidArgument, "invalid option")
	// ErrCorrupt: an event file with a bad CRC or an undecodable record.
	ErrCorrupt = errs.Refine(errs.FileFormat, "corrupt event file")
	// ErrTruncated: an event file that ends inside a record (TensorBoard
	// treats it as still being written).
	ErrTruncated = errs.Refine(errs.FileFormat, "event file ends inside a record")
)

// Error is the error type of this package: what was being done (Op), to which
// file or directory (Path) and tag, and why. Err is a sentinel above or the
// underlying I/O error; Unwrap returns it.
type Error struct {
	Op   string // "open", "scalar", "histogram", "text", "graph", "flush", "close", "read"
	Path string // event file or directory
	Tag  string // summary tag, if any
	Msg  string // explanation; if empty, Err's text is used
	Err  error
}

// Error formats the error with the operation, path and tag it concerns.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("tensorboard: ")
	b.WriteString(e.Op)
	if e.Tag != "" {
		b.WriteString(" ")
		b.WriteString(strconv.Quote(e.Tag))
	}
	if e.Path != "" {
		b.WriteString(" (")
		b.WriteString(e.Path)
		b.WriteString(")")
	}
	b.WriteString(": ")
	switch {
	case e.Msg != "" && e.Err != nil && !isSentinel(e.Err):
		b.WriteString(e.Msg)
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	case e.Msg != "":
		b.WriteString(e.Msg)
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the sentinel or underlying error.
func (e *Error) Unwrap() error { return e.Err }

// isSentinel reports whether err is one of this package's sentinels, whose
// text the message already says in its own words.
func isSentinel(err error) bool {
	switch err {
	case ErrClosed, ErrStepOrder, ErrTag, ErrValue, ErrOption, ErrCorrupt, ErrTruncated:
		return true
	}
	return false
}
