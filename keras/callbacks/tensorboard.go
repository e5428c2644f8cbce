package callbacks

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/tensorboard"
	"gorgonia.org/tensor"
)

// TensorBoardCallback writes what Keras 3's TensorBoard callback writes, in event files that
// TensorBoard reads. Make one with [TensorBoard].
type TensorBoardCallback struct {
	keras.BaseCallback
	// Warn receives warnings, such as a model whose graph cannot be written as JSON (default
	// os.Stderr; nil silences them).
	Warn io.Writer

	err           error
	logDir        string
	histogramFreq int
	updateFreq    int // batches between batch-level scalars; 0 for "epoch"
	writeGraph    bool

	train, val *tensorboard.Writer
	inFit      bool
	graphModel *keras.Model // the model whose graph has been written
	steps      int64        // batches per epoch of the current Fit
	stepBase   int64        // epoch × steps of the current epoch
	globalStep int64        // train batches so far, counting InitialEpoch × steps before the Fit
	weights    []tbWeight   // histogram tags, fixed at train begin

	keys      []string          // reused to sort log keys
	hist      []float64         // reused for histogram values
	batchTags map[string]string // "loss" → "batch_loss"
	evalTags  map[string]string // "loss" → "evaluation_loss_vs_iterations"
	lastEval  int64             // step of the last evaluation written to val; -1 before any
	warned    warner
}

// tbWeight is one weight histogram: its tag, its variable and the variable's position in
// the model's Weights, where its values are read from.
type tbWeight struct {
	tag string
	v   *keras.Variable
	idx int
}

var _ keras.Callback = (*TensorBoardCallback)(nil)

// TensorBoard returns Keras 3's TensorBoard callback. It writes two TensorBoard runs under
// logDir, as Keras does: logDir/train and logDir/validation (the latter created only when
// validation runs), each holding event files named
// events.out.tfevents.<seconds>.<host>.<pid>.<n>.v2 (see package tensorboard):
//
//   - at every epoch end, in train: epoch_<name> for every log without the val_ prefix
//     (epoch_loss, epoch_acc, ...) and epoch_learning_rate, read from the model's optimizer;
//     in validation: epoch_<name> for every val_<name> log (epoch_loss, ...). The step is the
//     epoch index (0-based, so training resumed with keras.InitialEpoch continues the curves);
//   - at the end of every evaluation (the validation of each epoch, and Evaluate when the
//     callback is passed to it), in validation: evaluation_<name>_vs_iterations, at the step
//     of the optimizer's iterations (training steps taken);
//   - with [UpdateFreq]("batch") or UpdateFreq(n), in train: batch_<name> for the running
//     loss and metrics every n training batches, at the global batch step (1-based, counting
//     InitialEpoch × steps per epoch before the first batch of a resumed run);
//   - with [HistogramFreq](n), n > 0, in train: every n epochs a histogram of every weight
//     of every layer, tagged with Keras 3's weight path: "<layer>/<weight>/histogram", e.g.
//     "dense/kernel/histogram" (the layers of a Sequential model are scoped by its name:
//     "sequential/dense/kernel/histogram");
//   - with [WriteGraph](true), in train: the model's layer graph as an op graph (a GraphDef,
//     one node per layer call, tag "__run_graph__"), which TensorBoard's Graphs tab opens
//     on, and the model's Keras JSON (tag "keras", step 0), which it draws as the model's
//     conceptual graph.
//
// Options and defaults: [HistogramFreq] (0: no histograms), [UpdateFreq] ("epoch"; "batch"
// means 1; a number is batches between writes) and [WriteGraph] (true). Events are flushed
// at every epoch end and the files are closed when training ends; a directory that cannot be
// created or written is an error returned by Fit, as is a bad option (see also Err). Keras's
// write_images, write_steps_per_second, profile_batch and embeddings options are not
// offered.
//
// One callback may serve several Fit calls: each opens new event files in the same runs, and
// the graph is written once per model. To continue curves, resume with keras.InitialEpoch.
func TensorBoard(logDir string, opts ...Option) *TensorBoardCallback {
	const cls = "TensorBoard"
	o := (&options{writeGraph: true, updateFreq: "epoch"}).apply(opts)
	c := &TensorBoardCallback{
		Warn:   os.Stderr,
		logDir: logDir, histogramFreq: o.histogramFreq, writeGraph: o.writeGraph,
	}
	errs := []error{checkTaken(cls, o, "HistogramFreq", "UpdateFreq", "WriteGraph")}
	if logDir == "" {
		errs = append(errs, invalid(cls, "empty log directory; give one such as \"logs\""))
	}
	if o.histogramFreq < 0 {
		errs = append(errs, invalid(cls, "HistogramFreq(%d) must not be negative (0 writes no histograms)", o.histogramFreq))
	}
	freq, err := tbUpdateFreq(o.updateFreq)
	if err != nil {
		errs = append(errs, err)
	}
	c.updateFreq = freq
	c.err = errors.Join(errs...)
	return c
}

