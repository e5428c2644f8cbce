package callbacks_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/datasets"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/tensorboard"
	"gorgonia.org/tensor"
)

// tbExpect is what a log directory must hold, recorded by tbRecorder from the training loop
// itself (History values, the optimizer's learning rate and iterations, a batch count of its
// own), independently of the TensorBoard callback. It is also the JSON handed to
// testdata/tensorboard_check.py.
type tbExpect struct {
	Runs map[string]*tbRunExpect `json:"runs"`
}

type tbRunExpect struct {
	Scalars    map[string]*tbSeries `json:"scalars"`
	Histograms map[string]*tbHist   `json:"histograms"`
	Graph      *tbGraph             `json:"graph,omitempty"`
	OpGraph    map[string]*tbOpNode `json:"op_graph,omitempty"` // node name → node
}

// tbOpNode is one node of the op graph (the GraphDef) that TensorBoard's default Graphs view
// must draw: one per layer call.
type tbOpNode struct {
	Op     string    `json:"op"`
	Inputs []string  `json:"inputs"`
	Shapes [][]int64 `json:"shapes"` // output shapes, -1 unknown
	DType  string    `json:"dtype"`
}

type tbSeries struct {
	Steps  []int64   `json:"steps"`
	Values []float64 `json:"values"`
}

type tbHist struct {
	Steps []int64 `json:"steps"`
	Size  int     `json:"size"` // number of values of the weight
}

// tbGraph is the conceptual graph TensorBoard must draw: node name → inputs.
type tbGraph struct {
	ClassName string              `json:"class_name"`
	Nodes     map[string][]string `json:"nodes"`
}

func (e *tbExpect) run(name string) *tbRunExpect {
	if e.Runs == nil {
		e.Runs = map[string]*tbRunExpect{}
	}
	r := e.Runs[name]
	if r == nil {
		r = &tbRunExpect{Scalars: map[string]*tbSeries{}, Histograms: map[string]*tbHist{}}
		e.Runs[name] = r
	}
	return r
}

func (e *tbExpect) scalar(run, tag string, step int64, v float64) {
	r := e.run(run)
	s := r.Scalars[tag]
	if s == nil {
		s = &tbSeries{}
		r.Scalars[tag] = s
	}
	s.Steps = append(s.Steps, step)
	s.Values = append(s.Values, v)
}

// tbWeightSpec is a weight whose histogram is expected: its tag and value count.
type tbWeightSpec struct {
	tag  string
	size int
}

// tbRecorder records what Keras 3's TensorBoard callback writes, from Keras's definitions:
// epoch logs at the epoch index, the optimizer's learning rate, batch logs every updateFreq
// batches at a batch count kept across Fit calls, evaluation logs at optimizer.Iterations().
// With lr0 > 0 it also sets the learning rate to lr0·decay^epoch at every epoch begin, so the
// learning-rate curve is not flat.
type tbRecorder struct {
	keras.BaseCallback
	exp           *tbExpect
	updateFreq    int
	histogramFreq int
	weights       []tbWeightSpec
	lr0, decay    float64
	global        int64
}

func (r *tbRecorder) OnEpochBegin(epoch int, _ keras.Logs) error {
	if r.lr0 > 0 {
		r.Model().Optimizer().SetLearningRate(r.lr0 * math.Pow(r.decay, float64(epoch)))
	}
	return nil
}

func (r *tbRecorder) OnTrainBatchEnd(_ int, logs keras.Logs) error {
	r.global++
	if r.updateFreq > 0 && r.global%int64(r.updateFreq) == 0 {
		for k, v := range logs {
			r.exp.scalar("train", "batch_"+k, r.global, v)
		}
	}
	return nil
}

func (r *tbRecorder) OnTestEnd(logs keras.Logs) error {
	it := r.Model().Optimizer().Iterations()
	for k, v := range logs {
		r.exp.scalar("validation", "evaluation_"+k+"_vs_iterations", it, v)
	}
	return nil
}

func (r *tbRecorder) OnEpochEnd(epoch int, logs keras.Logs) error {
	for k, v := range logs {
		if name, ok := strings.CutPrefix(k, "val_"); ok {
			r.exp.scalar("validation", "epoch_"+name, int64(epoch), v)
		} else if k != "learning_rate" {
			r.exp.scalar("train", "epoch_"+k, int64(epoch), v)
		}
	}
	r.exp.scalar("train", "epoch_learning_rate", int64(epoch), r.Model().Optimizer().LearningRate())
	if r.histogramFreq > 0 && epoch%r.histogramFreq == 0 {
		run := r.exp.run("train")
		for _, w := range r.weights {
			h := run.Histograms[w.tag]
			if h == nil {
				h = &tbHist{Size: w.size}
				run.Histograms[w.tag] = h
			}
			h.Steps = append(h.Steps, int64(epoch))
		}
	}
	return nil
}

