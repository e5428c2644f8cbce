package saving

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"time"

	"github.com/kerago/kerago/keras/internal/errs"
	"github.com/kerago/kerago/keras/internal/hdf5"
)

// KerasVersion is the Keras release whose file formats Save writes, recorded in the files.
const KerasVersion = "3.15.1"

// Member names of a .keras archive.
const (
	archiveMetadata = "metadata.json"
	archiveConfig   = "config.json"
	archiveWeights  = "model.weights.h5"
)

// pyFloat is a float64 that JSON-encodes as Python writes floats, always with a decimal point
// or an exponent (1.0, not 1): Keras checks some arguments with isinstance(x, float) (SGD's
// momentum), and json.loads makes 0 an int.
type pyFloat float64

// MarshalJSON writes f with a decimal point or an exponent.
func (f pyFloat) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(float64(f))
	if err != nil {
		return nil, err
	}
	if !bytes.ContainsAny(b, ".eE") {
		b = append(b, ".0"...)
	}
	return b, nil
}

// pyFloats replaces the float64 values of a JSON-like tree by pyFloat.
func pyFloats(v any) any {
	switch x := v.(type) {
	case float64:
		return pyFloat(x)
	case float32:
		return pyFloat(x)
	case []float64:
		out := make([]any, len(x))
		for i, f := range x {
			out[i] = pyFloat(f)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = pyFloats(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = pyFloats(e)
		}
		return out
	}
	return v
}

// MarshalConfig encodes a config tree as JSON with Python-style floats.
func MarshalConfig(v any) ([]byte, error) { return json.Marshal(pyFloats(v)) }

// WriteArchive writes a .keras zip to w: metadata.json (the Keras version and the date),
// config.json (cfg, the model's serialised config) and model.weights.h5 (weights, a weights
// file's bytes), stored uncompressed as Keras writes them.
func WriteArchive(w io.Writer, cfg, weights []byte) error {
	meta, err := json.Marshal(map[string]any{
		"keras_version": KerasVersion,
		"date_saved":    time.Now().Format("2006-01-02@15:04:05"),
	})
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for _, e := range []struct {
		name string
		data []byte
	}{{archiveMetadata, meta}, {archiveConfig, cfg}, {archiveWeights, weights}} {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store, Modified: time.Now()})
		if err != nil {
			return err
		}
		if _, err := fw.Write(e.data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// Archive is a read .keras file: its config.json decoded, and its model.weights.h5.
type Archive struct {
	Config  map[string]any
	Weights *hdf5.File
}

// Bounds on what a model file may expand to. Keras stores the members of a .keras archive
// uncompressed and writes HDF5 datasets without compression, and real weights (floating-point
// numbers) compress by less than 2:1, so only a hostile or broken file needs more: a 2 MB
// archive whose weights inflate to 2 GiB of zeros is refused before anything is inflated.
const (
	// maxExpansion is how many bytes compressed data (a deflated archive member, a
	// compressed HDF5 dataset) may expand to per stored byte, beyond expansionFloor.
	maxExpansion = 100
	// expansionFloor is what any compressed data may expand to whatever its ratio, so
	// that small files of zeros still load.
	expansionFloor = 64 << 20
	// maxConfigBytes bounds config.json; a keras.applications model's is under 1 MB.
	maxConfigBytes = 64 << 20
)

// ExpansionLimit is what n stored bytes may expand to.
func ExpansionLimit(n uint64) uint64 {
	if n > (math.MaxInt64-expansionFloor)/maxExpansion {
		return math.MaxInt64
	}
	return expansionFloor + n*maxExpansion
}

// archiveMember is one member's bytes, read without copying when it is stored.
type archiveMember struct {
	r      io.ReaderAt
	size   int64
	stored uint64 // bytes it takes in the archive
}

// openMember returns a member of the zip held in b. A stored member is a view of b, checked
// against its CRC; a compressed one is inflated into a buffer of its declared size, which
// must be within expansionLimit of its compressed size and within max, and which the data
// may not overrun.
func openMember(b []byte, f *zip.File, max uint64) (*archiveMember, error) {
	name := f.Name
	if f.Method == zip.Store {
		off, err := f.DataOffset()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", errs.FileFormat, name, err)
		}
		size := f.UncompressedSize64
		if f.CompressedSize64 != size || off < 0 || size > uint64(len(b)) || uint64(off) > uint64(len(b))-size {
			return nil, fmt.Errorf("%w: %s: stored member of %d bytes at offset %d does not fit the %d-byte archive", errs.FileFormat, name, size, off, len(b))
		}
		if size > max {
			return nil, fmt.Errorf("%w: %s holds %d bytes, more than the limit of %d", errs.FileFormat, name, size, max)
		}
		data := b[off : uint64(off)+size]
		if f.CRC32 != 0 && crc32.ChecksumIEEE(data) != f.CRC32 {
			return nil, fmt.Errorf("%w: %s: checksum mismatch", errs.FileFormat, name)
		}
		return &archiveMember{r: bytes.NewReader(data), size: int64(size), stored: size}, nil
	}
	declared := f.UncompressedSize64
	if limit := ExpansionLimit(f.CompressedSize64); declared > limit || declared > max {
		return nil, fmt.Errorf("%w: %s would expand from %d to %d bytes; compressed members may expand at most %d:1 beyond %d MiB, and to at most %d bytes",
			errs.FileFormat, name, f.CompressedSize64, declared, maxExpansion, expansionFloor>>20, min(limit, max))
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errs.FileFormat, name, err)
	}
	defer rc.Close()
	// Read exactly the declared size, then make sure nothing follows: a member that lies
	// about its size is refused without inflating more than one byte beyond the claim.
	data := make([]byte, declared)
	if _, err := io.ReadFull(rc, data); err != nil {
		return nil, fmt.Errorf("%w: %s: shorter than its declared %d bytes: %w", errs.FileFormat, name, declared, err)
	}
	// Reading on to the end makes archive/zip check the CRC; a byte more is an error.
	if extra, err := io.Copy(io.Discard, io.LimitReader(rc, 1)); extra > 0 || err != nil {
		return nil, fmt.Errorf("%w: %s expands beyond its declared %d bytes or is corrupt: %v", errs.FileFormat, name, declared, err)
	}
	return &archiveMember{r: bytes.NewReader(data), size: int64(declared), stored: f.CompressedSize64}, nil
}

