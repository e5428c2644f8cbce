package tensorboard_test

import (
	"encoding/json"
	"iter"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/tensorboard"
)

// tensorBoardModule is what the Python conformance tests need python3 to
// import: the tensorboard pip package (which brings numpy, protobuf, grpcio and
// tensorboard-data-server). They skip without it, unless
// KERAGO_REQUIRE_PYTHON=1, when they fail.
const tensorBoardModule = "tensorboard"

// num encodes a float for the expectations file ("NaN" and "+Inf" included).
func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

type scalarSeries struct {
	Steps  []int64  `json:"steps"`
	Values []string `json:"values"`
}

type histSeries struct {
	Steps     []int64     `json:"steps"`
	Counts    []float64   `json:"counts"`
	Reference [][]string  `json:"reference"`
	raw       [][]float64 // what was written
}

type textSeries struct {
	Steps []int64  `json:"steps"`
	Texts []string `json:"texts"`
}

type graphExpect struct {
	JSON  string `json:"json"`
	Nodes []any  `json:"nodes"`
}

type runExpect struct {
	Scalars    map[string]*scalarSeries `json:"scalars"`
	Histograms map[string]*histSeries   `json:"histograms"`
	Text       map[string]*textSeries   `json:"text"`
	Graph      *graphExpect             `json:"graph,omitempty"`
}

// run writes one run directory and records what TensorBoard must read.
type run struct {
	t   *testing.T
	w   *tensorboard.Writer
	exp *runExpect
}

func newRun(t *testing.T, logdir, name string) *run {
	w, err := tensorboard.New(filepath.Join(logdir, name), tensorboard.MaxQueue(3))
	if err != nil {
		t.Fatal(err)
	}
	return &run{t: t, w: w, exp: &runExpect{
		Scalars: map[string]*scalarSeries{}, Histograms: map[string]*histSeries{}, Text: map[string]*textSeries{}}}
}

func (r *run) scalar(tag string, step int64, v float64) {
	if err := r.w.Scalar(tag, step, v); err != nil {
		r.t.Fatal(err)
	}
	s := r.exp.Scalars[tag]
	if s == nil {
		s = &scalarSeries{}
		r.exp.Scalars[tag] = s
	}
	s.Steps = append(s.Steps, step)
	s.Values = append(s.Values, num(v))
}

func (r *run) histogram(tag string, step int64, values []float64) {
	if err := r.w.Histogram(tag, step, values); err != nil {
		r.t.Fatal(err)
	}
	h := r.exp.Histograms[tag]
	if h == nil {
		h = &histSeries{}
		r.exp.Histograms[tag] = h
	}
	var finite []string
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			finite = append(finite, num(v))
		}
	}
	h.Steps = append(h.Steps, step)
	h.Counts = append(h.Counts, float64(len(finite)))
	h.Reference = append(h.Reference, append([]string{}, finite...))
	h.raw = append(h.raw, values)
}

func (r *run) text(tag string, step int64, s string) {
	if err := r.w.Text(tag, step, s); err != nil {
		r.t.Fatal(err)
	}
	x := r.exp.Text[tag]
	if x == nil {
		x = &textSeries{}
		r.exp.Text[tag] = x
	}
	x.Steps = append(x.Steps, step)
	x.Texts = append(x.Texts, s)
}

func (r *run) graph(file string, nodes []any) {
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.w.Graph(b); err != nil {
		r.t.Fatal(err)
	}
	r.exp.Graph = &graphExpect{JSON: string(b), Nodes: nodes}
}