// tbIris returns the iris data shuffled with a fixed seed, x scaled to about [0, 1] and y
// one-hot.
func tbIris(t testing.TB) (x, y *tensor.Dense) {
	t.Helper()
	x, yi, err := datasets.Iris()
	if err != nil {
		t.Fatal(err)
	}
	if x, yi, err = datasets.Shuffle(x, yi, 7); err != nil {
		t.Fatal(err)
	}
	for i, v := range x.Data().([]float32) {
		x.Data().([]float32)[i] = v / 8
	}
	if y, err = datasets.OneHot(yi, 3); err != nil {
		t.Fatal(err)
	}
	return x, y
}

// tbDigits returns the scikit-learn digits shuffled with a fixed seed, pixels scaled to
// [0, 1] and y one-hot.
func tbDigits(t testing.TB) (x, y *tensor.Dense) {
	t.Helper()
	x, y, err := datasets.DigitsPrepared(0)
	if err != nil {
		t.Fatal(err)
	}
	return x, y
}

// tbSplit returns rows [0, at) and [at, n) of x.
func tbSplit(t testing.TB, x *tensor.Dense, at int) (a, b *tensor.Dense) {
	t.Helper()
	a, b, err := datasets.Split(x, at)
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

// tbOnes returns an n×d float32 matrix of ones.
func tbOnes(n, d int) *tensor.Dense {
	return tensor.New(tensor.WithShape(n, d), tensor.WithBacking(tensor.Ones(tensor.Float32, n*d).Data()))
}

// tbIrisModel is a small compiled classifier for iris with fixed layer and model names.
func tbIrisModel(t testing.TB, name string) *keras.Model {
	t.Helper()
	in := keras.Input(keras.Shape{4}, keras.Name(name+"_in"))
	h := layers.Dense(8, layers.Activation("relu"), layers.Name(name+"_hidden")).Call(in)
	out := layers.Dense(3, layers.Activation("softmax"), layers.Name(name+"_out")).Call(h)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out), keras.ModelName(name))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("adam", "categorical_crossentropy", keras.Metrics("acc")); err != nil {
		t.Fatal(err)
	}
	return m
}

// tbWeightSpecs lists the expected histogram of every weight, named from the model's layer
// names as Keras 3 names them: "<layer>/<weight>/histogram".
func tbWeightSpecs(m *keras.Model, scope string) []tbWeightSpec {
	var out []tbWeightSpec
	for _, l := range m.Layers() {
		for _, v := range l.Variables() {
			out = append(out, tbWeightSpec{tag: scope + l.Name() + "/" + v.Name + "/histogram", size: v.Value.Shape().TotalSize()})
		}
	}
	return out
}

// tbNodes is the conceptual graph of a functional model: every layer, scoped by the model
// name, with the layers it takes its inputs from.
func tbNodes(m *keras.Model, inputs map[string][]string) *tbGraph {
	g := &tbGraph{ClassName: m.ClassName(), Nodes: map[string][]string{}}
	for _, l := range m.Layers() {
		in := []string{}
		for _, s := range inputs[l.Name()] {
			in = append(in, m.Name()+"/"+s)
		}
		g.Nodes[m.Name()+"/"+l.Name()] = in
	}
	return g
}

// same32 reports whether TensorBoard's float32 value equals want rounded to float32.
func same32(got, want float64) bool {
	g, w := float32(got), float32(want)
	return g == w || (g != g && w != w)
}

