package tensorboard

import (
	"encoding/binary"
	"errors"
	"math"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// FuzzWriter writes a scalar, a histogram and a text with fuzzed tags,
// steps and values (NaN, ±Inf, huge, subnormal, empty and invalid tags) and
// checks that the file always reads back with exactly what was accepted.
func FuzzWriter(f *testing.F) {
	f64 := func(vs ...float64) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		return b
	}
	f.Add("epoch_loss", int64(0), 0.5, f64(1, 2, 3), "hello")
	f.Add("", int64(-1), math.NaN(), f64(math.NaN(), math.Inf(1), 4), "")
	f.Add("dense/kernel/histogram", int64(math.MaxInt64), math.Inf(-1), f64(-math.MaxFloat64, math.MaxFloat64), "**md**")
	f.Add("bad\xff", int64(math.MinInt64), 1e300, f64(5e-324, 0), "\xc3\x28")
	f.Add("ünï", int64(3), -0.0, []byte{1, 2, 3}, "x")
	f.Fuzz(func(t *testing.T, tag string, step int64, value float64, raw []byte, text string) {
		var values []float64
		for ; len(raw) >= 8; raw = raw[8:] {
			values = append(values, math.Float64frombits(binary.LittleEndian.Uint64(raw)))
		}
		w, err := New(filepath.Join(t.TempDir(), "run"), MaxQueue(1))
		if err != nil {
			t.Fatal(err)
		}
		validTag := utf8.ValidString(tag)
		type want struct {
			kind Kind
			tag  string
		}
		var wants []want
		check := func(err error, ok bool, kind Kind, tag string, bad error) {
			t.Helper()
			switch {
			case ok && err != nil:
				t.Fatalf("%s %q: %v", kind, tag, err)
			case ok:
				wants = append(wants, want{kind, tag})
			case !errors.Is(err, bad):
				t.Fatalf("%s %q: error %v, want %v", kind, tag, err, bad)
			}
		}
		check(w.Scalar(tag, step, value), validTag && tag != "", KindScalar, tag, ErrTag)
		if validTag && tag != "" && step > math.MinInt64 {
			if err := w.Scalar(tag, step-1, value); !errors.Is(err, ErrStepOrder) {
				t.Fatalf("earlier step: %v", err)
			}
		}
		check(w.Histogram(tag+"/histogram", step, values), validTag, KindHistogram, tag+"/histogram", ErrTag)
		textErr := ErrTag
		if validTag {
			textErr = ErrValue
		}
		check(w.Text(tag+"/text", step, text), validTag && utf8.ValidString(text), KindText, tag+"/text", textErr)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		evs, err := ReadEvents(w.Path())
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1+len(wants) || evs[0].Kind != KindFileVersion {
			t.Fatalf("%d events, want %d", len(evs), 1+len(wants))
		}
		for i, wt := range wants {
			e := evs[i+1]
			if e.Kind != wt.kind || e.Tag != wt.tag || e.Step != step {
				t.Fatalf("event %d = %s %q step %d, want %s %q step %d", i+1, e.Kind, e.Tag, e.Step, wt.kind, wt.tag, step)
			}
			switch e.Kind {
			case KindScalar:
				if math.Float32bits(float32(e.Value)) != math.Float32bits(float32(value)) {
					t.Fatalf("scalar %v read back as %v", value, e.Value)
				}
			case KindText:
				if e.Text != text {
					t.Fatalf("text %q read back as %q", text, e.Text)
				}
			case KindHistogram:
				checkBuckets(t, values, e.Buckets)
			}
		}
	})
}

// checkBuckets checks that read-back buckets are HistogramBuckets(values),
// have finite ordered edges and count every finite value once.
func checkBuckets(t *testing.T, values []float64, got []Bucket) {
	t.Helper()
	want := HistogramBuckets(values, DefaultBuckets)
	if len(got) != len(want) {
		t.Fatalf("%d buckets, want %d", len(got), len(want))
	}
	n, total := 0, 0.0
	for _, v := range values {
		if finite(v) {
			n++
		}
	}
	for i, b := range got {
		if b != want[i] {
			t.Fatalf("bucket %d = %v, want %v", i, b, want[i])
		}
		if !finite(b.Left) || !finite(b.Right) || b.Left > b.Right || (i > 0 && b.Left < got[i-1].Right) || b.Count < 0 {
			t.Fatalf("bucket %d = %v after %v: edges not finite and ordered", i, b, got[max(i-1, 0)])
		}
		total += b.Count
	}
	if total != float64(n) {
		t.Fatalf("counts sum to %v, want %d finite values", total, n)
	}
}
