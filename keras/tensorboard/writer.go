package tensorboard

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Defaults of the options, TensorFlow's (tf.summary.create_file_writer:
// max_queue=10, flush_millis=120000).
const (
	DefaultFlushInterval = 120 * time.Second
	DefaultMaxQueue      = 10
)

// fileCounter numbers the files this process opens, as TensorFlow's
// file_id_counter does (tensorflow/core/summary/summary_file_writer.cc).
var fileCounter atomic.Int64

// Option configures a [Writer] made by [New]. Options only record values;
// New reports the first bad one.
type Option func(*config)

type config struct {
	flushInterval time.Duration
	maxQueue      int
	err           error
}

// FlushInterval sets the longest time an event waits in the buffer before it
// is written to the file (default 120 s, TensorFlow's flush_millis). 0 writes
// every event through at once; a negative interval is an error.
func FlushInterval(d time.Duration) Option {
	return func(c *config) {
		if d < 0 && c.err == nil {
			c.err = fmt.Errorf("FlushInterval(%v): the interval must be 0 or more", d)
		}
		c.flushInterval = d
	}
}

// MaxQueue sets how many events may wait in the buffer: the buffer is
// flushed when more than n are pending (default 10, TensorFlow's max_queue).
// 0 writes every event through at once; a negative n is an error.
func MaxQueue(n int) Option {
	return func(c *config) {
		if n < 0 && c.err == nil {
			c.err = fmt.Errorf("MaxQueue(%d): the queue length must be 0 or more", n)
		}
		c.maxQueue = n
	}
}

// Writer writes summaries to one TensorBoard event file. Steps must increase
// per tag: a write at a step not after the tag's last one fails with
// [ErrStepOrder] and writes nothing (see the package documentation). Its
// methods may be called from several goroutines; each call is atomic. Call
// [Writer.Close] when done, or the last events may stay in the buffer.
type Writer struct {
	mu       sync.Mutex
	path     string
	f        *os.File
	bw       *bufio.Writer
	cfg      config
	last     map[string]int64 // last step written per tag
	pending  int              // events in bw not yet flushed
	timer    *time.Timer      // flushes pending events after FlushInterval
	timerGen uint64           // identifies the armed timer
	closed   bool
	err      error            // sticky: the first failed write or flush
	now      func() time.Time // clock, replaced in tests
	scratch  [3][]byte        // tensor, value, event buffers reused per call
}

// NewWriter creates dir (and its parents) if needed and opens a new event
// file in it with the default options (see [New]).
func NewWriter(dir string) (*Writer, error) {
	return New(dir)
}

// New creates dir (and its parents) if needed and opens a new event file in
// it, named as TensorFlow 2's summary writer names it:
// events.out.tfevents.<10-digit unix seconds>.<hostname>.<pid>.<n>.v2 (n
// zero-padded to 6 digits, so a directory's files sort in creation order). It
// writes and flushes the file_version record at once, so TensorBoard sees
// the run immediately. An existing file is never appended to.
func New(dir string, opts ...Option) (*Writer, error) {
	cfg := config{flushInterval: DefaultFlushInterval, maxQueue: DefaultMaxQueue}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.err != nil {
		return nil, &Error{Op: "open", Path: dir, Msg: cfg.err.Error(), Err: ErrOption}
	}
	if dir == "" {
		return nil, &Error{Op: "open", Msg: "empty log directory name; give a directory such as \"logs/train\"", Err: ErrOption}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, &Error{Op: "open", Path: dir, Msg: "cannot create the log directory", Err: err}
	}
	w := &Writer{cfg: cfg, last: make(map[string]int64), now: time.Now}
	now := w.now()
	host := hostname()
	var f *os.File
	for attempt := 0; ; attempt++ {
		// The counter is zero-padded so that the files one process opens in a
		// directory within one second still sort in creation order, the order
		// TensorBoard reads them in (9 < 10, but "10" < "9").
		name := fmt.Sprintf("events.out.tfevents.%010d.%s.%d.%06d.v2",
			now.Unix(), host, os.Getpid(), fileCounter.Add(1)-1)
		path := filepath.Join(dir, name)
		var err error
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			w.path = path
			break
		}
		if !errors.Is(err, os.ErrExist) || attempt >= 100 {
			return nil, &Error{Op: "open", Path: path, Msg: "cannot create the event file", Err: err}
		}
	}
	w.f = f
	w.bw = bufio.NewWriterSize(f, 64<<10)
	err := w.writeRecord(appendHeaderEvent(nil, wallTime(now)))
	if err == nil {
		err = w.bw.Flush()
	}
	if err != nil {
		f.Close()
		os.Remove(w.path)
		return nil, &Error{Op: "open", Path: w.path, Msg: "cannot write the file_version record", Err: err}
	}
	return w, nil
}

