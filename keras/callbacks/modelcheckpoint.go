package callbacks

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/kerago/kerago/keras"
)

// ModelCheckpointCallback saves the model or its weights during training. Make one with
// [ModelCheckpoint].
type ModelCheckpointCallback struct {
	keras.BaseCallback
	// Out receives the Verbose messages (default os.Stdout).
	Out io.Writer
	// Warn receives warnings, such as a monitored value missing from the logs (default
	// os.Stderr; nil silences them).
	Warn io.Writer

	err             error
	path            string
	mon             monitor
	verbose         int
	saveBestOnly    bool
	saveWeightsOnly bool
	saveFreq        int // 0: every epoch
	best            *float64

	currentEpoch   int
	batchesSince   int
	lastBatchSeen  int // -1: none yet
	warned         warner
	modelSaveFuncs // how a file is written; tests replace it
}

// modelSaveFuncs writes one file; ModelCheckpoint wraps it so that the final path only ever
// holds a complete file.
type modelSaveFuncs struct {
	save func(m *keras.Model, path string, weightsOnly bool) error
}

func saveModel(m *keras.Model, path string, weightsOnly bool) error {
	if weightsOnly {
		return m.SaveWeights(path)
	}
	return m.Save(path)
}

var _ keras.Callback = (*ModelCheckpointCallback)(nil)

// ModelCheckpoint returns Keras 3's ModelCheckpoint callback: it saves the model (Model.Save)
// or only its weights (Model.SaveWeights) to path at the end of every epoch, or every
// SaveFreq batches.
//
// path may hold Keras's format fields, filled from the epoch (counted from 1), the batch
// (from 1, when saving every SaveFreq batches) and the logs: "w.{epoch:02d}-{val_loss:.2f}.keras"
// at the first epoch with val_loss 0.5 is "w.01-0.50.keras". A field naming no logged value
// is an error returned by Fit. path must end in ".keras" or ".h5" (a whole model), or in
// ".weights.h5" with SaveWeightsOnly(true), as Keras 3 requires. Missing parent directories
// are created. A file is written under a temporary name beside its final path and renamed
// into place, so the final path never holds a partial file.
//
// Options and defaults: [Monitor] ("val_loss"), [Verbose] (0), [SaveBestOnly] (false: with
// true, a file is written only when the monitored value improves on the best so far),
// [SaveWeightsOnly] (false), [Mode] ("auto", as [EarlyStopping] decides it), [SaveFreq]
// ("epoch", or a positive number of batches counted across epochs) and
// [InitialValueThreshold] (none: the value the first save with SaveBestOnly must beat). The
// best value is kept across Fit calls, as in Keras.
func ModelCheckpoint(path string, opts ...Option) *ModelCheckpointCallback {
	const cls = "ModelCheckpoint"
	o := (&options{monitor: "val_loss", mode: "auto", saveFreq: "epoch"}).apply(opts)
	c := &ModelCheckpointCallback{
		Out: os.Stdout, Warn: os.Stderr,
		path: path, mon: newMonitor(cls, o), verbose: o.verbose,
		saveBestOnly: o.saveBestOnly, saveWeightsOnly: o.saveWeightsOnly,
		best: o.initialValueThreshold, lastBatchSeen: -1,
		modelSaveFuncs: modelSaveFuncs{save: saveModel},
	}
	errs := []error{checkTaken(cls, o, "Monitor", "Verbose", "SaveBestOnly", "SaveWeightsOnly", "Mode",
		"SaveFreq", "InitialValueThreshold"), checkCommon(cls, o)}
	switch f := o.saveFreq.(type) {
	case string:
		if f != "epoch" {
			errs = append(errs, invalid(cls, "unrecognized SaveFreq(%q): expected \"epoch\" or a number of batches", f))
		}
	default:
		n, ok := asInt(f)
		if !ok || n <= 0 {
			errs = append(errs, invalid(cls, "unrecognized SaveFreq(%v): expected \"epoch\" or a positive number of batches", f))
		}
		c.saveFreq = n
	}
	if o.saveWeightsOnly {
		if !strings.HasSuffix(path, ".weights.h5") {
			errs = append(errs, invalid(cls, "with SaveWeightsOnly(true) the path must end in \".weights.h5\" (Keras weights format), got %q", path))
		}
	} else if !strings.HasSuffix(path, ".keras") && !strings.HasSuffix(path, ".h5") {
		errs = append(errs, invalid(cls, "the path must end in \".keras\" (Keras model format) or \".h5\" (legacy HDF5), or in \".weights.h5\" with SaveWeightsOnly(true); got %q", path))
	}
	if o.initialValueThreshold != nil && (*o.initialValueThreshold != *o.initialValueThreshold) {
		errs = append(errs, invalid(cls, "InitialValueThreshold(NaN) can never be beaten"))
	}
	c.err = errors.Join(errs...)
	return c
}

// asInt accepts Go's integer types.
func asInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int8:
		return int(n), true
	case int16:
		return int(n), true
	case int32:
		return int(n), true
	case int64:
		return int(n), true
	case uint:
		return int(n), true
	case uint8:
		return int(n), true
	case uint16:
		return int(n), true
	case uint32:
		return int(n), true
	case uint64:
		return int(n), true
	}
	return 0, false
}

