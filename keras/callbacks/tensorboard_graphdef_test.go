package callbacks_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/callbacks"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/tensorboard"
)

// tbGraphCase is a model and the op graph TensorBoard must draw for it, written out by hand
// from the model's calls: node name → op, inputs, output shapes, dtype.
type tbGraphCase struct {
	name  string
	model func(t *testing.T) *keras.Model
	want  map[string]*tbOpNode
}

// op is a tbOpNode literal: class, inputs, one output shape.
func op(class, dtype string, shape []int64, inputs ...string) *tbOpNode {
	if inputs == nil {
		inputs = []string{}
	}
	return &tbOpNode{Op: class, Inputs: inputs, Shapes: [][]int64{shape}, DType: dtype}
}

// must fails t on a model constructor's error: must(t)(keras.NewModel(...)).
func must(t *testing.T) func(*keras.Model, error) *keras.Model {
	return func(m *keras.Model, err error) *keras.Model {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
}

// tbGraphCases: a sequential MLP, the two-input question-answering model of the Keras
// guide, a layer shared by two inputs, and a model nested twice in another.
func tbGraphCases() []tbGraphCase {
	f32 := "float32"
	return []tbGraphCase{
		{"sequential_mlp", func(t *testing.T) *keras.Model {
			return must(t)(keras.NewSequential(keras.InputShape(keras.Shape{8}, keras.Name("features")),
				layers.Dense(16, layers.Activation("relu"), layers.Name("hidden")),
				layers.Dropout(0.5, layers.Name("drop")),
				layers.Dense(3, layers.Activation("softmax"), layers.Name("probs"))))
		}, map[string]*tbOpNode{
			"features": op("InputLayer", f32, []int64{-1, 8}),
			"hidden":   op("Dense", f32, []int64{-1, 16}, "features"),
			"drop":     op("Dropout", f32, []int64{-1, 16}, "hidden"),
			"probs":    op("Dense", f32, []int64{-1, 3}, "drop"),
		}},
		{"qa", func(t *testing.T) *keras.Model {
			text := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("text"))
			tv := layers.LSTM(8, layers.Name("text_lstm")).Call(layers.Embedding(50, 6, layers.Name("text_embed")).Call(text))
			question := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("question"))
			qv := layers.LSTM(4, layers.Name("question_lstm")).Call(layers.Embedding(50, 6, layers.Name("question_embed")).Call(question))
			merged := layers.Concatenate(layers.Name("merged")).Call(tv, qv)
			answer := layers.Dense(5, layers.Activation("softmax"), layers.Name("answer")).Call(merged)
			return must(t)(keras.NewModel(keras.Inputs(text, question), keras.Outputs(answer), keras.Name("qa")))
		}, map[string]*tbOpNode{
			"text":           op("InputLayer", "int32", []int64{-1, -1}),
			"text_embed":     op("Embedding", f32, []int64{-1, -1, 6}, "text"),
			"text_lstm":      op("LSTM", f32, []int64{-1, 8}, "text_embed"),
			"question":       op("InputLayer", "int32", []int64{-1, -1}),
			"question_embed": op("Embedding", f32, []int64{-1, -1, 6}, "question"),
			"question_lstm":  op("LSTM", f32, []int64{-1, 4}, "question_embed"),
			"merged":         op("Concatenate", f32, []int64{-1, 12}, "text_lstm", "question_lstm"),
			"answer":         op("Dense", f32, []int64{-1, 5}, "merged"),
		}},
		{"shared_layer", func(t *testing.T) *keras.Model {
			a := keras.Input(keras.Shape{5}, keras.Name("a"))
			b := keras.Input(keras.Shape{5}, keras.Name("b"))
			shared := layers.Dense(4, layers.Name("shared"))
			sum := layers.Add(layers.Name("sum")).Call(shared.Call(a), shared.Call(b))
			return must(t)(keras.NewModel(keras.Inputs(a, b), keras.Outputs(layers.Dense(1, layers.Name("out")).Call(sum)), keras.Name("siamese")))
		}, map[string]*tbOpNode{
			"a":             op("InputLayer", f32, []int64{-1, 5}),
			"b":             op("InputLayer", f32, []int64{-1, 5}),
			"shared/call_0": op("Dense", f32, []int64{-1, 4}, "a"),
			"shared/call_1": op("Dense", f32, []int64{-1, 4}, "b"),
			"sum":           op("Add", f32, []int64{-1, 4}, "shared/call_0", "shared/call_1"),
			"out":           op("Dense", f32, []int64{-1, 1}, "sum"),
		}},
		{"nested_model", func(t *testing.T) *keras.Model {
			in := keras.Input(keras.Shape{6}, keras.Name("enc_in"))
			code := layers.Dense(2, layers.Name("code")).Call(layers.Dense(4, layers.Activation("relu"), layers.Name("enc_hidden")).Call(in))
			encoder := must(t)(keras.NewModel(keras.Inputs(in), keras.Outputs(code), keras.Name("encoder")))
			x := keras.Input(keras.Shape{6}, keras.Name("x"))
			y := keras.Input(keras.Shape{6}, keras.Name("y"))
			pair := layers.Concatenate(layers.Name("pair")).Call(encoder.Call(x), encoder.Call(y))
			return must(t)(keras.NewModel(keras.Inputs(x, y), keras.Outputs(layers.Dense(1, layers.Name("head")).Call(pair)), keras.Name("outer")))
		}, map[string]*tbOpNode{
			"x":                         op("InputLayer", f32, []int64{-1, 6}),
			"y":                         op("InputLayer", f32, []int64{-1, 6}),
			"encoder/call_0/enc_hidden": op("Dense", f32, []int64{-1, 4}, "x"),
			"encoder/call_0/code":       op("Dense", f32, []int64{-1, 2}, "encoder/call_0/enc_hidden"),
			"encoder/call_1/enc_hidden": op("Dense", f32, []int64{-1, 4}, "y"),
			"encoder/call_1/code":       op("Dense", f32, []int64{-1, 2}, "encoder/call_1/enc_hidden"),
			"pair":                      op("Concatenate", f32, []int64{-1, 4}, "encoder/call_0/code", "encoder/call_1/code"),
			"head":                      op("Dense", f32, []int64{-1, 1}, "pair"),
		}},
	}
}