// tbCheckDir compares a log directory, read with package tensorboard's reader, with exp:
// exactly the expected runs, tags, steps and float32 values; histogram counts summing to the
// weight's size; the Keras graph JSON naming every layer with its inputs.
func tbCheckDir(t *testing.T, logDir string, exp *tbExpect) {
	t.Helper()
	entries, err := os.ReadDir(logDir)
	if err != nil {
		t.Fatal(err)
	}
	var runs []string
	for _, e := range entries {
		if e.IsDir() {
			runs = append(runs, e.Name())
		}
	}
	var want []string
	for r := range exp.Runs {
		want = append(want, r)
	}
	sort.Strings(want)
	if !slices.Equal(runs, want) {
		t.Errorf("runs in %s: got %v, want %v", logDir, runs, want)
	}
	for name, re := range exp.Runs {
		evs, err := tensorboard.ReadDir(filepath.Join(logDir, name))
		if err != nil {
			t.Errorf("run %s: %v", name, err)
			continue
		}
		scalars := map[string]*tbSeries{}
		hists := map[string][][]tensorboard.Bucket{}
		histSteps := map[string][]int64{}
		var graphs []string
		var opGraphs [][]tensorboard.GraphNode
		for _, ev := range evs {
			switch ev.Kind {
			case tensorboard.KindGraphDef:
				nodes, err := tensorboard.DecodeGraphDef(ev.GraphDef)
				if err != nil || ev.Step != 0 {
					t.Errorf("run %s: op graph at step %d: %v", name, ev.Step, err)
				}
				opGraphs = append(opGraphs, nodes)
			case tensorboard.KindScalar:
				s := scalars[ev.Tag]
				if s == nil {
					s = &tbSeries{}
					scalars[ev.Tag] = s
				}
				s.Steps = append(s.Steps, ev.Step)
				s.Values = append(s.Values, ev.Value)
			case tensorboard.KindHistogram:
				hists[ev.Tag] = append(hists[ev.Tag], ev.Buckets)
				histSteps[ev.Tag] = append(histSteps[ev.Tag], ev.Step)
			case tensorboard.KindKerasModel:
				if ev.Tag != "keras" || ev.Step != 0 {
					t.Errorf("run %s: model graph with tag %q at step %d, want \"keras\" at 0", name, ev.Tag, ev.Step)
				}
				graphs = append(graphs, ev.Text)
			case tensorboard.KindFileVersion:
			default:
				t.Errorf("run %s: unexpected %s event %q", name, ev.Kind, ev.Tag)
			}
		}
		if got, want := sortedTags(scalars), sortedTags(re.Scalars); !slices.Equal(got, want) {
			t.Errorf("run %s scalar tags:\n got %v\nwant %v", name, got, want)
		}
		for tag, ws := range re.Scalars {
			gs := scalars[tag]
			if gs == nil {
				continue
			}
			if !slices.Equal(gs.Steps, ws.Steps) {
				t.Errorf("run %s tag %s steps: got %v, want %v", name, tag, gs.Steps, ws.Steps)
				continue
			}
			for i := range ws.Values {
				if !same32(gs.Values[i], ws.Values[i]) {
					t.Errorf("run %s tag %s step %d: got %v, want %v", name, tag, ws.Steps[i], gs.Values[i], ws.Values[i])
				}
			}
		}
		if got, want := sortedTags(hists), sortedTags(re.Histograms); !slices.Equal(got, want) {
			t.Errorf("run %s histogram tags:\n got %v\nwant %v", name, got, want)
		}
		for tag, wh := range re.Histograms {
			if !slices.Equal(histSteps[tag], wh.Steps) {
				t.Errorf("run %s histogram %s steps: got %v, want %v", name, tag, histSteps[tag], wh.Steps)
			}
			for i, bs := range hists[tag] {
				total := 0.0
				for j, b := range bs {
					total += b.Count
					if b.Right < b.Left || (j > 0 && b.Left < bs[j-1].Right-1e-12) {
						t.Errorf("run %s histogram %s step %d: bucket %d [%v, %v] out of order", name, tag, histSteps[tag][i], j, b.Left, b.Right)
					}
				}
				if int(total) != wh.Size || total != math.Trunc(total) {
					t.Errorf("run %s histogram %s step %d: counts sum to %v, the weight has %d values", name, tag, histSteps[tag][i], total, wh.Size)
				}
			}
		}
		switch {
		case re.Graph == nil && len(graphs) > 0:
			t.Errorf("run %s: %d model graphs, want none", name, len(graphs))
		case re.Graph != nil && len(graphs) != 1:
			t.Errorf("run %s: %d model graphs, want 1", name, len(graphs))
		case re.Graph != nil:
			tbCheckGraph(t, graphs[0], re.Graph)
		}
		switch {
		case re.OpGraph == nil && len(opGraphs) > 0:
			t.Errorf("run %s: %d op graphs, want none", name, len(opGraphs))
		case re.OpGraph != nil && len(opGraphs) != 1:
			t.Errorf("run %s: %d op graphs, want 1", name, len(opGraphs))
		case re.OpGraph != nil:
			tbCheckOpGraph(t, name, opGraphs[0], re.OpGraph)
		}
	}
}

