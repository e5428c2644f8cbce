//go:build mpi

package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kerago/kerago/keras"
)

// The qajob program (internal/qajob), built by the first test that needs it.
var (
	qaOnce  sync.Once
	qaBin   string
	qaErr   error
	qaBuilt []string // directories to remove after the tests
)

// buildQA compiles internal/qajob with the mpi tag once for the tests of this run.
func buildQA(t *testing.T) string {
	t.Helper()
	qaOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kerago-qajob-")
		if err != nil {
			qaErr = err
			return
		}
		qaBuilt = append(qaBuilt, dir)
		qaBin = filepath.Join(dir, "qajob")
		if out, err := exec.Command("go", "build", "-tags", "mpi", "-o", qaBin, "./internal/qajob").CombinedOutput(); err != nil {
			qaErr = fmt.Errorf("go build -tags mpi ./internal/qajob: %v\n%s", err, out)
		}
	})
	if qaErr != nil {
		t.Fatal(qaErr)
	}
	return qaBin
}

// runAlone runs the qajob binary as one process, without mpirun.
func runAlone(t *testing.T, bin string, args ...string) {
	t.Helper()
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("qajob %v: %v\n%s", args, err, out)
	}
}

// readWeights reads a weights-rank<r>.bin file the job wrote.
func readWeights(t *testing.T, path string) []float32 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float32, len(b)/4)
	for i := range w {
		w[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return w
}

// maxDiff returns the largest absolute difference between a and b.
func maxDiff(t *testing.T, a, b []float32) float64 {
	t.Helper()
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("%d weights against %d", len(a), len(b))
	}
	worst := 0.0
	for i := range a {
		worst = math.Max(worst, math.Abs(float64(a[i])-float64(b[i])))
	}
	return worst
}

// Issue 13 point 3 under mpirun: the QA model (two int32 inputs, Embedding and LSTM on each)
// on 2 ranks × 1 replica trains as one process with 1 replica and with 2 replicas on the same
// global batches (21 Adam steps, shuffled), without and with a Dropout layer (rank 0 draws
// the masks over the global batch and sends them); both ranks end bit-identical although
// rank 1 was built from another seed; only rank 0 writes the ModelCheckpoint (a loadable
// model with the final weights) and the TensorBoard run.
func TestQARanksEqualOneProcess(t *testing.T) {
	t.Setenv("KERAGO_DATA", "") // the embedded e-mails, as on a fresh clone
	bin := buildQA(t)
	for _, dropout := range []string{"0", "0.3"} {
		t.Run("dropout "+dropout, func(t *testing.T) { qaRanksEqualOneProcess(t, bin, dropout) })
	}
}