// tbUpdateFreq turns UpdateFreq's value into batches between writes (0 for "epoch").
func tbUpdateFreq(v any) (int, error) {
	var n int64
	switch x := v.(type) {
	case string:
		switch x {
		case "epoch":
			return 0, nil
		case "batch":
			return 1, nil
		}
		return 0, invalid("TensorBoard", "UpdateFreq(%q) must be \"epoch\", \"batch\" or a positive number of batches", x)
	case int:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	case uint:
		n = int64(x)
	case uint32:
		n = int64(x)
	default:
		return 0, invalid("TensorBoard", "UpdateFreq(%v) (a %T) must be \"epoch\", \"batch\" or a positive number of batches", v, v)
	}
	if n <= 0 || n > 1<<31 {
		return 0, invalid("TensorBoard", "UpdateFreq(%d) must be a positive number of batches", n)
	}
	return int(n), nil
}

// Err returns the problem with the arguments given, if any; Fit returns it too.
func (c *TensorBoardCallback) Err() error { return c.err }

// LogDir returns the directory holding the train and validation runs.
func (c *TensorBoardCallback) LogDir() string { return c.logDir }

// fail wraps an error of this callback.
func (c *TensorBoardCallback) fail(err error) error {
	if err == nil {
		return nil
	}
	return &Error{Callback: "TensorBoard", Err: err}
}

// OnTrainBegin opens the train run (creating logDir/train) and writes the model graph. A log
// directory that cannot be created or written is returned as an error, and Fit stops.
func (c *TensorBoardCallback) OnTrainBegin(keras.Logs) error {
	if c.err != nil {
		return c.err
	}
	m := c.Model()
	if m == nil {
		return c.fail(fmt.Errorf("%w: no model (Fit sets it with SetModel)", keras.ErrInvalidArgument))
	}
	if err := c.closeWriters(); err != nil { // left open by an interrupted loop
		return err
	}
	w, err := tensorboard.New(filepath.Join(c.logDir, "train"))
	if err != nil {
		return c.fail(err)
	}
	c.train, c.inFit = w, true
	c.steps = int64(c.Params().Steps)
	c.stepBase, c.globalStep = 0, 0
	c.weights = nil
	if c.histogramFreq > 0 {
		c.weights = tbWeights(m)
	}
	if c.writeGraph && c.graphModel != m {
		if err := c.writeOpGraph(m); err != nil {
			return c.fail(err)
		}
		js, err := tbModelJSON(m)
		if err != nil {
			c.warned.warn(c.Warn, fmt.Sprintf("Model failed to serialize as JSON. Ignoring... %v", err))
			return nil
		}
		if err := c.train.Graph(js); err != nil {
			return c.fail(err)
		}
		c.graphModel = m
	}
	return nil
}

// OnEpochBegin places the epoch's batches on the global step axis.
func (c *TensorBoardCallback) OnEpochBegin(epoch int, _ keras.Logs) error {
	c.stepBase = int64(epoch) * c.steps
	c.globalStep = c.stepBase
	return nil
}

// OnTrainBatchEnd writes batch_<name> scalars every UpdateFreq batches.
func (c *TensorBoardCallback) OnTrainBatchEnd(batch int, logs keras.Logs) error {
	c.globalStep = c.stepBase + int64(batch) + 1
	if c.updateFreq == 0 || c.train == nil || c.globalStep%int64(c.updateFreq) != 0 {
		return nil
	}
	if c.batchTags == nil {
		c.batchTags = map[string]string{}
	}
	for _, k := range c.sortedKeys(logs) {
		tag, ok := c.batchTags[k]
		if !ok {
			tag = "batch_" + k
			c.batchTags[k] = tag
		}
		if err := c.train.Scalar(tag, c.globalStep, logs[k]); err != nil {
			return c.fail(err)
		}
	}
	return nil
}