// tbWriteGraphs runs the callback's training start and end (what Fit calls around the
// epochs) on each case's model, each in logRoot/<case>, and returns the run directories.
func tbWriteGraphs(t *testing.T, logRoot string) []string {
	var runs []string
	for _, c := range tbGraphCases() {
		m := c.model(t)
		tb := callbacks.TensorBoard(filepath.Join(logRoot, c.name))
		tb.SetModel(m)
		if err := tb.OnTrainBegin(nil); err != nil {
			t.Fatal(err)
		}
		if err := tb.OnTrainEnd(nil); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, filepath.Join(logRoot, c.name, "train"))
	}
	return runs
}

// TestTensorBoardOpGraph writes the op graph of four models and reads it back with package
// tensorboard: one node per layer call, edges as in the model.
func TestTensorBoardOpGraph(t *testing.T) {
	root := t.TempDir()
	runs := tbWriteGraphs(t, root)
	for i, c := range tbGraphCases() {
		t.Run(c.name, func(t *testing.T) {
			evs, err := tensorboard.ReadDir(runs[i])
			if err != nil {
				t.Fatal(err)
			}
			var graphs [][]tensorboard.GraphNode
			for _, ev := range evs {
				if ev.Kind == tensorboard.KindGraphDef {
					nodes, err := tensorboard.DecodeGraphDef(ev.GraphDef)
					if err != nil {
						t.Fatal(err)
					}
					graphs = append(graphs, nodes)
				}
			}
			if len(graphs) != 1 {
				t.Fatalf("%d op graphs, want 1", len(graphs))
			}
			tbCheckOpGraph(t, c.name, graphs[0], c.want)
		})
	}
}

// TestTensorBoardOpGraphReadByTensorBoard reads the same op graphs with TensorBoard itself:
// its EventAccumulator (TensorBoard's own GraphDef parser), the verifier tfevents_check.py
// --strict, and the graphs plugin of a running server, whose /data/plugin/graphs/graph?run=
// route is what the Graphs dashboard's default view draws.
func TestTensorBoardOpGraphReadByTensorBoard(t *testing.T) {
	py := testenv.SlowPython(t, tbPythonModules...)
	root := t.TempDir()
	runs := tbWriteGraphs(t, root)
	cases := tbGraphCases()

	t.Run("EventAccumulator", func(t *testing.T) {
		out := testenv.PythonOutput(t, py, append([]string{filepath.Join("testdata", "opgraph_dump.py")}, runs...)...)
		var got map[string]map[string]*tbOpNode
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("opgraph_dump.py: %v: %s", err, out)
		}
		for i, c := range cases {
			g := got[runs[i]]
			var nodes []tensorboard.GraphNode
			for name, n := range g {
				nodes = append(nodes, tensorboard.GraphNode{Name: name, Op: n.Op, Inputs: n.Inputs, OutputShapes: n.Shapes, DType: n.DType})
			}
			tbCheckOpGraph(t, c.name, nodes, c.want)
		}
	})

	t.Run("tfevents_check", func(t *testing.T) {
		checker, err := testenv.SharedFile(testenv.TFEventsChecker)
		if err != nil {
			if testenv.PythonRequired() {
				t.Fatalf("no verifier: %v", err)
			}
			t.Skipf("no verifier: %v", err)
		}
		var tags []string
		for _, c := range cases {
			tags = append(tags, c.name+"/train/__run_graph__", c.name+"/train/keras")
		}
		testenv.TFEventsCheck(t, py, checker, root, tags)
	})

	t.Run("Server", func(t *testing.T) {
		exp := &tbExpect{}
		for _, c := range cases {
			exp.run(c.name + "/train").OpGraph = c.want
		}
		tbCheckServedOpGraphs(t, tbStartServer(t, root), exp)
	})
}