func qaRanksEqualOneProcess(t *testing.T, bin, dropout string) {
	plain, replicas, ranks := t.TempDir(), t.TempDir(), t.TempDir()
	runAlone(t, bin, "-mode", "plain", "-dropout", dropout, "-out", plain)
	runAlone(t, bin, "-mode", "replicas", "-dropout", dropout, "-out", replicas)
	out, errOut, code := job(t, bin, 2, "-mode", "ranks", "-dropout", dropout, "-out", ranks)
	if code != 0 {
		t.Fatalf("mpirun -np 2 exited %d\n%s\n%s", code, out, errOut)
	}

	w0 := readWeights(t, filepath.Join(ranks, "weights-rank0.bin"))
	w1 := readWeights(t, filepath.Join(ranks, "weights-rank1.bin"))
	if d := maxDiff(t, w0, w1); d != 0 {
		t.Errorf("the ranks' weights differ by %g, want identical", d)
	}
	for _, ref := range []struct{ name, dir string }{
		{"1 process × 1 replica", plain},
		{"1 process × 2 replicas", replicas},
	} {
		d := maxDiff(t, w0, readWeights(t, filepath.Join(ref.dir, "weights-rank0.bin")))
		t.Logf("2 ranks × 1 replica against %s: %d weights, max difference %g", ref.name, len(w0), d)
		if !(d <= 1e-5) {
			t.Errorf("2 ranks × 1 replica against %s: weights differ by %g, want ≤ 1e-5", ref.name, d)
		}
	}
	h0, _ := os.ReadFile(filepath.Join(ranks, "history-rank0.txt"))
	h1, _ := os.ReadFile(filepath.Join(ranks, "history-rank1.txt"))
	if len(h0) == 0 || string(h0) != string(h1) {
		t.Errorf("epoch losses differ between the ranks:\nrank 0:\n%s\nrank 1:\n%s", h0, h1)
	}

	// The checkpoint: written by rank 0 only, and it is the trained model.
	if _, err := os.Stat(filepath.Join(ranks, "ckpt-rank1.keras")); !os.IsNotExist(err) {
		t.Errorf("rank 1 wrote a checkpoint (stat: %v); only rank 0 should", err)
	}
	m, err := keras.LoadModel(filepath.Join(ranks, "ckpt-rank0.keras"))
	if err != nil {
		t.Fatalf("rank 0's checkpoint: %v", err)
	}
	var saved []float32
	for _, w := range m.Weights() {
		saved = append(saved, w.Data().([]float32)...)
	}
	if d := maxDiff(t, w0, saved); d != 0 {
		t.Errorf("rank 0's checkpoint differs from its final weights by %g", d)
	}

	// The TensorBoard run: rank 0's holds an event file, rank 1 made no directory.
	events, _ := filepath.Glob(filepath.Join(ranks, "tb-rank0", "train", "events.out.tfevents.*"))
	if len(events) != 1 {
		t.Errorf("rank 0's TensorBoard run holds %d event files, want 1", len(events))
	} else if fi, err := os.Stat(events[0]); err != nil || fi.Size() == 0 {
		t.Errorf("rank 0's event file is empty or unreadable: %v", err)
	}
	if _, err := os.Stat(filepath.Join(ranks, "tb-rank1")); !os.IsNotExist(err) {
		t.Errorf("rank 1 wrote a TensorBoard run (stat: %v); only rank 0 should", err)
	}
}

// A rank killed by SIGKILL at the start of epoch 2 (no Abort, no word) ends the job: mpirun
// exits non-zero within seconds instead of rank 0 waiting forever in the step's allreduce.
func TestQAKilledRankEndsJob(t *testing.T) {
	t.Setenv("KERAGO_DATA", "")
	bin := buildQA(t)
	dir := t.TempDir()
	out, errOut, code := job(t, bin, 2, "-mode", "ranks", "-out", dir, "-epochs", "50", "-kill-rank", "1", "-kill-epoch", "2")
	ended := time.Now()
	if code == 0 {
		t.Fatalf("the job exited 0 after a rank was killed\n%s\n%s", out, errOut)
	}
	stamp, err := os.ReadFile(filepath.Join(dir, "killed-at"))
	if err != nil {
		t.Fatalf("rank 1 did not reach epoch 2 (%v); mpirun exited %d\n%s\n%s", err, code, out, errOut)
	}
	ns, err := strconv.ParseInt(strings.TrimSpace(string(stamp)), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	d := ended.Sub(time.Unix(0, ns))
	t.Logf("rank 1 killed at epoch 2: mpirun exited %d, %v after the kill", code, d.Round(time.Millisecond))
	if d > failBound {
		t.Errorf("the job ended %v after the kill, want within %v", d, failBound)
	}
	if _, err := os.Stat(filepath.Join(dir, "weights-rank0.bin")); !os.IsNotExist(err) {
		t.Errorf("rank 0 finished training although rank 1 died (stat: %v)", err)
	}
}

// failBound is how soon after a rank dies the job must have ended; docs/mpi.md measured
// about 1 s for a SIGKILL on 2 loopback ranks.
const failBound = 10 * time.Second
