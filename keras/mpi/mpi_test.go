//go:build mpi

package mpi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// communicator is keras.Communicator's method set, copied here because this package must build
// without package keras; *Comm must keep satisfying it.
type communicator interface {
	Rank() int
	Size() int
	Broadcast(buf []byte, root int) error
	AllreduceSum(buf []float64) error
	Abort(code int) error
}

var _ communicator = (*Comm)(nil)

// requireMPIEnv makes a missing mpirun a failure instead of a skip (CI sets it).
const requireMPIEnv = "KERAGO_REQUIRE_MPI"

// failBound is how soon after a rank fails the whole job must have ended. Measured on 2
// loopback ranks: about 0.05 s after Abort, 1 s after SIGKILL, 2 s after an Abort that waits
// for a busy MPI call (docs/mpi.md).
const failBound = 10 * time.Second

// helper is the path of the built mpitest program, set by TestMain.
var helper string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kerago-mpitest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	helper = filepath.Join(dir, "mpitest")
	out, err := exec.Command("go", "build", "-tags", "mpi", "-o", helper,
		"github.com/kerago/kerago/keras/mpi/internal/mpitest").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building mpitest: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// mpirun returns mpirun's path, skipping the test when it is absent unless KERAGO_REQUIRE_MPI=1.
func mpirun(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("mpirun")
	if err != nil {
		if os.Getenv(requireMPIEnv) == "1" {
			t.Fatalf("mpirun not found and %s=1: install OpenMPI (apt-get install openmpi-bin libopenmpi-dev)", requireMPIEnv)
		}
		t.Skipf("mpirun not found (install openmpi-bin, or set %s=1 to fail here): %v", requireMPIEnv, err)
	}
	return p
}

// job is the outcome of one mpirun.
type job struct {
	stdout, stderr string
	code           int       // mpirun's exit status
	end            time.Time // when mpirun exited
}

// run starts `mpirun -np np mpitest args...` and waits at most a minute for it.
func run(t *testing.T, np int, args ...string) job {
	t.Helper()
	var flags []string
	if os.Geteuid() == 0 {
		flags = append(flags, "--allow-run-as-root") // CI and containers run as root
	}
	if np > runtime.NumCPU() {
		flags = append(flags, "--oversubscribe") // more ranks than cores: allowed, just slower
	}
	flags = append(flags, "-np", strconv.Itoa(np), helper)
	cmd := exec.Command(mpirun(t), append(flags, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatalf("mpirun: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("mpirun -np %d %v still running after a minute: the job hangs\nstdout:\n%s\nstderr:\n%s",
			np, args, out.String(), errOut.String())
	}
	j := job{stdout: out.String(), stderr: errOut.String(), end: time.Now()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		j.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("mpirun: %v", err)
	}
	return j
}

// ranksLine matches the collectives mode's line per rank.
var ranksLine = regexp.MustCompile(`rank (\d+) size (\d+) broadcast ok ordered (\w+) library (\w+)`)

// collectives runs the collectives mode on np ranks and returns each rank's ordered and
// library hashes, after checking that every rank reported and agrees with the others.
func collectives(t *testing.T, np int) (ordered, library string) {
	t.Helper()
	j := run(t, np, "-mode", "collectives")
	if j.code != 0 {
		t.Fatalf("mpirun -np %d exited %d\nstdout:\n%s\nstderr:\n%s", np, j.code, j.stdout, j.stderr)
	}
	seen := map[int]bool{}
	for _, m := range ranksLine.FindAllStringSubmatch(j.stdout, -1) {
		r, _ := strconv.Atoi(m[1])
		if m[2] != strconv.Itoa(np) {
			t.Errorf("rank %d reports size %s, want %d", r, m[2], np)
		}
		seen[r] = true
		if ordered == "" {
			ordered, library = m[3], m[4]
		}
		if m[3] != ordered || m[4] != library {
			t.Errorf("rank %d's sums differ from another rank's: ordered %s vs %s, library %s vs %s",
				r, m[3], ordered, m[4], library)
		}
	}
	if len(seen) != np {
		t.Fatalf("%d of %d ranks reported\nstdout:\n%s", len(seen), np, j.stdout)
	}
	return ordered, library
}

// TestCollectives: on 2 and 4 ranks, rank 0's broadcast arrives whole on every rank, and
// AllreduceSum equals, bit for bit, the rank-ordered sum that each rank computes from every
// rank's known buffer (the check is in mpitest; a mismatch fails the job), with the same bits
// on every rank.
func TestCollectives(t *testing.T) {
	for _, np := range []int{2, 4} {
		t.Run(fmt.Sprintf("np=%d", np), func(t *testing.T) { collectives(t, np) })
	}
}

// TestSingleton: a program started without mpirun is rank 0 of a job of size 1, and its
// collectives work (the sums are its own buffer).
func TestSingleton(t *testing.T) {
	mpirun(t) // the singleton starts OpenMPI's daemon, which comes with mpirun
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, helper, "-mode", "collectives", "-n", "1000").CombinedOutput()
	if err != nil {
		t.Fatalf("mpitest without mpirun: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`rank 0 size 1 broadcast ok`).Match(out) {
		t.Fatalf("want rank 0 of 1:\n%s", out)
	}
}

// TestAllreduceDeterministic: two jobs on the same 4 ranks give bit-identical sums, for the
// rank-ordered AllreduceSum and for MPI_Allreduce.
func TestAllreduceDeterministic(t *testing.T) {
	o1, l1 := collectives(t, 4)
	o2, l2 := collectives(t, 4)
	if o1 != o2 {
		t.Errorf("AllreduceSum differs between runs: %s then %s", o1, o2)
	}
	if l1 != l2 {
		t.Errorf("LibraryAllreduceSum differs between runs: %s then %s", l1, l2)
	}
}

// failedAt is when the failing rank said it fails.
var failedAt = regexp.MustCompile(`failing at (\d+)`)

// endsJob checks that a job in which one rank fails exits non-zero within failBound of the
// failure, and returns that delay.
func endsJob(t *testing.T, args ...string) time.Duration {
	t.Helper()
	j := run(t, 2, args...)
	if j.code == 0 {
		t.Fatalf("mpirun %v exited 0; want the failed rank to fail the job\nstdout:\n%s\nstderr:\n%s", args, j.stdout, j.stderr)
	}
	m := failedAt.FindStringSubmatch(j.stdout)
	if m == nil {
		t.Fatalf("mpirun %v: no rank reported its failure\nstdout:\n%s\nstderr:\n%s", args, j.stdout, j.stderr)
	}
	ns, _ := strconv.ParseInt(m[1], 10, 64)
	d := j.end.Sub(time.Unix(0, ns))
	if d > failBound {
		t.Errorf("mpirun %v ended %v after the failure, want within %v", args, d, failBound)
	}
	t.Logf("mpirun %v: exit %d, %v after the failure", args, j.code, d.Round(time.Millisecond))
	return d
}

// TestAbortEndsJob: rank 1 calls Abort(3) at step 5 of an allreduce loop while rank 0 waits in
// the next allreduce; mpirun exits with 3 within seconds.
func TestAbortEndsJob(t *testing.T) {
	endsJob(t, "-mode", "abort", "-step", "5")
}

// TestKilledRankEndsJob: rank 1 is killed by SIGKILL at step 5; mpirun ends rank 0 and exits
// non-zero within seconds.
func TestKilledRankEndsJob(t *testing.T) {
	endsJob(t, "-mode", "kill", "-step", "5")
}

// TestAbortWhileBusy: rank 0 calls Abort while another of its goroutines waits in an allreduce
// that rank 1 never joins; Abort exits the process after its grace period and mpirun ends
// the job.
func TestAbortWhileBusy(t *testing.T) {
	if d := endsJob(t, "-mode", "abortbusy"); d < abortGrace {
		t.Errorf("the job ended %v after Abort, before the %v grace period", d, abortGrace)
	}
}

// TestPanicRecoveredAfterInit: a nil dereference after Init is a Go panic that recover
// catches, and MPI still works after it, on every rank.
func TestPanicRecoveredAfterInit(t *testing.T) {
	j := run(t, 2, "-mode", "panic")
	if j.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", j.code, j.stdout, j.stderr)
	}
	for r := range 2 {
		if want := fmt.Sprintf("rank %d after recover: sum 2", r); !strings.Contains(j.stdout, want) {
			t.Errorf("missing %q\nstdout:\n%s", want, j.stdout)
		}
	}
}