// ReadArchive reads a .keras zip held in b, within the bounds above.
func ReadArchive(b []byte) (*Archive, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("%w: not a .keras (zip) archive: %w", errs.FileFormat, err)
	}
	members := map[string]*zip.File{}
	for _, f := range zr.File {
		members[f.Name] = f
	}
	open := func(name string, max uint64) (*archiveMember, error) {
		f := members[name]
		if f == nil {
			return nil, fmt.Errorf("%w: the archive has no %s", errs.FileFormat, name)
		}
		return openMember(b, f, max)
	}
	cm, err := open(archiveConfig, maxConfigBytes)
	if err != nil {
		return nil, err
	}
	cfgBytes := make([]byte, cm.size)
	if _, err := cm.r.ReadAt(cfgBytes, 0); err != nil && cm.size > 0 {
		return nil, fmt.Errorf("%w: config.json: %w", errs.FileFormat, err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(cfgBytes, &cfg); err != nil {
		return nil, fmt.Errorf("%w: config.json: %w", errs.FileFormat, err)
	}
	if cfg == nil {
		return nil, fmt.Errorf("%w: config.json is not a dict", errs.FileFormat)
	}
	wm, err := open(archiveWeights, math.MaxInt64)
	if err != nil {
		if members["model.weights.npz"] != nil {
			return nil, fmt.Errorf("%w: the archive holds model.weights.npz; only HDF5 weights (model.weights.h5, Keras's default) are supported", errs.FileFormat)
		}
		return nil, err
	}
	// The decoded datasets are bounded by what the member takes in the archive, so that
	// compression inside the HDF5 file cannot multiply the archive's.
	wf, err := hdf5.ReadLimit(wm.r, wm.size, int64(ExpansionLimit(wm.stored)))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errs.FileFormat, archiveWeights, err)
	}
	return &Archive{Config: cfg, Weights: wf}, nil
}

// IsZip reports whether b starts like a zip archive.
func IsZip(b []byte) bool {
	return bytes.HasPrefix(b, []byte("PK\x03\x04")) || bytes.HasPrefix(b, []byte("PK\x05\x06"))
}

// ReadHDF5 decodes an HDF5 file (a legacy .h5 model or a .weights.h5 file) held in b, its
// compressed datasets bounded by ExpansionLimit of the file's size.
func ReadHDF5(b []byte) (*hdf5.File, error) {
	f, err := hdf5.ReadLimit(bytes.NewReader(b), int64(len(b)), int64(ExpansionLimit(uint64(len(b)))))
	if err != nil {
		return nil, fmt.Errorf("%w: neither a .keras archive nor a readable HDF5 file: %w", errs.FileFormat, err)
	}
	return f, nil
}
