package callbacks_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/callbacks"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/tensorboard"
)

// tbFlushProbe runs after the TensorBoard callback and reads the train run at every epoch
// end: the epoch's scalars must already be in the file (flushed), not in a buffer.
type tbFlushProbe struct {
	keras.BaseCallback
	t      *testing.T
	dir    string
	counts []int // epoch_loss points on disk at each epoch end
}

func (p *tbFlushProbe) OnEpochEnd(int, keras.Logs) error {
	evs, err := tensorboard.ReadDir(filepath.Join(p.dir, "train"))
	if err != nil {
		p.t.Errorf("reading the train run during training: %v", err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Tag == "epoch_loss" {
			n++
		}
	}
	p.counts = append(p.counts, n)
	return nil
}

// TestTensorBoardRuns trains a real model with each configuration and compares every event
// written with what the training loop logged (History values, the optimizer's learning rate,
// batch logs, evaluation logs) as recorded by an independent callback.
func TestTensorBoardRuns(t *testing.T) {
	x, y := tbIris(t)
	xTrain, xVal := tbSplit(t, x, 120)
	yTrain, yVal := tbSplit(t, y, 120)
	cases := []struct {
		name          string
		opts          []callbacks.Option
		updateFreq    int
		histogramFreq int
		graph         bool
		fit           []keras.FitOption
		wantVal       bool
		heldOut       bool // train on the first 120 rows, validate on the rest
	}{
		{name: "defaults with validation split", graph: true,
			fit: []keras.FitOption{keras.ValidationSplit(0.2)}, wantVal: true},
		{name: "histograms every 2 epochs", opts: []callbacks.Option{callbacks.HistogramFreq(2)},
			histogramFreq: 2, graph: true, fit: []keras.FitOption{keras.ValidationSplit(0.2)}, wantVal: true},
		{name: "batch level without validation", opts: []callbacks.Option{callbacks.UpdateFreq("batch"), callbacks.HistogramFreq(1)},
			updateFreq: 1, histogramFreq: 1, graph: true},
		{name: "every 3 batches with validation data, no graph",
			opts:       []callbacks.Option{callbacks.UpdateFreq(3), callbacks.WriteGraph(false)},
			updateFreq: 3, fit: []keras.FitOption{keras.ValidationData(xVal, yVal)}, wantVal: true, heldOut: true},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			keras.SetRandomSeed(int64(i))
			name := "tbruns" + string(rune('a'+i))
			m := tbIrisModel(t, name)
			dir := filepath.Join(t.TempDir(), "logs")
			exp := &tbExpect{}
			rec := &tbRecorder{exp: exp, updateFreq: tc.updateFreq, histogramFreq: tc.histogramFreq,
				weights: tbWeightSpecs(m, ""), lr0: 0.02, decay: 0.7}
			exp.run("train")
			if tc.graph {
				exp.run("train").Graph = tbNodes(m, map[string][]string{name + "_hidden": {name + "_in"}, name + "_out": {name + "_hidden"}})
				exp.run("train").OpGraph = tbOps(m, map[string][]string{name + "_hidden": {name + "_in"}, name + "_out": {name + "_hidden"}})
			}
			tb := callbacks.TensorBoard(dir, tc.opts...)
			if err := tb.Err(); err != nil {
				t.Fatal(err)
			}
			probe := &tbFlushProbe{t: t, dir: dir}
			fit := append([]keras.FitOption{keras.Epochs(4), keras.BatchSize(16), keras.Verbose(0),
				keras.Callbacks(rec, tb, probe)}, tc.fit...)
			xs, ys := x, y
			if tc.heldOut {
				xs, ys = xTrain, yTrain
			}
			h, err := m.Fit(xs, ys, fit...)
			if err != nil {
				t.Fatal(err)
			}
			if len(h.Epoch) != 4 {
				t.Fatalf("trained %d epochs, want 4", len(h.Epoch))
			}
			if got := exp.Runs["train"].Scalars["epoch_loss"].Values; !slices.Equal(got, h.History["loss"]) {
				t.Fatalf("recorder saw losses %v, History has %v", got, h.History["loss"])
			}
			if _, err := os.Stat(filepath.Join(dir, "validation")); tc.wantVal != (err == nil) {
				t.Errorf("validation run exists: %v, want %v", err == nil, tc.wantVal)
			}
			if !slices.Equal(probe.counts, []int{1, 2, 3, 4}) {
				t.Errorf("epoch_loss points on disk at each epoch end: %v, want [1 2 3 4] (flushed every epoch)", probe.counts)
			}
			tbCheckDir(t, dir, exp)
		})
	}
}