// TestMismatchedLengths: buffers of different lengths on the two ranks give rank 0 an error
// that names the method, the size, the rank and the failed MPI call with MPI's text, and the
// job ends (mpitest aborts on the error) rather than hangs.
func TestMismatchedLengths(t *testing.T) {
	j := run(t, 2, "-mode", "mismatch")
	if j.code == 0 {
		t.Fatalf("mpirun exited 0\nstdout:\n%s\nstderr:\n%s", j.stdout, j.stderr)
	}
	want := "mpi: AllreduceSum of 1000 values on rank 0: mpi: MPI_Gather: MPI_ERR_TRUNCATE"
	if !strings.Contains(j.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, j.stderr)
	}
}

// TestBenchMode: the benchmark prints a figure for each size and method (its full run is in
// docs/mpi.md).
func TestBenchMode(t *testing.T) {
	j := run(t, 2, "-mode", "bench", "-sizes", "1,4096")
	if j.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", j.code, j.stdout, j.stderr)
	}
	if n := strings.Count(j.stdout, "bench "); n != 4 {
		t.Errorf("%d bench lines, want 4 (2 sizes × 2 methods)\n%s", n, j.stdout)
	}
}

// TestSumRanks: the rank-ordered sum adds blocks in rank order, which shows in the bits
// when the order matters.
func TestSumRanks(t *testing.T) {
	big, small := 1e16, 1.0
	g := []float64{big, 1, small, 2, -big, 3} // 3 ranks, 2 values each
	dst := make([]float64, 2)
	sumRanks(dst, g, 3)
	if want := (big + small) + -big; dst[0] != want || dst[1] != 6 {
		t.Fatalf("sumRanks = %v, want [%v 6]", dst, want)
	}
	if dst[0] == (big+-big)+small {
		t.Fatalf("sumRanks = %v: the test's values no longer tell the orders apart", dst)
	}
	if math.IsNaN(dst[0]) {
		t.Fatal("NaN")
	}
}