// tbCheckServedOpGraphs fetches each expected op graph from a running TensorBoard as its
// Graphs dashboard does (the graphs plugin's /graph route, no tag, not conceptual: the run's
// GraphDef, as pbtxt) and compares the nodes' names, ops and inputs.
func tbCheckServedOpGraphs(t *testing.T, base string, exp *tbExpect) {
	t.Helper()
	for run, r := range exp.Runs {
		if r.OpGraph == nil {
			continue
		}
		var pbtxt []byte
		deadline := time.Now().Add(60 * time.Second)
		for {
			resp, err := http.Get(base + "/data/plugin/graphs/graph?" + url.Values{"run": {run}}.Encode())
			if err != nil {
				t.Fatal(err)
			}
			pbtxt, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("op graph of run %s: %s: %.300s", run, resp.Status, pbtxt)
			}
			time.Sleep(300 * time.Millisecond) // the server is still loading the run
		}
		got := tbParsePbtxtNodes(t, string(pbtxt))
		if g, w := sortedTags(got), sortedTags(r.OpGraph); !slices.Equal(g, w) {
			t.Errorf("run %s: served op graph nodes\n got %v\nwant %v", run, g, w)
		}
		for name, w := range r.OpGraph {
			if g := got[name]; g != nil && (g.Op != w.Op || !slices.Equal(g.Inputs, w.Inputs)) {
				t.Errorf("run %s node %s: served op %s inputs %v, want %s %v", run, name, g.Op, g.Inputs, w.Op, w.Inputs)
			}
		}
	}
}

// tbParsePbtxtNodes reads the name, op and inputs of every top-level node { ... } block of a
// GraphDef in protobuf text format (fields of a node are indented by two spaces).
func tbParsePbtxtNodes(t *testing.T, pbtxt string) map[string]*tbOpNode {
	t.Helper()
	nodes := map[string]*tbOpNode{}
	var cur *tbOpNode
	var name string
	sc := bufio.NewScanner(strings.NewReader(pbtxt))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "node {":
			cur, name = &tbOpNode{Inputs: []string{}}, ""
		case line == "}" && cur != nil:
			nodes[name] = cur
			cur = nil
		case cur != nil && strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   "):
			key, val, ok := strings.Cut(strings.TrimSpace(line), ": ")
			if !ok {
				continue
			}
			s, err := strconv.Unquote(val)
			if err != nil {
				t.Fatalf("pbtxt line %q: %v", line, err)
			}
			switch key {
			case "name":
				name = s
			case "op":
				cur.Op = s
			case "input":
				cur.Inputs = append(cur.Inputs, s)
			}
		}
	}
	return nodes
}

// The op graph of a model with an unusable layer name is a warning, and training goes on
// with the conceptual graph alone.
func TestTensorBoardOpGraphWarns(t *testing.T) {
	in := keras.Input(keras.Shape{3}, keras.Name("in:0"))
	m := must(t)(keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Dense(1, layers.Name("d")).Call(in))))
	dir := t.TempDir()
	var warn strings.Builder
	tb := callbacks.TensorBoard(dir)
	tb.Warn = &warn
	tb.SetModel(m)
	if err := tb.OnTrainBegin(nil); err != nil {
		t.Fatal(err)
	}
	if err := tb.OnTrainEnd(nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(warn.String(), `Model failed to serialize as a GraphDef. Ignoring... node "in:0"`) {
		t.Errorf("warning %q", warn.String())
	}
	evs, err := tensorboard.ReadDir(filepath.Join(dir, "train"))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[tensorboard.Kind]int{}
	for _, ev := range evs {
		kinds[ev.Kind]++
	}
	if kinds[tensorboard.KindGraphDef] != 0 || kinds[tensorboard.KindKerasModel] != 1 {
		t.Errorf("events %v, want the Keras graph and no op graph", kinds)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
}