// writeConformanceLogdir writes a Keras-like log directory with every kind
// of summary and the awkward values, and returns the expectations.
func writeConformanceLogdir(t *testing.T, logdir string) map[string]*runExpect {
	rng := rand.New(rand.NewPCG(1, 2))
	train := newRun(t, logdir, "train")
	val := newRun(t, logdir, "validation")
	fn := newRun(t, logdir, "functional")
	train.graph("sequential.json", []any{
		[]any{"sequential/input_layer", []any{}},
		[]any{"sequential/dense", []any{"sequential/input_layer"}},
		[]any{"sequential/dense_1", []any{"sequential/dense"}},
	})
	fn.graph("functional.json", []any{
		[]any{"qa/a", []any{}}, []any{"qa/b", []any{}},
		[]any{"qa/concatenate", []any{"qa/a", "qa/b"}},
		[]any{"qa/dense", []any{"qa/concatenate"}},
	})
	awkward := []float64{0.5, math.NaN(), math.Inf(1), math.Inf(-1), 1e300, 1e-46, math.Copysign(0, -1), math.SmallestNonzeroFloat32}
	for epoch := range int64(8) {
		train.scalar("epoch_loss", epoch, 1/float64(epoch+1))
		train.scalar("epoch_accuracy", epoch, awkward[epoch])
		val.scalar("epoch_loss", epoch, 1.5/float64(epoch+1))
		val.scalar("evaluation_loss_vs_iterations", 3*(epoch+1), 1.25/float64(epoch+1))
		if epoch%2 == 0 {
			kernel := make([]float64, 1000)
			for i := range kernel {
				kernel[i] = float64(float32(rng.NormFloat64() * (1 + float64(epoch))))
			}
			train.histogram("sequential/dense/kernel/histogram", epoch, kernel)
		}
	}
	for i, step := range []int64{-5, 0, 1 << 40} {
		train.scalar("batch_loss", step, float64(i)+0.125)
	}
	train.histogram("sequential/dense/bias/histogram", 0, []float64{0, 0, 0})
	train.histogram("sequential/dense/bias/histogram", 1, nil)
	train.histogram("sequential/dense/bias/histogram", 2, []float64{1, math.NaN(), 3, math.Inf(1), 2.5, -7})
	train.histogram("sequential/dense/bias/histogram", 3, []float64{42})
	train.text("notes", 0, "# Run notes\n\n*kerago* ünïcode ✓ | a | b |\n|---|---|\n| 1 | 2 |")
	train.text("notes", 1, "")
	for _, r := range []*run{train, val, fn} {
		if err := r.w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return map[string]*runExpect{"train": train.exp, "validation": val.exp, "functional": fn.exp}
}

// TestTensorBoardReadsFiles loads a log directory written by this package
// with TensorBoard's EventAccumulator, its plugin accumulator and its Rust
// data server (testdata/check_tensorboard.py).
func TestTensorBoardReadsFiles(t *testing.T) {
	py := testenv.SlowPython(t, tensorBoardModule)
	logdir := t.TempDir()
	runs := writeConformanceLogdir(t, logdir)
	b, err := json.MarshalIndent(map[string]any{"runs": runs}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	expect := filepath.Join(t.TempDir(), "expect.json")
	if err := os.WriteFile(expect, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := testenv.PythonCombinedOutput(t, py, filepath.Join("testdata", "check_tensorboard.py"), logdir, expect)
	t.Logf("check_tensorboard.py:\n%s", out)
	if err != nil {
		t.Fatalf("check_tensorboard.py failed: %v", err)
	}
}

// TestEventsCheckStrict runs the team's independent verifier,
// tfevents_check.py --strict, on the same kind of log directory.
func TestEventsCheckStrict(t *testing.T) {
	py := testenv.SlowPython(t, tensorBoardModule)
	checker, err := testenv.SharedFile(testenv.TFEventsChecker)
	if err != nil {
		t.Skipf("no verifier: %v", err)
	}
	logdir := t.TempDir()
	runs := writeConformanceLogdir(t, logdir)
	var tags []string
	for name, r := range runs {
		for _, series := range []iter.Seq[string]{maps.Keys(r.Scalars), maps.Keys(r.Histograms), maps.Keys(r.Text)} {
			for tag := range series {
				tags = append(tags, name+"/"+tag)
			}
		}
		if r.Graph != nil {
			tags = append(tags, name+"/keras")
		}
	}
	var verified map[string]map[string]struct {
		Kind       string `json:"kind"`
		Plugin     string `json:"plugin"`
		Steps      []int64
		Values     []any `json:"values"`
		Formats    []string
		Histograms []struct {
			Buckets   int         `json:"buckets"`
			Count     float64     `json:"count"`
			V2Buckets [][]float64 `json:"v2_buckets"`
		} `json:"histograms"`
		Graph struct {
			Nodes []struct {
				Name string `json:"name"`
			} `json:"nodes"`
		} `json:"graph"`
	}
	if err := json.Unmarshal(testenv.TFEventsCheck(t, py, checker, logdir, tags, "--buckets"), &verified); err != nil {
		t.Fatalf("verifier runs: %v", err)
	}
	for name, r := range runs {
		got := verified[name]
		for tag, s := range r.Scalars {
			g := got[tag]
			if g.Kind != "scalar" || len(g.Steps) != len(s.Steps) || len(g.Formats) != 1 || g.Formats[0] != "v2 tensor DT_FLOAT tensor_content" {
				t.Errorf("%s/%s: verifier saw %+v", name, tag, g)
				continue
			}
			for i, v := range g.Values {
				want, _ := strconv.ParseFloat(s.Values[i], 64)
				f, ok := jsonFloat(v)
				if !ok || g.Steps[i] != s.Steps[i] || !(float32(f) == float32(want) || math.IsNaN(f) && math.IsNaN(want)) {
					t.Errorf("%s/%s point %d: verifier read step %d value %v, wrote step %d value %v",
						name, tag, i, g.Steps[i], v, s.Steps[i], want)
				}
			}
		}
		for tag, h := range r.Histograms {
			g := got[tag]
			if g.Kind != "histogram" || len(g.Histograms) != len(h.Steps) {
				t.Errorf("%s/%s: verifier saw %+v", name, tag, g)
				continue
			}
			for i, gh := range g.Histograms {
				want := tensorboard.HistogramBuckets(h.raw[i], tensorboard.DefaultBuckets)
				if gh.Buckets != 30 || gh.Count != h.Counts[i] || len(gh.V2Buckets) != len(want) {
					t.Errorf("%s/%s step %d: %d buckets, count %v; want 30, %v", name, tag, h.Steps[i], gh.Buckets, gh.Count, h.Counts[i])
					continue
				}
				for j, row := range gh.V2Buckets {
					if row[0] != want[j].Left || row[1] != want[j].Right || row[2] != want[j].Count {
						t.Errorf("%s/%s step %d bucket %d: verifier read %v, want %v", name, tag, h.Steps[i], j, row, want[j])
					}
				}
			}
		}
		if r.Graph != nil && len(got["keras"].Graph.Nodes) != len(r.Graph.Nodes) {
			t.Errorf("%s/keras: verifier built %d nodes, TensorBoard %d", name, len(got["keras"].Graph.Nodes), len(r.Graph.Nodes))
		}
	}
}

// jsonFloat decodes a float of the verifier's JSON, where non-finite values
// are the strings "NaN", "Infinity" and "-Infinity".
func jsonFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		switch x {
		case "NaN":
			return math.NaN(), true
		case "Infinity":
			return math.Inf(1), true
		case "-Infinity":
			return math.Inf(-1), true
		}
	}
	return 0, false
}