// TestTensorBoardResume trains 2 epochs, then resumes with keras.InitialEpoch(2) for 2 more
// with the same callback: every curve continues (epochs 0..3, batch steps 1..4×steps), in
// new event files of the same runs, and the graph is written once.
func TestTensorBoardResume(t *testing.T) {
	keras.SetRandomSeed(11)
	x, y := tbIris(t)
	m := tbIrisModel(t, "tbresume")
	dir := t.TempDir()
	exp := &tbExpect{}
	rec := &tbRecorder{exp: exp, updateFreq: 1, histogramFreq: 1, weights: tbWeightSpecs(m, "")}
	exp.run("train").Graph = tbNodes(m, map[string][]string{"tbresume_hidden": {"tbresume_in"}, "tbresume_out": {"tbresume_hidden"}})
	exp.run("train").OpGraph = tbOps(m, map[string][]string{"tbresume_hidden": {"tbresume_in"}, "tbresume_out": {"tbresume_hidden"}})
	tb := callbacks.TensorBoard(dir, callbacks.UpdateFreq("batch"), callbacks.HistogramFreq(1))
	common := []keras.FitOption{keras.BatchSize(32), keras.Verbose(0), keras.ValidationSplit(0.2), keras.Callbacks(rec, tb)}
	if _, err := m.Fit(x, y, append(common, keras.Epochs(2))...); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fit(x, y, append(common, keras.Epochs(4), keras.InitialEpoch(2))...); err != nil {
		t.Fatal(err)
	}
	steps := int64(4) // 120 training samples in batches of 32
	loss := exp.Runs["train"].Scalars["batch_loss"]
	if want := 4 * steps; int64(len(loss.Steps)) != want || loss.Steps[0] != 1 || loss.Steps[len(loss.Steps)-1] != want {
		t.Fatalf("recorded batch steps %v, want 1..%d", loss.Steps, want)
	}
	if got := exp.Runs["validation"].Scalars["evaluation_loss_vs_iterations"].Steps; !slices.Equal(got, []int64{4, 8, 12, 16}) {
		t.Fatalf("optimizer iterations at each validation: %v, want [4 8 12 16]", got)
	}
	for _, run := range []string{"train", "validation"} {
		files, _ := filepath.Glob(filepath.Join(dir, run, "*tfevents*"))
		if len(files) != 2 {
			t.Errorf("run %s has %d event files, want 2 (one per Fit)", run, len(files))
		}
	}
	tbCheckDir(t, dir, exp)
}