func sortedTags[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// tbCheckGraph parses the model JSON as TensorBoard's keras_util does (layers under
// config.layers, inputs from the keras_history of inbound_nodes) and compares the graph.
func tbCheckGraph(t *testing.T, js string, want *tbGraph) {
	t.Helper()
	var m struct {
		ClassName string `json:"class_name"`
		Config    struct {
			Name   string `json:"name"`
			Layers []struct {
				ClassName string `json:"class_name"`
				Config    struct {
					Name string `json:"name"`
				} `json:"config"`
				InboundNodes []struct {
					Args []json.RawMessage `json:"args"`
				} `json:"inbound_nodes"`
			} `json:"layers"`
		} `json:"config"`
		KerasVersion string `json:"keras_version"`
		Backend      string `json:"backend"`
	}
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatalf("model JSON does not parse: %v\n%s", err, js)
	}
	if m.ClassName != want.ClassName || m.KerasVersion == "" || m.Backend == "" {
		t.Errorf("model JSON: class_name %q keras_version %q backend %q, want class %q and both keys set", m.ClassName, m.KerasVersion, m.Backend, want.ClassName)
	}
	type hist struct {
		Config struct {
			KerasHistory []any `json:"keras_history"`
		} `json:"config"`
	}
	got := map[string][]string{}
	for _, l := range m.Config.Layers {
		var in []string
		for _, n := range l.InboundNodes {
			for _, a := range n.Args {
				var one hist
				var many []hist
				if json.Unmarshal(a, &one) == nil && len(one.Config.KerasHistory) > 0 {
					many = []hist{one}
				} else if err := json.Unmarshal(a, &many); err != nil {
					t.Errorf("layer %s: inbound node arg %s: %v", l.Config.Name, a, err)
				}
				for _, h := range many {
					in = append(in, m.Config.Name+"/"+h.Config.KerasHistory[0].(string))
				}
			}
		}
		got[m.Config.Name+"/"+l.Config.Name] = in
	}
	if len(got) != len(want.Nodes) {
		t.Errorf("graph nodes: got %v, want %v", got, want.Nodes)
	}
	for n, w := range want.Nodes {
		if g, ok := got[n]; !ok || !slices.Equal(g, w) {
			t.Errorf("graph node %s: got inputs %v (present %v), want %v", n, g, ok, w)
		}
	}
}

// tbCheckOpGraph compares the decoded op graph with want: the same node names, and for each
// the op, inputs (in order), output shapes and dtype.
func tbCheckOpGraph(t *testing.T, run string, nodes []tensorboard.GraphNode, want map[string]*tbOpNode) {
	t.Helper()
	got := map[string]*tbOpNode{}
	for _, n := range nodes {
		got[n.Name] = &tbOpNode{Op: n.Op, Inputs: n.Inputs, Shapes: n.OutputShapes, DType: n.DType}
		if got[n.Name].Inputs == nil {
			got[n.Name].Inputs = []string{}
		}
	}
	if g, w := sortedTags(got), sortedTags(want); !slices.Equal(g, w) {
		t.Errorf("run %s op graph nodes:\n got %v\nwant %v", run, g, w)
	}
	for name, w := range want {
		g := got[name]
		if g == nil {
			continue
		}
		if g.Op != w.Op || !slices.Equal(g.Inputs, w.Inputs) || g.DType != w.DType || !slices.EqualFunc(g.Shapes, w.Shapes, slices.Equal) {
			t.Errorf("run %s op graph node %s:\n got %+v\nwant %+v", run, name, *g, *w)
		}
	}
}

// tbOps is the op graph of a model whose layers are each called once: a node per layer,
// named as the layer, with the layers it takes its inputs from and its output's shape.
func tbOps(m *keras.Model, inputs map[string][]string) map[string]*tbOpNode {
	g := map[string]*tbOpNode{}
	for _, l := range m.Layers() {
		in := inputs[l.Name()]
		if in == nil {
			in = []string{}
		}
		out := l.(interface{ InboundNodes() []*keras.Node }).InboundNodes()[0].Outputs()[0]
		s := []int64{}
		for _, d := range out.Shape() {
			s = append(s, int64(d))
		}
		g[l.Name()] = &tbOpNode{Op: l.ClassName(), Inputs: in, Shapes: [][]int64{s}, DType: out.DType()}
	}
	return g
}
