package keras

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kerago/kerago/keras/internal/errs"
	"github.com/kerago/kerago/keras/internal/hdf5"
)

// ErrFileFormat reports a model or weights file that is malformed, truncated, of an unknown
// format, or does not fit the model it is loaded into.
var ErrFileFormat = errs.FileFormat

// fileErr wraps err with the operation and the file, as every saving error is reported.
func fileErr(op, path string, err error) error {
	return fmt.Errorf("keras: %s %s: %w", op, path, err)
}

// Save writes the model, its weights and, once compiled, its training configuration and
// optimizer state to path, in the Keras 3 format the ending names:
//
//   - ".keras": Keras 3's archive, a zip of config.json (the architecture and compile
//     configuration), metadata.json and model.weights.h5 (weights and optimizer variables);
//   - ".h5" or ".hdf5": Keras's legacy HDF5 model (model_config, training_config,
//     model_weights and optimizer_weights).
//
// Keras (keras.saving.load_model) and [LoadModel] read both. The file is written to a
// temporary file in the same directory and renamed over path only when complete, so a failed
// Save leaves an earlier file at path intact.
func (m *Model) Save(path string) (err error) {
	defer recoverErr("Save", &err)
	m.mu.Lock() // a consistent snapshot while another goroutine trains
	defer m.mu.Unlock()
	if err := checkSavable(m); err != nil {
		return fileErr("Save", path, err)
	}
	lower := strings.ToLower(path)
	switch {
	case strings.HasSuffix(lower, ".keras"):
		err = writeFileAtomic(path, m.writeArchive)
	case strings.HasSuffix(lower, ".h5"), strings.HasSuffix(lower, ".hdf5"):
		err = writeFileAtomic(path, func(w io.Writer) error {
			f, err := m.legacyFile()
			if err != nil {
				return err
			}
			_, err = f.WriteTo(w)
			return err
		})
	default:
		err = fmt.Errorf("%w: unknown format: the file name must end in .keras (Keras 3's format) or .h5", ErrInvalidArgument)
	}
	if err != nil {
		return fileErr("Save", path, err)
	}
	return nil
}

// SaveWeights writes the model's weights (and, once compiled, the optimizer's variables) to
// path, which must end in ".weights.h5": Keras 3's weights file, which Keras's
// model.load_weights and [Model.LoadWeights] read. Weights are keyed by Keras's layer keys
// (layers/dense/vars/0 ...), derived from the layer classes in model order, not from names.
// The write is atomic, as for [Model.Save].
func (m *Model) SaveWeights(path string) (err error) {
	defer recoverErr("SaveWeights", &err)
	if !strings.HasSuffix(strings.ToLower(path), ".weights.h5") {
		return fileErr("SaveWeights", path, fmt.Errorf("%w: the file name must end in .weights.h5", ErrInvalidArgument))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := checkSavable(m); err != nil {
		return fileErr("SaveWeights", path, err)
	}
	err = writeFileAtomic(path, func(w io.Writer) error {
		b, err := m.weightsBytes()
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		return fileErr("SaveWeights", path, err)
	}
	return nil
}

// LoadWeights reads weights into the model from a Keras 3 ".weights.h5" file (matched by
// Keras's layer keys; also the optimizer's variables when the model is compiled and the file
// has them), from the weights of a ".keras" archive, or from a legacy HDF5 ".h5" file (matched
// by order, as Keras's legacy loader does: the file's layers with weights to the model's). The
// shapes must match; nothing changes unless every weight reads.
func (m *Model) LoadWeights(path string) (err error) {
	defer recoverErr("LoadWeights", &err)
	m.mu.Lock()
	defer m.mu.Unlock()
	b, err := os.ReadFile(path)
	if err != nil {
		return fileErr("LoadWeights", path, err)
	}
	if isZip(b) {
		a, err := readArchive(b)
		if err != nil {
			return fileErr("LoadWeights", path, err)
		}
		if err := readWeights(m, a.weights.Root); err != nil {
			return fileErr("LoadWeights", path, err)
		}
		return nil
	}
	f, err := readHDF5(b)
	if err != nil {
		return fileErr("LoadWeights", path, err)
	}
	root := f.Root
	if g, ok := root.Group("model_weights"); ok {
		err = readLegacyWeights(m, g)
	} else if _, legacy := chunkedStrings(root, "layer_names"); legacy {
		err = readLegacyWeights(m, root)
	} else {
		err = readWeights(m, root)
	}
	if err != nil {
		return fileErr("LoadWeights", path, err)
	}
	return nil
}

// LoadOption configures LoadModel.
type LoadOption func(*loadConfig)

type loadConfig struct{ compile bool }

// LoadCompile sets whether LoadModel compiles the model from the saved training
// configuration (default true, Keras's compile=True). With false the model is returned
// uncompiled, which also loads files whose optimizer, loss or metrics this library lacks.
func LoadCompile(compile bool) LoadOption { return func(c *loadConfig) { c.compile = compile } }

// LoadModel reads a model saved by [Model.Save] or by Keras (model.save): a ".keras" archive
// or a legacy HDF5 ".h5" file, told apart by their contents. It rebuilds the architecture
// with the layer classes registered with [RegisterLayer] (package layers registers every
// built-in layer: import it), loads the weights, and, when the file was saved compiled,
// compiles the model and restores the optimizer's state, so Fit resumes where training
// stopped. A layer class this library lacks is an error wrapping ErrUnknownName that names
// it; a malformed file, one wrapping ErrFileFormat. Errors name the file.
func LoadModel(path string, opts ...LoadOption) (m *Model, err error) {
	defer recoverErr("LoadModel", &err)
	lc := loadConfig{compile: true}
	for _, o := range opts {
		o(&lc)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fileErr("LoadModel", path, err)
	}
	if isZip(b) {
		m, err = loadArchive(b, lc)
	} else {
		var f *hdf5.File
		if f, err = readHDF5(b); err == nil {
			m, err = loadLegacyModel(f, lc)
		}
	}
	if err != nil {
		return nil, fileErr("LoadModel", path, err)
	}
	return m, nil
}

// isZip reports whether b starts like a zip archive.
func isZip(b []byte) bool {
	return bytes.HasPrefix(b, []byte("PK\x03\x04")) || bytes.HasPrefix(b, []byte("PK\x05\x06"))
}

// readHDF5 decodes an HDF5 file held in b.
func readHDF5(b []byte) (*hdf5.File, error) {
	f, err := hdf5.ReadLimit(bytes.NewReader(b), int64(len(b)), int64(expansionLimit(uint64(len(b)))))
	if err != nil {
		return nil, fmt.Errorf("%w: neither a .keras archive nor a readable HDF5 file: %w", ErrFileFormat, err)
	}
	return f, nil
}
