package callbacks

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
)

// fakeSave replaces the model's Save/SaveWeights with a writer that records the final path
// the temporary file becomes and what was asked (model or weights).
type fakeSave struct {
	calls []string
	fail  error // when set, a partial file is written and fail returned
}

func (f *fakeSave) install(c *ModelCheckpointCallback) {
	c.save = func(_ *keras.Model, path string, weightsOnly bool) error {
		dir, base := filepath.Split(path)
		kind := "model"
		if weightsOnly {
			kind = "weights"
		}
		f.calls = append(f.calls, kind+":"+filepath.ToSlash(filepath.Join(dir, tmpName.ReplaceAllString(base, ""))))
		if f.fail != nil {
			os.WriteFile(path, []byte("partial"), 0o644)
			return f.fail
		}
		return os.WriteFile(path, []byte("complete"), 0o644)
	}
}

// files lists the regular files under dir, relative, sorted.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// Which epochs save and under which names, worked out from Keras 3's algorithm
// (KERAS.md §4.4).
func TestModelCheckpointDecisions(t *testing.T) {
	cases := []struct {
		name    string
		path    string
		opts    []Option
		seq     []float64 // monitored value per epoch (val_loss unless Monitor says)
		batches int
		want    []string
	}{
		{"every epoch, formatted names", "ckpt/w.{epoch:02d}-{val_loss:.2f}.keras", nil,
			[]float64{0.5, 0.456, 0.7}, 0,
			[]string{"model:ckpt/w.01-0.50.keras", "model:ckpt/w.02-0.46.keras", "model:ckpt/w.03-0.70.keras"}},
		{"save_best_only keeps improvements only", "best-{epoch}-{val_loss:.3f}.keras", []Option{SaveBestOnly(true)},
			[]float64{0.5, 0.6, 0.4, 0.4, 0.3999}, 0,
			[]string{"model:best-1-0.500.keras", "model:best-3-0.400.keras", "model:best-5-0.400.keras"}},
		{"save_best_only in max mode", "acc{epoch:03d}.h5", []Option{SaveBestOnly(true), Monitor("val_acc")},
			[]float64{0.5, 0.6, 0.6, 0.55, 0.61}, 0,
			[]string{"model:acc001.h5", "model:acc002.h5", "model:acc005.h5"}},
		{"initial threshold must be beaten first", "t{epoch}.keras", []Option{SaveBestOnly(true), InitialValueThreshold(0.45)},
			[]float64{0.5, 0.46, 0.44, 0.45, 0.3}, 0,
			[]string{"model:t3.keras", "model:t5.keras"}},
		{"initial threshold never beaten", "never.keras", []Option{SaveBestOnly(true), InitialValueThreshold(0.1)},
			[]float64{0.5, 0.2}, 0, nil},
		{"save_best_only with a constant name overwrites", "m.keras", []Option{SaveBestOnly(true)},
			[]float64{0.5, 0.4, 0.6}, 0, []string{"model:m.keras", "model:m.keras"}},
		{"weights only", "w/{epoch}.weights.h5", []Option{SaveWeightsOnly(true)},
			[]float64{0.5, 0.6}, 0, []string{"weights:w/1.weights.h5", "weights:w/2.weights.h5"}},
		// Keras's test: 30 samples, batch 6 (5 batches), save_freq 15, 10 epochs → epochs 3, 6, 9.
		{"integer save_freq counts batches across epochs", "e{epoch:02d}.keras", []Option{SaveFreq(15)},
			[]float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 5,
			[]string{"model:e03.keras", "model:e06.keras", "model:e09.keras"}},
		{"save_freq names the batch, from 1", "b{epoch}-{batch:02d}.keras", []Option{SaveFreq(3)},
			[]float64{1, 1}, 5, []string{"model:b1-03.keras", "model:b2-01.keras", "model:b2-04.keras"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			m := testModel(t, 0.01)
			cb := ModelCheckpoint(c.path, c.opts...)
			if err := cb.Err(); err != nil {
				t.Fatal(err)
			}
			var fs fakeSave
			fs.install(cb)
			if _, err := script(t, cb, m, cb.mon.name, c.seq, c.batches); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(fs.calls) != fmt.Sprint(c.want) {
				t.Errorf("saved %v, want %v", fs.calls, c.want)
			}
			// Every final path holds a complete file; no temporary file is left.
			for _, f := range files(t, ".") {
				if strings.Contains(f, ".tmp-") {
					t.Errorf("temporary file left: %s", f)
				}
				if b, _ := os.ReadFile(f); string(b) != "complete" {
					t.Errorf("%s holds %q", f, b)
				}
			}
		})
	}
}

func TestModelCheckpointVerbose(t *testing.T) {
	t.Chdir(t.TempDir())
	m := testModel(t, 0.01)
	cb := ModelCheckpoint("m.{epoch}.keras", SaveBestOnly(true), Verbose(1))
	var out bytes.Buffer
	cb.Out = &out
	var fs fakeSave
	fs.install(cb)
	if _, err := script(t, cb, m, "val_loss", []float64{0.5, 0.6, 0.25}, 0); err != nil {
		t.Fatal(err)
	}
	want := "\nEpoch 1: val_loss improved from None to 0.50000, saving model to m.1.keras\n" +
		"\nEpoch 1: finished saving model to m.1.keras\n" +
		"\nEpoch 2: val_loss did not improve from 0.50000\n" +
		"\nEpoch 3: val_loss improved from 0.50000 to 0.25000, saving model to m.3.keras\n" +
		"\nEpoch 3: finished saving model to m.3.keras\n"
	if out.String() != want {
		t.Errorf("printed\n%q\nwant\n%q", out.String(), want)
	}
	if b, ok := cb.Best(); !ok || b != 0.25 {
		t.Errorf("best %v %v", b, ok)
	}
}

