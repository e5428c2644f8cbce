package keras_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// Crafted model files that once crashed the process are loaded in a child process (this test
// binary run again on TestHostileChild) whose address space is limited, so that a regression
// kills the child, not the test run.

// hostileChildEnv names the model file the child loads and predicts with.
const hostileChildEnv = "KERAGO_HOSTILE_CHILD"

// childHeadroom is how much address space the child may add to what it has at start: enough
// for loading and predicting with a small model, far too little for the allocations the
// crafted files once caused.
const childHeadroom = 384 << 20

// TestHostileChild is the child of runHostileChild; on its own it skips. It limits its
// address space, loads the file, predicts on one sample of zeros, and prints the outcome.
func TestHostileChild(t *testing.T) {
	path := os.Getenv(hostileChildEnv)
	if path == "" {
		t.Skip("the child process of the hostile-file tests")
	}
	if err := limitAddressSpace(childHeadroom); err != nil {
		fmt.Println("SETUP:", err)
		os.Exit(3)
	}
	start := time.Now()
	err := loadAndPredict(path)
	fmt.Printf("RESULT %d ms: %v\n", time.Since(start).Milliseconds(), err)
	os.Exit(0)
}

func loadAndPredict(path string) error {
	m, err := keras.LoadModel(path)
	if err != nil {
		return err
	}
	var xs []*tensor.Dense
	for _, in := range m.Inputs() {
		shape := []int{1}
		for _, d := range in.Shape()[1:] {
			shape = append(shape, max(d, 1))
		}
		xs = append(xs, tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float32)))
	}
	_, err = m.Predict(xs, keras.Verbose(0))
	return err
}