// Err returns the problem with the path or the options, if any; Fit returns it too.
func (c *ModelCheckpointCallback) Err() error { return c.err }

// Best returns the best monitored value so far (InitialValueThreshold before any save);
// ok is false when there is none.
func (c *ModelCheckpointCallback) Best() (v float64, ok bool) {
	if c.best == nil {
		return 0, false
	}
	return *c.best, true
}

// OnTrainBegin reports a bad path or option.
func (c *ModelCheckpointCallback) OnTrainBegin(keras.Logs) error { return c.err }

// OnEpochBegin records the epoch, for saves every SaveFreq batches.
func (c *ModelCheckpointCallback) OnEpochBegin(epoch int, _ keras.Logs) error {
	c.currentEpoch = epoch
	return c.err
}

// OnTrainBatchEnd counts batches and saves every SaveFreq of them.
func (c *ModelCheckpointCallback) OnTrainBatchEnd(batch int, logs keras.Logs) error {
	if c.err != nil || c.saveFreq == 0 {
		return c.err
	}
	if c.lastBatchSeen < 0 || batch <= c.lastBatchSeen {
		c.batchesSince += batch + 1 // a new epoch
	} else {
		c.batchesSince += batch - c.lastBatchSeen
	}
	c.lastBatchSeen = batch
	if c.batchesSince < c.saveFreq {
		return nil
	}
	c.batchesSince = 0
	return c.saveAt(c.currentEpoch, batch, logs)
}

// OnEpochEnd saves the model when saving every epoch.
func (c *ModelCheckpointCallback) OnEpochEnd(epoch int, logs keras.Logs) error {
	if c.err != nil {
		return c.err
	}
	if err := c.mon.resolve(c.Model()); err != nil {
		return err
	}
	if c.saveFreq != 0 {
		return nil
	}
	return c.saveAt(epoch, -1, logs)
}

// saveAt is Keras's _save_model: format the path, decide, write. batch is -1 for an epoch
// save.
func (c *ModelCheckpointCallback) saveAt(epoch, batch int, logs keras.Logs) error {
	ints := map[string]int{"epoch": epoch + 1}
	if _, ok := logs["batch"]; batch >= 0 && !ok {
		ints["batch"] = batch + 1
	}
	path, err := formatPath(c.path, ints, logs)
	if err != nil {
		return &Error{Callback: "ModelCheckpoint", Err: fmt.Errorf("failed to format the file path %q: %w", c.path, err)}
	}
	ok, err := c.shouldSave(epoch, logs, path)
	if err != nil || !ok {
		return err
	}
	if err := c.write(path); err != nil {
		return &Error{Callback: "ModelCheckpoint", Err: err}
	}
	if c.verbose > 0 {
		fmt.Fprintf(c.Out, "\nEpoch %d: finished saving model to %s\n", epoch+1, path)
	}
	return nil
}

// shouldSave is Keras 3's _should_save_model, messages included.
func (c *ModelCheckpointCallback) shouldSave(epoch int, logs keras.Logs, path string) (bool, error) {
	if !c.saveBestOnly {
		if c.verbose > 0 {
			fmt.Fprintf(c.Out, "\nEpoch %d: saving model to %s\n", epoch+1, path)
		}
		return true, nil
	}
	current, ok := logs[c.mon.name]
	if !ok {
		// Keras 3 warns and saves anyway.
		c.warned.warn(c.Warn, fmt.Sprintf("Can save best model only with %s available.", c.mon.name))
		return true, nil
	}
	// Batch saves may come before the first epoch end decided the direction.
	if err := c.mon.resolve(c.Model()); err != nil {
		return false, err
	}
	bestStr := "None"
	if c.best != nil {
		bestStr = mustFormatFloat(*c.best, ".5f")
	}
	if c.mon.improved(current, c.best) {
		if c.verbose > 0 {
			fmt.Fprintf(c.Out, "\nEpoch %d: %s improved from %s to %s, saving model to %s\n",
				epoch+1, c.mon.name, bestStr, mustFormatFloat(current, ".5f"), path)
		}
		c.best = ptr(current)
		return true, nil
	}
	if c.verbose > 0 {
		fmt.Fprintf(c.Out, "\nEpoch %d: %s did not improve from %s\n", epoch+1, c.mon.name, bestStr)
	}
	return false, nil
}

// write saves to a temporary file beside path (with the same ending, which chooses the
// format) and renames it into place.
func (c *ModelCheckpointCallback) write(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("please specify a non-directory file path: %s is an existing directory", path)
	}
	dir, base := filepath.Split(path)
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("creating the directory of %s: %w", path, err)
		}
	}
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, ".tmp-*-"+strings.ReplaceAll(base, "*", "_"))
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	// The name is reserved; Save creates the file afresh (with its own permissions).
	tmp := f.Name()
	f.Close()
	os.Remove(tmp)
	if err := c.save(c.Model(), tmp, c.saveWeightsOnly); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("saving %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("saving %s: %w", path, err)
	}
	return nil
}
