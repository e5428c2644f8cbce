package callbacks_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/callbacks"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/layers"
)

// tbPythonModules are what these tests need python3 to import, as they prove that TensorBoard
// itself reads what the callback writes: the tensorboard pip package (which brings numpy,
// protobuf and the Rust data server) and numpy. They skip without them, unless
// KERAGO_REQUIRE_PYTHON=1, when they fail.
var tbPythonModules = []string{"tensorboard", "numpy"}

// tbTrainDigits trains the guide's first model, an MLP (64-32-32-10), on the scikit-learn digits
// with the TensorBoard callback (HistogramFreq(1), UpdateFreq("batch"), ValidationSplit(0.2)) for 3
// epochs, then resumes with InitialEpoch(3) up to epoch 5, with a decaying learning rate. It
// returns the log directory and the expectations recorded from the training loop.
func tbTrainDigits(t *testing.T) (string, *tbExpect) {
	t.Helper()
	keras.SetRandomSeed(42)
	x, y := tbDigits(t)
	in := keras.Input(keras.Shape{64}, keras.Name("pixels"))
	h := layers.Dense(32, layers.Activation("relu"), layers.Name("h1")).Call(in)
	h = layers.Dense(32, layers.Activation("relu"), layers.Name("h2")).Call(h)
	out := layers.Dense(10, layers.Activation("softmax"), layers.Name("digit")).Call(h)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out), keras.ModelName("mlp"))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("adam", "categorical_crossentropy", keras.Metrics("acc")); err != nil {
		t.Fatal(err)
	}
	logDir := filepath.Join(t.TempDir(), "my_log_dir")
	exp := &tbExpect{}
	exp.run("train").Graph = tbNodes(m, map[string][]string{"h1": {"pixels"}, "h2": {"h1"}, "digit": {"h2"}})
	exp.run("train").OpGraph = tbOps(m, map[string][]string{"h1": {"pixels"}, "h2": {"h1"}, "digit": {"h2"}})
	rec := &tbRecorder{exp: exp, updateFreq: 1, histogramFreq: 1, weights: tbWeightSpecs(m, ""), lr0: 0.004, decay: 0.8}
	tb := callbacks.TensorBoard(logDir, callbacks.HistogramFreq(1), callbacks.UpdateFreq("batch"))
	common := []keras.FitOption{keras.BatchSize(32), keras.Verbose(0), keras.ValidationSplit(0.2), keras.Callbacks(rec, tb)}
	h1, err := m.Fit(x, y, append(common, keras.Epochs(3))...)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := m.Fit(x, y, append(common, keras.Epochs(5), keras.InitialEpoch(3))...)
	if err != nil {
		t.Fatal(err)
	}
	// The recorder's epoch values are the History's.
	for _, key := range []string{"loss", "acc", "val_loss", "val_acc"} {
		hist := append(append([]float64{}, h1.History[key]...), h2.History[key]...)
		run, tag := "train", "epoch_"+key
		if name, ok := strings.CutPrefix(key, "val_"); ok {
			run, tag = "validation", "epoch_"+name
		}
		if got := exp.Runs[run].Scalars[tag]; got == nil || !slices.Equal(got.Values, hist) || !slices.Equal(got.Steps, []int64{0, 1, 2, 3, 4}) {
			t.Fatalf("recorded %s/%s %+v, History %v", run, tag, got, hist)
		}
	}
	return logDir, exp
}