// hostname returns the host name as TensorFlow puts it in file names, made
// safe for a file name.
func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "localhost"
	}
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 || r == os.PathSeparator {
			return '_'
		}
		return r
	}, h)
}

// wallTime is t in seconds since the epoch at TensorFlow's microsecond
// resolution.
func wallTime(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

// Path returns the path of the event file.
func (w *Writer) Path() string {
	if w == nil {
		return ""
	}
	return w.path
}

// Scalar writes value for tag at step as tf.summary.scalar does: a rank-0
// DT_FLOAT tensor with the "scalars" plugin. The value is converted to
// float32 as TensorFlow casts it (magnitudes above the float32 range become
// ±Inf); NaN and ±Inf are written as they are.
func (w *Writer) Scalar(tag string, step int64, value float64) error {
	return w.write("scalar", tag, step, func(t []byte) ([]byte, string, string) {
		return appendScalarTensor(t, float32(value)), pluginScalars, ""
	})
}

// Histogram writes the distribution of values for tag at step as
// tf.summary.histogram does: a [30,3] DT_DOUBLE tensor of (left edge, right
// edge, count) rows with the "histograms" plugin, bucketed by
// [HistogramBuckets] with [DefaultBuckets] buckets. NaN and ±Inf values are
// left out of the counts.
func (w *Writer) Histogram(tag string, step int64, values []float64) error {
	return w.write("histogram", tag, step, func(t []byte) ([]byte, string, string) {
		return appendHistogramTensor(t, HistogramBuckets(values, DefaultBuckets)), pluginHistograms, ""
	})
}

// Text writes text for tag at step as tf.summary.text does: a rank-0
// DT_STRING tensor with the "text" plugin (TensorBoard renders it as
// Markdown). The text must be valid UTF-8.
func (w *Writer) Text(tag string, step int64, text string) error {
	if err := w.checkTag("text", tag); err != nil {
		return err
	}
	if !utf8.ValidString(text) {
		return w.fail("text", tag, "the text is not valid UTF-8; TensorBoard's text plugin cannot decode it", ErrValue)
	}
	return w.write("text", tag, step, func(t []byte) ([]byte, string, string) {
		return appendStringTensor(t, []byte(text)), pluginText, ""
	})
}

// Graph writes a Keras model's JSON (what model.to_json() returns in Keras,
// {"class_name": ..., "config": {"name": ..., "layers": [...]}, ...}) as
// Keras's TensorBoard callback does with write_graph=True: tag "keras", step
// 0, a rank-0 DT_STRING tensor with the "graph_keras_model" plugin, content
// "1". TensorBoard's Graphs dashboard draws it as the model's conceptual
// graph. Write it once per file: a second call fails with [ErrStepOrder].
func (w *Writer) Graph(modelJSON []byte) error {
	if err := checkModelJSON(modelJSON); err != nil {
		return w.fail("graph", kerasModelTag, err.Error(), ErrValue)
	}
	return w.write("graph", kerasModelTag, 0, func(t []byte) ([]byte, string, string) {
		return appendStringTensor(t, modelJSON), pluginKerasModel, kerasModelCont
	})
}

// checkModelJSON checks what TensorBoard's graph plugin needs at the top
// level of a Keras model JSON: an object with a "config" object.
func checkModelJSON(b []byte) error {
	if !utf8.Valid(b) {
		return errors.New("the model JSON is not valid UTF-8")
	}
	var m struct {
		ClassName any                        `json:"class_name"`
		Config    map[string]json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("the model JSON is not a JSON object as Keras's model.to_json() writes: %v", err)
	}
	if m.Config == nil {
		return errors.New(`the model JSON has no "config" object; want {"class_name": ..., "config": {"name": ..., "layers": [...]}}`)
	}
	return nil
}

// checkTag rejects the tags TensorBoard cannot use.
func (w *Writer) checkTag(op, tag string) error {
	switch {
	case tag == "":
		return w.fail(op, tag, "empty tag; give the series a name such as \"epoch_loss\"", ErrTag)
	case !utf8.ValidString(tag):
		return w.fail(op, tag, "the tag is not valid UTF-8; TensorBoard would reject the whole file", ErrTag)
	}
	return nil
}

// fail returns an *Error for op on tag without touching the file.
func (w *Writer) fail(op, tag, msg string, err error) error {
	return &Error{Op: op, Path: w.Path(), Tag: tag, Msg: msg, Err: err}
}

// write checks tag and step, then encodes one summary value with value
// (which returns the tensor, plugin name and plugin content) and buffers the
// event.
func (w *Writer) write(op, tag string, step int64, value func(tensor []byte) ([]byte, string, string)) error {
	if w == nil {
		return &Error{Op: op, Tag: tag, Err: ErrClosed}
	}
	if err := w.checkTag(op, tag); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.fail(op, tag, "", ErrClosed)
	}
	if w.err != nil {
		return w.fail(op, tag, "an earlier write to the file failed", w.err)
	}
	if last, ok := w.last[tag]; ok && step <= last {
		return w.fail(op, tag, fmt.Sprintf("step %d is not after step %d, the last one written for this tag; "+
			"TensorBoard would discard the points from step %d on, so nothing was written: write steps in increasing order",
			step, last, step), ErrStepOrder)
	}
	tensor, plugin, content := value(w.scratch[0][:0])
	val := appendValue(w.scratch[1][:0], tag, tensor, plugin, content)
	ev := appendSummaryEvent(w.scratch[2][:0], wallTime(w.now()), step, val)
	w.scratch[0], w.scratch[1], w.scratch[2] = tensor, val, ev
	if err := w.writeRecord(ev); err != nil {
		return w.fail(op, tag, "cannot write the event", err)
	}
	w.last[tag] = step
	w.pending++
	switch {
	case w.pending > w.cfg.maxQueue || w.cfg.flushInterval == 0:
		if err := w.flushLocked(); err != nil {
			return w.fail(op, tag, "cannot flush the event file", err)
		}
	case w.timer == nil:
		w.timerGen++
		gen := w.timerGen
		w.timer = time.AfterFunc(w.cfg.flushInterval, func() { w.timedFlush(gen) })
	}
	return nil
}

