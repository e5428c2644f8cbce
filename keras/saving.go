package keras

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/kerago/kerago/keras/internal/errs"
	"github.com/kerago/kerago/keras/internal/hdf5"
	"github.com/kerago/kerago/keras/internal/saving"
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
	defer m.lockWeights()() // a consistent snapshot while another goroutine trains
	if err := checkSavable(m); err != nil {
		return fileErr("Save", path, err)
	}
	lower := strings.ToLower(path)
	switch {
	case strings.HasSuffix(lower, ".keras"):
		err = saving.WriteFileAtomic(path, m.writeArchive)
	case strings.HasSuffix(lower, ".h5"), strings.HasSuffix(lower, ".hdf5"):
		err = saving.WriteFileAtomic(path, func(w io.Writer) error {
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
	defer m.lockWeights()()
	if err := checkSavable(m); err != nil {
		return fileErr("SaveWeights", path, err)
	}
	err = saving.WriteFileAtomic(path, func(w io.Writer) error {
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
	defer m.lockWeights()()
	b, err := os.ReadFile(path)
	if err != nil {
		return fileErr("LoadWeights", path, err)
	}
	if saving.IsZip(b) {
		a, err := saving.ReadArchive(b)
		if err != nil {
			return fileErr("LoadWeights", path, err)
		}
		if err := readWeights(m, a.Weights.Root); err != nil {
			return fileErr("LoadWeights", path, err)
		}
		return nil
	}
	f, err := saving.ReadHDF5(b)
	if err != nil {
		return fileErr("LoadWeights", path, err)
	}
	root := f.Root
	if g, ok := root.Group("model_weights"); ok {
		err = readLegacyWeights(m, g)
	} else if _, legacy := saving.ChunkedStrings(root, "layer_names"); legacy {
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
	if saving.IsZip(b) {
		m, err = loadArchive(b, lc)
	} else {
		var f *hdf5.File
		if f, err = saving.ReadHDF5(b); err == nil {
			m, err = loadLegacyModel(f, lc)
		}
	}
	if err != nil {
		return nil, fileErr("LoadModel", path, err)
	}
	return m, nil
}

// StaleTempAge is how old a temporary file of an interrupted save (a process killed while
// saving leaves one behind) must be before the next save into its directory removes it. A
// save that is still running keeps its file's modification time fresh as it writes.
const StaleTempAge = 15 * time.Minute

// The files are removed by saving.WriteFileAtomic; a difference between the two durations
// (negative one way or the other) does not compile.
const _ = uint(StaleTempAge-saving.StaleTempAge) + uint(saving.StaleTempAge-StaleTempAge)

// modelJSON returns config.json: the model serialised as Keras 3's serialize_keras_object
// does, with build_config and compile_config.
func (m *Model) modelJSON() ([]byte, error) {
	b, err := saving.MarshalConfig(serializeLayer(m))
	if err != nil {
		return nil, fmt.Errorf("%w: config.json: %w", ErrInvalidArgument, err)
	}
	return b, nil
}

// writeArchive writes m as a .keras zip.
func (m *Model) writeArchive(w io.Writer) error {
	cfg, err := m.modelJSON()
	if err != nil {
		return err
	}
	weights, err := m.weightsBytes()
	if err != nil {
		return err
	}
	return saving.WriteArchive(w, cfg, weights)
}

// weightsBytes encodes the model's weights (and optimizer state) as Keras 3's
// model.weights.h5.
func (m *Model) weightsBytes() ([]byte, error) {
	f := hdf5.NewFile()
	if err := writeWeights(m, f.Root); err != nil {
		return nil, err
	}
	return f.Bytes()
}

// loadArchive rebuilds, compiles and fills the model of a .keras archive.
func loadArchive(b []byte, lc loadConfig) (*Model, error) {
	a, err := saving.ReadArchive(b)
	if err != nil {
		return nil, err
	}
	return buildSavedModel(a.Config, a.Config["compile_config"], a.Weights.Root, readWeights, lc)
}

// buildSavedModel rebuilds the model a config describes ({"class_name", "config"}), with a
// weight budget from the weights file, compiles it from compileCfg (unless lc says not to)
// and reads the weights with read.
func buildSavedModel(top map[string]any, compileCfg any, weights *hdf5.Group, read func(*Model, *hdf5.Group) error, lc loadConfig) (m *Model, err error) {
	defer recoverErr("LoadModel", &err)
	class, _ := top["class_name"].(string)
	cfg, _ := top["config"].(map[string]any)
	switch class {
	case "Functional", "Model", "Sequential":
	case "":
		return nil, fmt.Errorf("%w: the model config has no class_name", ErrFileFormat)
	default:
		return nil, fmt.Errorf("%w: model class %q is not supported (only Functional and Sequential models)", ErrUnknownName, class)
	}
	if cfg == nil {
		return nil, fmt.Errorf("%w: the model config has no config dict", ErrFileFormat)
	}
	st := newLoadState(saving.DatasetElements(weights) + 4096)
	defer st.release()
	if m, err = modelFromConfig(class, cfg, st); err != nil {
		return nil, err
	}
	st.release()
	if cc, ok := compileCfg.(map[string]any); ok && len(cc) > 0 && lc.compile {
		if err := m.compileFromConfig(cc); err != nil {
			return nil, fmt.Errorf("compiling from the saved config: %w", err)
		}
	}
	if err := read(m, weights); err != nil {
		return nil, err
	}
	return m, nil
}