// A failing save leaves nothing at the final path (and no temporary file), and the error
// stops training.
func TestModelCheckpointAtomic(t *testing.T) {
	dir := t.TempDir()
	final := filepath.Join(dir, "m.keras")
	if err := os.WriteFile(final, []byte("complete"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := testModel(t, 0.01)
	cb := ModelCheckpoint(final)
	boom := errors.New("disk full")
	fs := fakeSave{fail: boom}
	fs.install(cb)
	_, err := script(t, cb, m, "val_loss", []float64{0.5}, 0)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), final) {
		t.Fatalf("error %v, want the save error naming %s", err, final)
	}
	if got := files(t, dir); fmt.Sprint(got) != "[m.keras]" {
		t.Errorf("files %v, want only the previous m.keras", got)
	}
	if b, _ := os.ReadFile(final); string(b) != "complete" {
		t.Errorf("the previous checkpoint was replaced by %q", b)
	}
}

func TestModelCheckpointUnwritable(t *testing.T) {
	dir := t.TempDir()
	notADir := filepath.Join(dir, "file")
	if err := os.WriteFile(notADir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, path, want string }{
		{"parent is a file", filepath.Join(notADir, "sub", "m.keras"), "creating the directory"},
		{"path is a directory", filepath.Join(dir, "d.keras"), "is an existing directory"},
	}
	if err := os.Mkdir(filepath.Join(dir, "d.keras"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := testModel(t, 0.01)
			cb := ModelCheckpoint(c.path)
			var fs fakeSave
			fs.install(cb)
			_, err := script(t, cb, m, "val_loss", []float64{0.5}, 0)
			var ce *Error
			if err == nil || !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
			if len(fs.calls) != 0 {
				t.Errorf("Save was called: %v", fs.calls)
			}
		})
	}
}

func TestModelCheckpointErrors(t *testing.T) {
	cases := []struct {
		name string
		cb   *ModelCheckpointCallback
		want string
	}{
		{"no model ending", ModelCheckpoint("model.ckpt"), `got "model.ckpt"`},
		{"weights only needs .weights.h5", ModelCheckpoint("m.h5", SaveWeightsOnly(true)), `".weights.h5"`},
		{"save_freq word", ModelCheckpoint("m.keras", SaveFreq("batch")), `SaveFreq("batch")`},
		{"save_freq zero", ModelCheckpoint("m.keras", SaveFreq(0)), "SaveFreq(0)"},
		{"save_freq float", ModelCheckpoint("m.keras", SaveFreq(2.5)), "SaveFreq(2.5)"},
		{"option of another callback", ModelCheckpoint("m.keras", Patience(3)), "Patience"},
		{"unknown mode", ModelCheckpoint("m.keras", Mode("best")), `Mode("best")`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.cb.Err(); !errors.Is(err, keras.ErrInvalidArgument) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Err() = %v, want ErrInvalidArgument naming %s", err, c.want)
			}
		})
	}
	for _, ok := range []string{"m.keras", "m.h5", "dir/m.{epoch}.keras"} {
		if err := ModelCheckpoint(ok).Err(); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	if err := ModelCheckpoint("w.weights.h5", SaveWeightsOnly(true), SaveFreq(int64(4))).Err(); err != nil {
		t.Errorf("weights path: %v", err)
	}
	// A format field naming no logged value is an error naming it, at the epoch end.
	m := testModel(t, 0.01)
	cb := ModelCheckpoint(filepath.Join(t.TempDir(), "m-{val_acc:.2f}.keras"))
	_, err := script(t, cb, m, "val_loss", []float64{0.5}, 0)
	if !errors.Is(err, keras.ErrUnknownName) || !strings.Contains(err.Error(), `"val_acc"`) || !strings.Contains(err.Error(), "val_loss") {
		t.Errorf("error %v, want ErrUnknownName naming val_acc and the known names", err)
	}
}

func TestFormatPath(t *testing.T) {
	ints := map[string]int{"epoch": 3, "batch": 12}
	logs := map[string]float64{"val_loss": 0.12345, "acc": 0.5}
	cases := []struct{ pattern, want, err string }{
		{"w.{epoch:02d}-{val_loss:.2f}.keras", "w.03-0.12.keras", ""},
		{"{epoch}_{batch:04d}_{acc}.h5", "3_0012_0.5.h5", ""},
		{"{val_loss:.3e}", "1.235e-01", ""},
		{"{val_loss:08.4f}", "000.1235", ""},
		{"{{literal}}-{epoch}", "{literal}-3", ""},
		{"{epoch:.2f}", "3.00", ""},
		{"plain.keras", "plain.keras", ""},
		{"{acc:d}", "", "unknown format code 'd'"},
		{"{missing}", "", `"missing"`},
		{"{epoch", "", "unclosed"},
		{"a}b", "", "single '}'"},
		{"{}", "", "named fields"},
		{"{epoch:,}", "", "unsupported"},
	}
	for _, c := range cases {
		t.Run(c.pattern, func(t *testing.T) {
			got, err := formatPath(c.pattern, ints, logs)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Errorf("formatPath = %q, %v; want an error with %q", got, err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Errorf("formatPath = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}