// writeRecord frames data as a TFRecord into the buffer. A failure is sticky.
func (w *Writer) writeRecord(data []byte) error {
	var hdr [12]byte
	binary.LittleEndian.PutUint64(hdr[:8], uint64(len(data)))
	binary.LittleEndian.PutUint32(hdr[8:], maskedCRC(hdr[:8]))
	var crc [4]byte
	binary.LittleEndian.PutUint32(crc[:], maskedCRC(data))
	for _, p := range [][]byte{hdr[:], data, crc[:]} {
		if _, err := w.bw.Write(p); err != nil {
			w.err = err
			return err
		}
	}
	return nil
}

// timedFlush runs when the FlushInterval timer armed as generation gen fires.
func (w *Writer) timedFlush(gen uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed || w.timer == nil || gen != w.timerGen || w.err != nil {
		return
	}
	w.flushLocked() // a failure is sticky and reported by the next call
}

// flushLocked writes the buffer to the file and disarms the timer.
func (w *Writer) flushLocked() error {
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	if err := w.bw.Flush(); err != nil {
		w.err = err
		return err
	}
	w.pending = 0
	return nil
}

// Flush writes the buffered events to the file, where TensorBoard reads them.
// It does not fsync; [Writer.Close] does.
func (w *Writer) Flush() error {
	if w == nil {
		return &Error{Op: "flush", Err: ErrClosed}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.closed:
		return w.fail("flush", "", "", ErrClosed)
	case w.err != nil:
		return w.fail("flush", "", "an earlier write to the file failed", w.err)
	}
	if err := w.flushLocked(); err != nil {
		return w.fail("flush", "", "cannot flush the event file", err)
	}
	return nil
}

// Close flushes the buffered events, syncs and closes the file. It reports
// an earlier failed write, since events were lost. Later calls do nothing
// and return nil; any other method called after Close fails with
// [ErrClosed].
func (w *Writer) Close() error {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	var err error
	if w.err != nil {
		err = &Error{Op: "close", Path: w.path, Msg: "an earlier write to the file failed", Err: w.err}
	}
	if ferr := w.flushLocked(); ferr != nil && err == nil {
		err = &Error{Op: "close", Path: w.path, Msg: "cannot flush the event file", Err: ferr}
	}
	if serr := w.f.Sync(); serr != nil && err == nil {
		err = &Error{Op: "close", Path: w.path, Msg: "cannot sync the event file", Err: serr}
	}
	if cerr := w.f.Close(); cerr != nil && err == nil {
		err = &Error{Op: "close", Path: w.path, Msg: "cannot close the event file", Err: cerr}
	}
	w.scratch = [3][]byte{}
	return err
}