// OnTestBegin opens the validation run (creating logDir/validation) if it is not open yet.
func (c *TensorBoardCallback) OnTestBegin(keras.Logs) error {
	if c.err != nil {
		return c.err
	}
	return c.openVal()
}

// OnTestEnd writes evaluation_<name>_vs_iterations in the validation run, at the step of the
// optimizer's iterations (the training steps it has taken, over every Fit of the model). In
// Evaluate, outside Fit, the validation file is closed afterwards.
func (c *TensorBoardCallback) OnTestEnd(logs keras.Logs) error {
	if c.err != nil {
		return c.err
	}
	var err error
	if m := c.Model(); m != nil && m.Optimizer() != nil && c.val != nil {
		err = c.writeEvaluation(m.Optimizer().Iterations(), logs)
	}
	if !c.inFit && c.val != nil {
		cerr := c.val.Close()
		c.val = nil
		if err == nil {
			err = c.fail(cerr)
		}
	}
	return err
}

// writeEvaluation writes evaluation_<name>_vs_iterations at step. When the optimizer took no
// step since the last evaluation (a model without trainable weights), TensorBoard would
// replace the earlier points with these, so they are skipped with a warning instead.
func (c *TensorBoardCallback) writeEvaluation(step int64, logs keras.Logs) error {
	if step <= c.lastEval {
		c.warned.warn(c.Warn, fmt.Sprintf("TensorBoard: evaluation at optimizer iteration %d, not after the last one written (%d): evaluation_*_vs_iterations points are written only when the optimizer has taken a step since", step, c.lastEval))
		return nil
	}
	c.lastEval = step
	if c.evalTags == nil {
		c.evalTags = map[string]string{}
	}
	for _, k := range c.sortedKeys(logs) {
		tag, ok := c.evalTags[k]
		if !ok {
			tag = "evaluation_" + k + "_vs_iterations"
			c.evalTags[k] = tag
		}
		if err := c.val.Scalar(tag, step, logs[k]); err != nil {
			return c.fail(err)
		}
	}
	return nil
}

// OnEpochEnd writes the epoch scalars of both runs and, every HistogramFreq epochs, the
// weight histograms, then flushes the files so a running TensorBoard shows the epoch.
func (c *TensorBoardCallback) OnEpochEnd(epoch int, logs keras.Logs) error {
	if c.train == nil {
		return nil
	}
	step := int64(epoch)
	if len(logs) > 0 { // Keras writes no epoch scalars for empty logs
		var lr *float64
		if m := c.Model(); m != nil && m.Optimizer() != nil {
			v := m.Optimizer().LearningRate()
			lr = &v
		}
		hasVal := false
		for _, k := range c.sortedKeys(logs) {
			if strings.HasPrefix(k, "val_") {
				hasVal = true
				continue
			}
			if k == "learning_rate" && lr != nil {
				continue // written below, from the optimizer, as Keras does
			}
			if err := c.train.Scalar("epoch_"+k, step, logs[k]); err != nil {
				return c.fail(err)
			}
		}
		if lr != nil {
			if err := c.train.Scalar("epoch_learning_rate", step, *lr); err != nil {
				return c.fail(err)
			}
		}
		if hasVal {
			if err := c.openVal(); err != nil {
				return err
			}
			for _, k := range c.sortedKeys(logs) {
				if name, ok := strings.CutPrefix(k, "val_"); ok {
					if err := c.val.Scalar("epoch_"+name, step, logs[k]); err != nil {
						return c.fail(err)
					}
				}
			}
		}
	}
	if c.histogramFreq > 0 && epoch%c.histogramFreq == 0 && len(c.weights) > 0 {
		// Weights copies the values under the model's lock: another goroutine's Fit,
		// Predict or LoadWeights may be running a step, and Gorgonia's matrix product
		// rewrites the weights' headers in place while it does.
		snap := c.Model().Weights()
		for _, w := range c.weights {
			if w.idx >= len(snap) {
				return c.fail(fmt.Errorf("%w: weight %s is not among the model's %d weights", keras.ErrInternal, w.v.Path, len(snap)))
			}
			if err := c.train.Histogram(w.tag, step, c.values(snap[w.idx])); err != nil {
				return c.fail(err)
			}
		}
	}
	if err := c.train.Flush(); err != nil {
		return c.fail(err)
	}
	if c.val != nil {
		return c.fail(c.val.Flush())
	}
	return nil
}