// runHostileChild loads path in a child process and returns the error it printed. The child
// must exit normally: a crash (out of memory) fails the test.
func runHostileChild(t *testing.T, path string) string {
	t.Helper()
	if !canLimitAddressSpace {
		t.Skip("limiting a child's address space is implemented on Linux only")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHostileChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), hostileChildEnv+"="+path)
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("RESULT ")) {
		why := "" // the runtime's own line, such as "fatal error: runtime: out of memory"
		if i := bytes.Index(out, []byte("fatal error")); i >= 0 {
			why, _, _ = strings.Cut(string(out[i:]), "\n")
		}
		t.Fatalf("the child loading %s died: %v %s\n%s", filepath.Base(path), err, why, tail(out, 600))
	}
	i := bytes.Index(out, []byte("RESULT "))
	line, _, _ := strings.Cut(string(out[i:]), "\n")
	t.Logf("child: %s", line)
	return line
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// paddedModel saves Input(8, 8, 1) → ZeroPadding2D(1) → GlobalMaxPooling2D → Dense(1) to
// dir/name.
func paddedModel(t testing.TB, dir, name string) string {
	t.Helper()
	in := keras.Input(keras.Shape{8, 8, 1})
	x := layers.ZeroPadding2D(1, layers.Name("zero_padding2d")).Call(in)
	x = layers.GlobalMaxPooling2D().Call(x)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Dense(1).Call(x)))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := m.Save(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// editLayerConfig rewrites the .keras archive src to dst with key set to value in the config
// of every layer of the given class.
func editLayerConfig(t testing.TB, src, dst, class, key string, value any) {
	t.Helper()
	members := archiveMembers(t, src)
	var cfg map[string]any
	if err := json.Unmarshal(members["config.json"], &cfg); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["class_name"] == class {
				if c, ok := x["config"].(map[string]any); ok {
					c[key] = value
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(cfg)
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	members["config.json"] = b
	writeArchive(t, dst, members, zip.Store)
}

// archiveMembers reads every member of a zip file.
func archiveMembers(t testing.TB, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// writeArchive writes members (metadata, config, weights, in that order) as a zip.
func writeArchive(t testing.TB, path string, members map[string][]byte, method uint16) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	for _, name := range []string{"metadata.json", "config.json", "model.weights.h5"} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(members[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestHostileFilesInChild loads crafted files in a child process limited to a few hundred
// MiB of address space beyond its start: each must end in a clear error, fast, where they
// once crashed the process ("fatal error: out of memory") or exhausted its memory.
func TestHostileFilesInChild(t *testing.T) {
	dir := t.TempDir()
	good := paddedModel(t, dir, "good.keras")
	craft := func(name, key string, value any) string {
		p := filepath.Join(dir, name)
		editLayerConfig(t, good, p, "ZeroPadding2D", key, value)
		return p
	}
	// An archive whose weights member inflates 160:1 to 512 MiB: the valid weights
	// followed by zeros.
	bomb := filepath.Join(dir, "bomb.keras")
	writeBomb(t, bomb, archiveMembers(t, good), 512<<20)

	for _, tc := range []struct {
		name, path string
		want       []string // in the child's error; none: must succeed
	}{
		{"the untouched file loads and predicts", good, nil},
		// Beyond layers.MaxConfigWindow: refused when the config is read.
		{"ZeroPadding2D of 10^6 pixels", craft("pad1e6.keras", "padding", 1e6),
			[]string{"zero_padding2d (ZeroPadding2D)", "padding 1000000 exceeds the limit 65536", "pad1e6.keras"}},
		// Within the config bound, but the first Predict's graph would need about 58 GB:
		// refused by the memory check, naming the layer and the shape.
		{"ZeroPadding2D of 60000 pixels", craft("pad6e4.keras", "padding", 60000),
			[]string{"zero_padding2d (ZeroPadding2D)", "memory limit exceeded", "(1, 120008, 120008, 1)"}},
		{"weights that inflate 160:1", bomb,
			[]string{"model.weights.h5 would expand", "bomb.keras"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			line := runHostileChild(t, tc.path)
			if tc.want == nil {
				if !strings.HasSuffix(line, "<nil>") {
					t.Fatalf("the valid file failed in the child (the address-space limit is too tight?): %s", line)
				}
				return
			}
			for _, w := range tc.want {
				if !strings.Contains(line, w) {
					t.Errorf("the child's error does not say %q: %s", w, line)
				}
			}
			if len(line) > 600 {
				t.Errorf("the error is %d bytes long", len(line))
			}
		})
	}
}

// writeBomb writes members as an archive whose model.weights.h5 is the valid weights followed
// by about zeros zero bytes, deflated by hand (compressing that many bytes would take seconds,
// more under the race detector): the weights as fixed-Huffman literals, then one literal zero
// and copies of 258 bytes at distance 1, 13 bits each.
func writeBomb(t *testing.T, path string, members map[string][]byte, zeros int) {
	t.Helper()
	weights := members["model.weights.h5"]
	var bw bitWriter
	bw.bits(1, 1) // BFINAL
	bw.bits(1, 2) // BTYPE 01: fixed Huffman codes
	for _, b := range append(append([]byte(nil), weights...), 0) {
		if b < 144 {
			bw.code(0x30+uint32(b), 8)
		} else {
			bw.code(0x190+uint32(b)-144, 9)
		}
	}
	copies := (zeros - 1) / 258
	for range copies {
		bw.code(0xc5, 8) // length code 285: 258 bytes
		bw.code(0, 5)    // distance code 0: distance 1
	}
	bw.code(0, 7) // end of block
	raw := bw.flush()
	size := len(weights) + 1 + 258*copies
	crc := crc32.ChecksumIEEE(weights)
	buf := make([]byte, 1<<20)
	for left := size - len(weights); left > 0; left -= len(buf) {
		crc = crc32.Update(crc, crc32.IEEETable, buf[:min(left, len(buf))])
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, name := range []string{"metadata.json", "config.json"} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(members[name])
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "model.weights.h5", Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(raw)), UncompressedSize64: uint64(size)})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// bitWriter writes a deflate bit stream: values least significant bit first, Huffman codes
// most significant bit first.
type bitWriter struct {
	out  []byte
	acc  uint64
	nacc uint
}

func (w *bitWriter) bits(v uint32, n uint) {
	w.acc |= uint64(v) << w.nacc
	w.nacc += n
	for w.nacc >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.nacc -= 8
	}
}

func (w *bitWriter) code(c uint32, n uint) {
	var r uint32
	for i := uint(0); i < n; i++ {
		r = r<<1 | (c>>i)&1
	}
	w.bits(r, n)
}

func (w *bitWriter) flush() []byte {
	if w.nacc > 0 {
		w.out = append(w.out, byte(w.acc))
		w.acc, w.nacc = 0, 0
	}
	return w.out
}
