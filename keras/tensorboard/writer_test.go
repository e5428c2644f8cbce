package tensorboard

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// mustWriter opens a writer in a fresh directory and closes it at the end.
func mustWriter(t testing.TB, opts ...Option) *Writer {
	t.Helper()
	w, err := New(filepath.Join(t.TempDir(), "run"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// mustRead closes w and reads its file back.
func mustRead(t *testing.T, w *Writer) []Event {
	t.Helper()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	evs, err := ReadEvents(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func TestNewWriterFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs", "train")
	w, err := NewWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	w2, err := NewWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(w.Path()) != dir {
		t.Errorf("file %s not in %s", w.Path(), dir)
	}
	host := hostname()
	re := regexp.MustCompile(`^events\.out\.tfevents\.(\d{10})\.` + regexp.QuoteMeta(host) +
		fmt.Sprintf(`\.%d\.(\d+)\.v2$`, os.Getpid()))
	m1, m2 := re.FindStringSubmatch(filepath.Base(w.Path())), re.FindStringSubmatch(filepath.Base(w2.Path()))
	if m1 == nil || m2 == nil {
		t.Fatalf("file names %s, %s do not match %s", w.Path(), w2.Path(), re)
	}
	if m1[2] == m2[2] {
		t.Errorf("two writers got the same counter: %s, %s", w.Path(), w2.Path())
	}
	// The file_version record is on disk before any Flush.
	evs, err := ReadEvents(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Kind != KindFileVersion || evs[0].FileVersion != "brain.Event:2" ||
		evs[0].SourceWriter != sourceWriter || evs[0].WallTime < 1e9 {
		t.Fatalf("header events = %+v", evs)
	}
	for _, x := range []*Writer{w, w2} {
		if err := x.Close(); err != nil {
			t.Fatal(err)
		}
	}
	all, err := ReadDir(dir)
	if err != nil || len(all) != 2 {
		t.Fatalf("ReadDir = %d events, %v; want 2 headers", len(all), err)
	}
}

func TestNewWriterErrors(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		dir  string
		opts []Option
		want error
		path string // the message must name it
	}{
		{"dir under a file", filepath.Join(file, "logs"), nil, nil, filepath.Join(file, "logs")},
		{"dir is a file", file, nil, nil, file},
		{"empty dir", "", nil, ErrOption, ""},
		{"negative flush interval", filepath.Join(tmp, "x"), []Option{FlushInterval(-time.Second)}, ErrOption, "FlushInterval"},
		{"negative queue", filepath.Join(tmp, "y"), []Option{MaxQueue(-1)}, ErrOption, "MaxQueue"},
	}
	if os.Geteuid() != 0 { // root ignores permissions
		ro := filepath.Join(tmp, "readonly")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		tests = append(tests, struct {
			name string
			dir  string
			opts []Option
			want error
			path string
		}{"read-only dir", ro, nil, os.ErrPermission, ro})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := New(tc.dir, tc.opts...)
			if err == nil {
				w.Close()
				t.Fatalf("New(%q) succeeded", tc.dir)
			}
			var te *Error
			if !errors.As(err, &te) || te.Op != "open" {
				t.Errorf("error %v is not an *Error for open", err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v does not wrap %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.path) {
				t.Errorf("error %q does not name %q", err, tc.path)
			}
		})
	}
}

func TestWriteReadBack(t *testing.T) {
	w := mustWriter(t)
	clock := time.Unix(1700000000, 500000000)
	w.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	model := `{"class_name": "Sequential", "config": {"name": "sequential", "layers": []}}`
	steps := []func() error{
		func() error { return w.Scalar("epoch_loss", 0, 0.75) },
		func() error { return w.Scalar("epoch_loss", 1, 1e300) },
		func() error { return w.Scalar("epoch_loss", 5, math.NaN()) },
		func() error { return w.Scalar("neg", -3, -2.5) },
		func() error { return w.Histogram("w/histogram", 0, []float64{-2, -1, 0, 6}) },
		func() error { return w.Text("notes", 2, "**bold** ünïcode") },
		func() error { return w.Graph([]byte(model)) },
	}
	for i, f := range steps {
		if err := f(); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	evs := mustRead(t, w)
	if len(evs) != 1+len(steps) {
		t.Fatalf("%d events, want %d", len(evs), 1+len(steps))
	}
	type want struct {
		kind  Kind
		tag   string
		step  int64
		value float64
		text  string
	}
	wants := []want{
		{KindScalar, "epoch_loss", 0, 0.75, ""},
		{KindScalar, "epoch_loss", 1, math.Inf(1), ""}, // float32 overflow, as TF casts
		{KindScalar, "epoch_loss", 5, math.NaN(), ""},
		{KindScalar, "neg", -3, -2.5, ""},
		{KindHistogram, "w/histogram", 0, 0, ""},
		{KindText, "notes", 2, 0, "**bold** ünïcode"},
		{KindKerasModel, "keras", 0, 0, model},
	}
	for i, wt := range wants {
		e := evs[i+1]
		if e.Kind != wt.kind || e.Tag != wt.tag || e.Step != wt.step || e.Text != wt.text ||
			!(e.Value == wt.value || math.IsNaN(e.Value) && math.IsNaN(wt.value)) {
			t.Errorf("event %d = %+v, want %+v", i+1, e, wt)
		}
		if wantWall := 1700000000.5 + float64(i+1); e.WallTime != wantWall {
			t.Errorf("event %d wall_time %v, want %v", i+1, e.WallTime, wantWall)
		}
	}
	if e := evs[1]; e.DType != dtFloat || len(e.Shape) != 0 || e.Plugin != "scalars" {
		t.Errorf("scalar tensor dtype %d shape %v plugin %q", e.DType, e.Shape, e.Plugin)
	}
	h := evs[5]
	if h.DType != dtDouble || len(h.Shape) != 2 || h.Shape[0] != 30 || h.Shape[1] != 3 || h.Plugin != "histograms" {
		t.Errorf("histogram tensor dtype %d shape %v plugin %q", h.DType, h.Shape, h.Plugin)
	}
	if got, want := h.Buckets, HistogramBuckets([]float64{-2, -1, 0, 6}, 30); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("buckets %v, want %v", got, want)
	}
	if k := evs[7]; string(k.PluginContent) != "1" || k.DType != dtString {
		t.Errorf("keras model event %+v", k)
	}
}

func TestWriteErrors(t *testing.T) {
	w := mustWriter(t)
	if err := w.Scalar("loss", 3, 1); err != nil {
		t.Fatal(err)
	}
	if err := w.Graph([]byte(`{"config": {}}`)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		write func() error
		want  error
	}{
		{"same step", func() error { return w.Scalar("loss", 3, 2) }, ErrStepOrder},
		{"earlier step", func() error { return w.Scalar("loss", 1, 2) }, ErrStepOrder},
		{"second graph", func() error { return w.Graph([]byte(`{"config": {}}`)) }, ErrStepOrder},
		{"empty tag", func() error { return w.Scalar("", 0, 1) }, ErrTag},
		{"invalid UTF-8 tag", func() error { return w.Histogram("bad\xff", 0, nil) }, ErrTag},
		{"invalid UTF-8 text", func() error { return w.Text("t", 0, "\xc3\x28") }, ErrValue},
		{"graph not JSON", func() error { return w.Graph([]byte(`{"config":`)) }, ErrValue},
		{"graph without config", func() error { return w.Graph([]byte(`{"class_name": "Model"}`)) }, ErrValue},
		{"graph not an object", func() error { return w.Graph([]byte(`[1, 2]`)) }, ErrValue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.write()
			if !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
			var te *Error
			if !errors.As(err, &te) || te.Path != w.Path() {
				t.Errorf("error %v does not carry the file path", err)
			}
		})
	}
	// Other tags are unaffected, and the next step is accepted.
	if err := w.Scalar("other", 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := w.Scalar("loss", 4, 1); err != nil {
		t.Fatal(err)
	}
	evs := mustRead(t, w)
	var steps []string
	for _, e := range evs[1:] {
		steps = append(steps, fmt.Sprintf("%s@%d", e.Tag, e.Step))
	}
	if got, want := strings.Join(steps, " "), "loss@3 keras@0 other@0 loss@4"; got != want {
		t.Errorf("file holds %s, want %s", got, want)
	}
	msg := (&Error{Op: "scalar", Path: "p", Tag: "loss", Msg: "step 1 is not after step 3", Err: ErrStepOrder}).Error()
	if msg != `tensorboard: scalar "loss" (p): step 1 is not after step 3` {
		t.Errorf("message %q", msg)
	}
}

func TestAfterClose(t *testing.T) {
	w := mustWriter(t)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close = %v, want nil", err)
	}
	var nilW *Writer
	for name, f := range map[string]func() error{
		"Scalar":     func() error { return w.Scalar("a", 0, 1) },
		"Histogram":  func() error { return w.Histogram("a", 0, []float64{1}) },
		"Text":       func() error { return w.Text("a", 0, "x") },
		"Graph":      func() error { return w.Graph([]byte(`{"config":{}}`)) },
		"Flush":      w.Flush,
		"nil Scalar": func() error { return nilW.Scalar("a", 0, 1) },
		"nil Flush":  nilW.Flush,
	} {
		if err := f(); !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
	if err := nilW.Close(); err != nil {
		t.Errorf("nil Close = %v", err)
	}
}

func TestFlushPolicy(t *testing.T) {
	headerOnly := func(t *testing.T, w *Writer) int64 { return fileSize(t, w.Path()) }
	t.Run("buffered until Flush", func(t *testing.T) {
		w := mustWriter(t)
		hdr := headerOnly(t, w)
		for i := range 5 {
			if err := w.Scalar("a", int64(i), 1); err != nil {
				t.Fatal(err)
			}
		}
		if got := fileSize(t, w.Path()); got != hdr {
			t.Fatalf("file grew to %d before Flush (header %d)", got, hdr)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if got := fileSize(t, w.Path()); got <= hdr {
			t.Fatalf("file still %d after Flush", got)
		}
		evs, err := ReadEvents(w.Path())
		if err != nil || len(evs) != 6 {
			t.Fatalf("after Flush: %d events, %v", len(evs), err)
		}
	})
	t.Run("more than MaxQueue", func(t *testing.T) {
		w := mustWriter(t, MaxQueue(2))
		hdr := headerOnly(t, w)
		for i := range 3 {
			if got := fileSize(t, w.Path()); got != hdr {
				t.Fatalf("flushed after %d events", i)
			}
			if err := w.Scalar("a", int64(i), 1); err != nil {
				t.Fatal(err)
			}
		}
		if evs, _ := ReadEvents(w.Path()); len(evs) != 4 {
			t.Fatalf("after 3 events with MaxQueue(2): %d events on disk, want 4", len(evs))
		}
	})
	t.Run("write-through", func(t *testing.T) {
		for _, opt := range []Option{FlushInterval(0), MaxQueue(0)} {
			w := mustWriter(t, opt)
			if err := w.Scalar("a", 0, 1); err != nil {
				t.Fatal(err)
			}
			if evs, _ := ReadEvents(w.Path()); len(evs) != 2 {
				t.Fatalf("write-through: %d events on disk, want 2", len(evs))
			}
		}
	})
	t.Run("FlushInterval", func(t *testing.T) {
		w := mustWriter(t, FlushInterval(30*time.Millisecond))
		start := time.Now()
		if err := w.Scalar("a", 0, 1); err != nil {
			t.Fatal(err)
		}
		for {
			if evs, _ := ReadEvents(w.Path()); len(evs) == 2 {
				break
			}
			if time.Since(start) > 5*time.Second {
				t.Fatal("event not flushed 5 s after a 30 ms FlushInterval")
			}
			time.Sleep(5 * time.Millisecond)
		}
		if d := time.Since(start); d < 30*time.Millisecond {
			t.Errorf("flushed after %v, before the interval", d)
		}
		// The timer re-arms for the next pending event.
		if err := w.Scalar("a", 1, 1); err != nil {
			t.Fatal(err)
		}
		for {
			if evs, _ := ReadEvents(w.Path()); len(evs) == 3 {
				break
			}
			if time.Since(start) > 5*time.Second {
				t.Fatal("second event not flushed")
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
	t.Run("Close flushes", func(t *testing.T) {
		w := mustWriter(t)
		if err := w.Histogram("h", 0, []float64{1, 2}); err != nil {
			t.Fatal(err)
		}
		if evs := mustRead(t, w); len(evs) != 2 {
			t.Fatalf("%d events after Close, want 2", len(evs))
		}
	})
}

func TestStickyWriteError(t *testing.T) {
	w := mustWriter(t, MaxQueue(0))
	w.f.Close() // make the next flush fail
	err := w.Scalar("a", 0, 1)
	if err == nil || !errors.Is(err, os.ErrClosed) {
		t.Fatalf("write to a closed file = %v", err)
	}
	if err := w.Scalar("b", 0, 1); err == nil || !strings.Contains(err.Error(), "earlier write") {
		t.Fatalf("write after a failure = %v", err)
	}
	if err := w.Close(); err == nil {
		t.Fatal("Close after a failed write = nil, want the error")
	}
}

func TestConcurrentWrites(t *testing.T) {
	w := mustWriter(t, MaxQueue(3))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tag := fmt.Sprintf("g%d", g)
			for i := range 50 {
				if err := w.Scalar(tag, int64(i), float64(i)); err != nil {
					t.Error(err)
					return
				}
				if i%10 == 0 {
					w.Flush()
				}
			}
		}()
	}
	wg.Wait()
	evs := mustRead(t, w)
	if len(evs) != 1+8*50 {
		t.Fatalf("%d events, want %d", len(evs), 1+8*50)
	}
	next := map[string]int64{}
	for _, e := range evs[1:] {
		if e.Step != next[e.Tag] || e.Value != float64(e.Step) {
			t.Fatalf("tag %s: step %d value %v, want step %d", e.Tag, e.Step, e.Value, next[e.Tag])
		}
		next[e.Tag]++
	}
}

func BenchmarkScalar(b *testing.B) {
	w := mustWriter(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := w.Scalar("epoch_loss", int64(i), 0.25); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHistogram(b *testing.B) {
	w := mustWriter(b)
	values := make([]float64, 10000)
	for i := range values {
		values[i] = math.Sin(float64(i))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := w.Histogram("dense/kernel/histogram", int64(i), values); err != nil {
			b.Fatal(err)
		}
	}
}