// OnTrainEnd closes the event files.
func (c *TensorBoardCallback) OnTrainEnd(keras.Logs) error {
	c.inFit = false
	return c.closeWriters()
}

// openVal opens the validation run if it is not open yet.
func (c *TensorBoardCallback) openVal() error {
	if c.val != nil {
		return nil
	}
	w, err := tensorboard.New(filepath.Join(c.logDir, "validation"))
	if err != nil {
		return c.fail(err)
	}
	c.val, c.lastEval = w, -1
	return nil
}

// closeWriters closes both runs' files.
func (c *TensorBoardCallback) closeWriters() error {
	var errs []error
	for _, w := range []**tensorboard.Writer{&c.train, &c.val} {
		if *w != nil {
			errs = append(errs, (*w).Close())
			*w = nil
		}
	}
	return c.fail(errors.Join(errs...))
}

// sortedKeys returns the keys of logs in alphabetical order, in a reused slice.
func (c *TensorBoardCallback) sortedKeys(logs keras.Logs) []string {
	c.keys = c.keys[:0]
	for k := range logs {
		c.keys = append(c.keys, k)
	}
	slices.Sort(c.keys)
	return c.keys
}

// values returns a weight's numbers as float64, in a reused slice.
func (c *TensorBoardCallback) values(v *tensor.Dense) []float64 {
	c.hist = c.hist[:0]
	switch d := v.Data().(type) {
	case []float32:
		for _, x := range d {
			c.hist = append(c.hist, float64(x))
		}
	case []float64:
		c.hist = append(c.hist, d...)
	case float32:
		c.hist = append(c.hist, float64(d))
	case float64:
		c.hist = append(c.hist, d)
	}
	return c.hist
}

// tbWeights lists the weights whose histograms Keras 3's _log_weights writes: every weight of
// every layer of the model (nested models expanded), each once, tagged
// "<weight.path with ':' → '_'>/histogram". Keras builds the layers of a Sequential model
// inside its name scope, so their paths start with the model's name. Should two weights
// share a path, the later one gets a "_1", "_2" ... suffix, so that neither hides the other.
func tbWeights(m *keras.Model) []tbWeight {
	var out []tbWeight
	index := map[*keras.Variable]int{}
	for i, v := range m.Variables() { // the order of m.Weights()
		index[v] = i
	}
	seen := map[*keras.Variable]bool{}
	used := map[string]int{}
	var walk func(ls []keras.Layer, scope string)
	walk = func(ls []keras.Layer, scope string) {
		for _, l := range ls {
			if inner, ok := l.(*keras.Model); ok {
				s := scope
				if inner.ClassName() == "Sequential" {
					s += inner.Name() + "/"
				}
				walk(inner.Layers(), s)
				continue
			}
			for _, v := range l.Variables() {
				if v == nil || v.Value == nil || seen[v] {
					continue
				}
				seen[v] = true
				path := v.Path
				if path == "" {
					path = l.Name() + "/" + v.Name
				}
				name := strings.ReplaceAll(scope+path, ":", "_")
				if n := used[name]; n > 0 {
					used[name]++
					name = fmt.Sprintf("%s_%d", name, n)
				}
				used[name]++
				i, ok := index[v]
				if !ok {
					i = len(index) // not in Weights: OnEpochEnd reports it
				}
				out = append(out, tbWeight{tag: name + "/histogram", v: v, idx: i})
			}
		}
	}
	scope := ""
	if m.ClassName() == "Sequential" {
		scope = m.Name() + "/"
	}
	walk(m.Layers(), scope)
	return out
}

// tbKerasVersion is the Keras version whose model JSON the graph imitates.
const tbKerasVersion = "3.16.0"

// tbModelJSON returns the model as Keras 3's model.to_json() writes it (module, class_name,
// config with the layers and their inbound nodes, registered_name, build_config), plus the
// keras_version and backend keys of Keras 2's JSON. TensorBoard's graph plugin reads the
// class name and the config.
func tbModelJSON(m *keras.Model) ([]byte, error) {
	cls := m.ClassName()
	js := map[string]any{
		"module":          "keras.src.models.functional",
		"class_name":      cls,
		"config":          m.Config(),
		"registered_name": cls,
		"build_config":    map[string]any{"input_shape": nil},
		"keras_version":   tbKerasVersion,
		"backend":         "gorgonia",
	}
	if cls == "Sequential" {
		js["module"], js["registered_name"] = "keras", nil
		delete(js, "build_config")
	}
	return json.Marshal(js)
}