// TestTensorBoardReadByTensorBoard trains a real model with the callback and reads the log
// directory back four ways: with package tensorboard's reader, with TensorBoard's
// EventAccumulator, through the HTTP API of a running `tensorboard` server (as the browser
// does), and with the team's independent verifier tfevents_check.py --strict. Every scalar's
// steps and values must equal the training loop's, to float32 precision.
func TestTensorBoardReadByTensorBoard(t *testing.T) {
	py := testenv.SlowPython(t, tbPythonModules...)
	logDir, exp := tbTrainDigits(t)
	b, err := json.MarshalIndent(exp, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	expect := filepath.Join(filepath.Dir(logDir), "expect.json")
	if err := os.WriteFile(expect, b, 0o644); err != nil {
		t.Fatal(err)
	}
	nScalars := 0
	for _, r := range exp.Runs {
		for _, s := range r.Scalars {
			nScalars += len(s.Steps)
		}
	}
	t.Logf("%d scalar points in %d runs", nScalars, len(exp.Runs))

	t.Run("GoReader", func(t *testing.T) { tbCheckDir(t, logDir, exp) })

	t.Run("EventAccumulator", func(t *testing.T) {
		out, err := testenv.PythonCombinedOutput(t, py, filepath.Join("testdata", "tensorboard_check.py"), logDir, expect)
		t.Logf("tensorboard_check.py: %s", bytes.TrimSpace(out))
		if err != nil {
			t.Fatalf("tensorboard_check.py failed: %v", err)
		}
	})

	t.Run("Server", func(t *testing.T) { tbCheckServer(t, logDir, exp) })

	t.Run("tfevents_check", func(t *testing.T) {
		checker, err := testenv.SharedFile(testenv.TFEventsChecker)
		if err != nil {
			if testenv.PythonRequired() {
				t.Fatalf("no verifier: %v", err)
			}
			t.Skipf("no verifier: %v", err)
		}
		var tags []string
		for run, r := range exp.Runs {
			for tag := range r.Scalars {
				tags = append(tags, run+"/"+tag)
			}
			for tag := range r.Histograms {
				tags = append(tags, run+"/"+tag)
			}
			if r.Graph != nil {
				tags = append(tags, run+"/keras")
			}
			if r.OpGraph != nil {
				tags = append(tags, run+"/__run_graph__")
			}
		}
		var runs map[string]map[string]struct {
			Kind   string    `json:"kind"`
			Steps  []int64   `json:"steps"`
			Values []float64 `json:"values"`
		}
		if err := json.Unmarshal(testenv.TFEventsCheck(t, py, checker, logDir, tags), &runs); err != nil {
			t.Fatalf("verifier runs: %v", err)
		}
		for run, r := range exp.Runs {
			for tag, s := range r.Scalars {
				g := runs[run][tag]
				if g.Kind != "scalar" || !slices.Equal(g.Steps, s.Steps) || len(g.Values) != len(s.Values) {
					t.Errorf("%s/%s: verifier read %s steps %v, want scalar steps %v", run, tag, g.Kind, g.Steps, s.Steps)
					continue
				}
				for i := range s.Values {
					if !same32(g.Values[i], s.Values[i]) {
						t.Errorf("%s/%s step %d: verifier read %v, want %v", run, tag, s.Steps[i], g.Values[i], s.Values[i])
					}
				}
			}
		}
	})
}

// tbLockedBuffer collects a process's output while it runs.
type tbLockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *tbLockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *tbLockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// tbFreePort returns a loopback port that was free a moment ago.
func tbFreePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// tbStartServer starts `python3 -m tensorboard.main` on logDir on a free loopback port in
// its own process group, which is killed when the test ends. It returns the base URL once
// the server answers.
func tbStartServer(t *testing.T, logDir string) string {
	t.Helper()
	port := tbFreePort(t)
	cmd := exec.Command("python3", "-m", "tensorboard.main", "--logdir", logDir,
		"--port", strconv.Itoa(port), "--host", "127.0.0.1", "--reload_interval", "1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &tbLockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		pgid := cmd.Process.Pid // Setpgid: the group is the one the server and its data server run in
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-done
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-done:
			t.Fatalf("tensorboard exited before serving: %v\n%s", err, out)
		default:
		}
		resp, err := http.Get(base + "/data/runs")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Logf("tensorboard: %s", strings.TrimSpace(out.String()))
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("tensorboard did not answer on %s within 60 s:\n%s", base, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// tbGetJSON fetches base+path and decodes the JSON answer into v.
func tbGetJSON(base, path string, v any) error {
	resp, err := http.Get(base + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %.300s", path, resp.Status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("GET %s: %v: %.300s", path, err, b)
	}
	return nil
}

// tbCheckServer reads every expected series through the HTTP data API of a running
// TensorBoard, the routes its dashboards call: the scalars and histograms plugins, and the
// conceptual graph of the graphs plugin.
func tbCheckServer(t *testing.T, logDir string, exp *tbExpect) {
	base := tbStartServer(t, logDir)
	// Wait until the server has loaded every point (it reads the files in the background).
	deadline := time.Now().Add(90 * time.Second)
	for {
		var tags map[string]map[string]any
		err := tbGetJSON(base, "/data/plugin/scalars/tags", &tags)
		loaded := err == nil
		for run, r := range exp.Runs {
			for tag, s := range r.Scalars {
				if _, ok := tags[run][tag]; !ok {
					loaded = false
					continue
				}
				var pts [][3]float64
				if loaded && tbGetJSON(base, tbQuery("/data/plugin/scalars/scalars", run, tag), &pts) == nil && len(pts) < len(s.Steps) {
					loaded = false
				}
			}
		}
		if loaded {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not serve every expected point within 90 s (last error %v, tags %v)", err, tags)
		}
		time.Sleep(500 * time.Millisecond)
	}

	var runs []string
	if err := tbGetJSON(base, "/data/runs", &runs); err != nil {
		t.Fatal(err)
	}
	slices.Sort(runs)
	if want := sortedTags(exp.Runs); !slices.Equal(runs, want) {
		t.Errorf("/data/runs = %v, want %v", runs, want)
	}
	var scalarTags map[string]map[string]any
	if err := tbGetJSON(base, "/data/plugin/scalars/tags", &scalarTags); err != nil {
		t.Fatal(err)
	}
	var histTags map[string]map[string]any
	if err := tbGetJSON(base, "/data/plugin/histograms/tags", &histTags); err != nil {
		t.Fatal(err)
	}
	points, hists := 0, 0
	for run, r := range exp.Runs {
		if got, want := sortedTags(scalarTags[run]), sortedTags(r.Scalars); !slices.Equal(got, want) {
			t.Errorf("scalar tags of run %s: served %v, want %v", run, got, want)
		}
		if got, want := sortedTags(histTags[run]), sortedTags(r.Histograms); !slices.Equal(got, want) {
			t.Errorf("histogram tags of run %s: served %v, want %v", run, got, want)
		}
		for tag, s := range r.Scalars {
			var pts [][3]float64 // [wall time, step, value]
			if err := tbGetJSON(base, tbQuery("/data/plugin/scalars/scalars", run, tag), &pts); err != nil {
				t.Error(err)
				continue
			}
			if len(pts) != len(s.Steps) {
				t.Errorf("%s/%s: served %d points, want %d", run, tag, len(pts), len(s.Steps))
				continue
			}
			for i, p := range pts {
				if int64(p[1]) != s.Steps[i] || !same32(p[2], s.Values[i]) {
					t.Errorf("%s/%s point %d: served step %v value %v, want step %d value %v", run, tag, i, p[1], p[2], s.Steps[i], s.Values[i])
				}
				points++
			}
		}
		for tag, h := range r.Histograms {
			var series []json.RawMessage // [wall time, step, [[left, right, count], ...]]
			if err := tbGetJSON(base, tbQuery("/data/plugin/histograms/histograms", run, tag), &series); err != nil {
				t.Error(err)
				continue
			}
			var steps []int64
			for _, raw := range series {
				var entry []json.RawMessage
				var step float64
				var buckets [][3]float64
				if err := json.Unmarshal(raw, &entry); err != nil || len(entry) != 3 ||
					json.Unmarshal(entry[1], &step) != nil || json.Unmarshal(entry[2], &buckets) != nil {
					t.Errorf("%s/%s: cannot decode served histogram %.200s", run, tag, raw)
					continue
				}
				steps = append(steps, int64(step))
				total := 0.0
				for _, b := range buckets {
					total += b[2]
				}
				if total != float64(h.Size) {
					t.Errorf("%s/%s step %v: served counts sum to %v, want %d", run, tag, step, total, h.Size)
				}
				hists++
			}
			if !slices.Equal(steps, h.Steps) {
				t.Errorf("%s/%s: served histogram steps %v, want %v", run, tag, steps, h.Steps)
			}
		}
		if r.Graph != nil {
			resp, err := http.Get(base + "/data/plugin/graphs/graph?" + url.Values{"run": {run}, "tag": {"keras"}, "conceptual": {"true"}}.Encode())
			if err != nil {
				t.Fatal(err)
			}
			pbtxt, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("conceptual graph of run %s: %s: %.300s", run, resp.Status, pbtxt)
			}
			for node := range r.Graph.Nodes {
				if !bytes.Contains(pbtxt, []byte(`name: "`+node+`"`)) {
					t.Errorf("the served conceptual graph of run %s has no node %s:\n%.2000s", run, node, pbtxt)
				}
			}
		}
	}
	tbCheckServedOpGraphs(t, base, exp)
	t.Logf("the server served %d scalar points and %d histograms, all as written", points, hists)
	if points == 0 || math.IsNaN(float64(points)) {
		t.Fatal("no point checked")
	}
}

// tbQuery builds a data-API URL path for one run and tag.
func tbQuery(route, run, tag string) string {
	return route + "?" + url.Values{"run": {run}, "tag": {tag}}.Encode()
}