// TestTensorBoardEvaluate passes the callback to Evaluate alone: only the validation run is
// written, with evaluation_<name>_vs_iterations at the optimizer's iterations.
func TestTensorBoardEvaluate(t *testing.T) {
	keras.SetRandomSeed(3)
	x, y := tbIris(t)
	m := tbIrisModel(t, "tbeval")
	if _, err := m.Fit(x, y, keras.Epochs(1), keras.BatchSize(50), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	exp := &tbExpect{}
	rec := &tbRecorder{exp: exp}
	tb := callbacks.TensorBoard(dir, callbacks.HistogramFreq(1))
	logs, err := m.Evaluate(x, y, keras.Verbose(0), keras.Callbacks(rec, tb))
	if err != nil {
		t.Fatal(err)
	}
	got := exp.Runs["validation"].Scalars["evaluation_acc_vs_iterations"]
	if !slices.Equal(got.Steps, []int64{3}) || got.Values[0] != logs["acc"] {
		t.Fatalf("recorded %+v, want step 3 (3 batches of 50) and acc %v", got, logs["acc"])
	}
	tbCheckDir(t, dir, exp)
}

// TestTensorBoardHistogramNames checks the weight tags Keras 3 uses (weight.path): the layer
// name and weight name, scoped by the name of a Sequential model that holds the layer.
func TestTensorBoardHistogramNames(t *testing.T) {
	seqInner, err := keras.NewSequential(keras.InputShape(keras.Shape{5}),
		layers.Dense(4, layers.Name("tbh_inner")))
	if err != nil {
		t.Fatal(err)
	}
	in := keras.Input(keras.Shape{3})
	d := layers.Dense(5, layers.Activation("tanh")) // default name dense_N
	out := layers.Dense(2, layers.Name("tbh_head")).Call(seqInner.Call(d.Call(in)))
	nested, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	seq, err := keras.NewSequential(keras.InputShape(keras.Shape{3}),
		layers.Dense(2, layers.Name("tbh_a")), layers.Dense(1, layers.UseBias(false), layers.Name("tbh_b")))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		m    *keras.Model
		want []string
	}{
		{"sequential", seq, []string{
			seq.Name() + "/tbh_a/bias/histogram", seq.Name() + "/tbh_a/kernel/histogram",
			seq.Name() + "/tbh_b/kernel/histogram"}},
		{"functional with a nested sequential", nested, []string{
			d.Name() + "/bias/histogram", d.Name() + "/kernel/histogram",
			seqInner.Name() + "/tbh_inner/bias/histogram", seqInner.Name() + "/tbh_inner/kernel/histogram",
			"tbh_head/bias/histogram", "tbh_head/kernel/histogram"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.m.Compile("sgd", "mse"); err != nil {
				t.Fatal(err)
			}
			inShape, outShape := tc.m.Inputs()[0].Shape(), tc.m.Outputs()[0].Shape()
			nIn, nOut := inShape[len(inShape)-1], outShape[len(outShape)-1]
			x := tbOnes(8, nIn)
			y := tbOnes(8, nOut)
			dir := t.TempDir()
			tb := callbacks.TensorBoard(dir, callbacks.HistogramFreq(1), callbacks.WriteGraph(false))
			if _, err := tc.m.Fit(x, y, keras.Epochs(1), keras.Verbose(0), keras.Callbacks(tb)); err != nil {
				t.Fatal(err)
			}
			evs, err := tensorboard.ReadDir(filepath.Join(dir, "train"))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			size := 0
			for _, ev := range evs {
				if ev.Kind == tensorboard.KindHistogram {
					got = append(got, ev.Tag)
					for _, b := range ev.Buckets {
						size += int(b.Count)
					}
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("histogram tags:\n got %v\nwant %v", got, tc.want)
			}
			want := 0
			for _, w := range tc.m.Weights() {
				want += w.Shape().TotalSize()
			}
			if size != want {
				t.Errorf("histogram counts sum to %d, the model has %d weights", size, want)
			}
		})
	}
}

// TestTensorBoardOptionErrors checks that bad arguments are reported by Err and by Fit, before
// any file is written.
func TestTensorBoardOptionErrors(t *testing.T) {
	cases := []struct {
		name string
		dir  bool
		opts []callbacks.Option
		msg  string
	}{
		{"unknown update freq", true, []callbacks.Option{callbacks.UpdateFreq("often")}, `UpdateFreq("often")`},
		{"zero update freq", true, []callbacks.Option{callbacks.UpdateFreq(0)}, "UpdateFreq(0)"},
		{"negative update freq", true, []callbacks.Option{callbacks.UpdateFreq(-2)}, "UpdateFreq(-2)"},
		{"float update freq", true, []callbacks.Option{callbacks.UpdateFreq(1.5)}, "UpdateFreq(1.5) (a float64)"},
		{"negative histogram freq", true, []callbacks.Option{callbacks.HistogramFreq(-1)}, "HistogramFreq(-1)"},
		{"option of another callback", true, []callbacks.Option{callbacks.Patience(3)}, "does not take option(s) Patience"},
		{"empty log dir", false, nil, "empty log directory"},
	}
	x, y := tbIris(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := ""
			if tc.dir {
				dir = filepath.Join(t.TempDir(), "logs")
			}
			tb := callbacks.TensorBoard(dir, tc.opts...)
			if err := tb.Err(); !errors.Is(err, keras.ErrInvalidArgument) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Err() = %v, want keras.ErrInvalidArgument mentioning %q", err, tc.msg)
			}
			m := tbIrisModel(t, "tberr"+strings.ReplaceAll(tc.name, " ", ""))
			h, err := m.Fit(x, y, keras.Epochs(2), keras.Verbose(0), keras.Callbacks(tb))
			var cbErr *callbacks.Error
			if !errors.As(err, &cbErr) || cbErr.Callback != "TensorBoard" || !errors.Is(err, keras.ErrInvalidArgument) {
				t.Fatalf("Fit error = %v, want a *callbacks.Error of TensorBoard wrapping keras.ErrInvalidArgument", err)
			}
			if h != nil && len(h.Epoch) != 0 {
				t.Errorf("trained %d epochs despite the bad option", len(h.Epoch))
			}
			if tc.dir {
				if _, err := os.Stat(dir); !os.IsNotExist(err) {
					t.Errorf("log directory created despite the bad option (stat: %v)", err)
				}
			}
		})
	}
}

// TestTensorBoardUnwritableLogDir: a log directory that cannot be created stops Fit before
// the first epoch with an error naming the directory.
func TestTensorBoardUnwritableLogDir(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(blocker, "logs")
	x, y := tbIris(t)
	m := tbIrisModel(t, "tbunwritable")
	h, err := m.Fit(x, y, keras.Epochs(2), keras.Verbose(0), keras.Callbacks(callbacks.TensorBoard(dir)))
	if !errors.Is(err, syscall.ENOTDIR) {
		t.Fatalf("Fit error = %v, want one wrapping ENOTDIR", err)
	}
	var tbErr *tensorboard.Error
	if !errors.As(err, &tbErr) || !strings.Contains(err.Error(), filepath.Join(dir, "train")) {
		t.Errorf("error %q should be a *tensorboard.Error naming %s", err, filepath.Join(dir, "train"))
	}
	if h == nil || len(h.Epoch) != 0 {
		t.Errorf("history %v, want no epoch trained", h)
	}
}

// TestTensorBoardFrozenModel trains a model without trainable weights: the optimizer's
// iterations stay 0, so only the first evaluation_* point can be written; the later ones are
// skipped with one warning instead of failing Fit, and the epoch curves are all there.
func TestTensorBoardFrozenModel(t *testing.T) {
	x, y := tbIris(t)
	in := keras.Input(keras.Shape{4})
	out := layers.Dense(3, layers.Activation("softmax"), layers.Trainable(false), layers.Name("tbfrozen_out")).Call(in)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "categorical_crossentropy"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var warn strings.Builder
	tb := callbacks.TensorBoard(dir)
	tb.Warn = &warn
	if _, err := m.Fit(x, y, keras.Epochs(3), keras.Verbose(0), keras.ValidationSplit(0.2), keras.Callbacks(tb)); err != nil {
		t.Fatalf("Fit: %v", err)
	}
	evs, err := tensorboard.ReadDir(filepath.Join(dir, "validation"))
	if err != nil {
		t.Fatal(err)
	}
	steps := map[string][]int64{}
	for _, ev := range evs {
		if ev.Kind == tensorboard.KindScalar {
			steps[ev.Tag] = append(steps[ev.Tag], ev.Step)
		}
	}
	if !slices.Equal(steps["epoch_loss"], []int64{0, 1, 2}) || !slices.Equal(steps["evaluation_loss_vs_iterations"], []int64{0}) {
		t.Errorf("validation steps %v, want epoch_loss [0 1 2] and evaluation_loss_vs_iterations [0]", steps)
	}
	if n := strings.Count(warn.String(), "UserWarning: TensorBoard: evaluation at optimizer iteration 0"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, warn.String())
	}
}
