//go:build mpi

// Command mpitest is the program keras/mpi's tests and benchmark start under mpirun: each mode
// exercises one behaviour of mpi.Comm on every rank and prints what the test checks.
//
//	mpirun -np 2 mpitest -mode collectives   # broadcast and both allreduce sums, with hashes
//	mpirun -np 2 mpitest -mode abort -step 5 # rank 1 calls Abort(3) at step 5 of a loop
//	mpirun -np 2 mpitest -mode kill -step 5  # rank 1 sends itself SIGKILL at step 5
//	mpirun -np 2 mpitest -mode abortbusy     # rank 0 aborts while blocked in a collective
//	mpirun -np 2 mpitest -mode panic         # a nil dereference is recovered after Init
//	mpirun -np 2 mpitest -mode mismatch      # rank 1 sums a longer buffer than rank 0
//	mpirun -np 2 mpitest -mode bench         # allreduce latency and bandwidth
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kerago/kerago/keras/mpi"
)

func main() {
	mode := flag.String("mode", "collectives", "collectives, abort, kill, abortbusy, panic, mismatch or bench")
	n := flag.Int("n", 100003, "values per rank in the collectives mode")
	step := flag.Int("step", 5, "step of the loop at which rank 1 fails (abort, kill)")
	sizes := flag.String("sizes", "1,1024,131072,1048576", "float64 counts for bench")
	flag.Parse()

	comm, err := mpi.Init()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	switch *mode {
	case "collectives":
		err = collectives(comm, *n)
	case "abort", "kill":
		err = failAt(comm, *mode, *step)
	case "abortbusy":
		err = abortBusy(comm)
	case "panic":
		err = recoverNil(comm)
	case "mismatch":
		err = mismatch(comm)
	case "bench":
		err = bench(comm, *sizes)
	default:
		err = fmt.Errorf("unknown -mode %q", *mode)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "rank %d: %v\n", comm.Rank(), err)
		_ = comm.Abort(1)
	}
	if err := comm.Finalize(); err != nil {
		fmt.Fprintf(os.Stderr, "rank %d: %v\n", comm.Rank(), err)
		os.Exit(1)
	}
}

// values is rank r's buffer: n values whose magnitudes span many binades, so that the order
// of additions shows in the low bits of the sums.
func values(r, n int) []float64 {
	g := rand.New(rand.NewPCG(uint64(r)+1, 42))
	v := make([]float64, n)
	for i := range v {
		v[i] = (g.Float64() - 0.5) * math.Pow(10, float64(g.IntN(12)-6))
	}
	return v
}

// hash is a short digest of the values' bits.
func hash(v []float64) string {
	h := sha256.New()
	var b [8]byte
	for _, x := range v {
		u := math.Float64bits(x)
		for i := range b {
			b[i] = byte(u >> (8 * i))
		}
		h.Write(b[:])
	}
	return fmt.Sprintf("%x", h.Sum(nil)[:8])
}

// collectives checks Broadcast and AllreduceSum against what every rank can compute alone
// and prints one line per rank with the sums' hashes, for the test to compare across ranks
// and runs.
func collectives(c *mpi.Comm, n int) error {
	msg := make([]byte, 4099)
	if c.Rank() == 0 {
		for i := range msg {
			msg[i] = byte(i*7 + 1)
		}
	}
	if err := c.Broadcast(msg, 0); err != nil {
		return err
	}
	for i := range msg {
		if msg[i] != byte(i*7+1) {
			return fmt.Errorf("broadcast: byte %d is %d, root sent %d", i, msg[i], byte(i*7+1))
		}
	}
	// The rank-ordered sum every rank expects, from every rank's known buffer.
	want := make([]float64, n)
	for r := range c.Size() {
		for i, x := range values(r, n) {
			want[i] += x
		}
	}
	ordered := values(c.Rank(), n)
	if err := c.AllreduceSum(ordered); err != nil {
		return err
	}
	for i := range want {
		if math.Float64bits(ordered[i]) != math.Float64bits(want[i]) {
			return fmt.Errorf("AllreduceSum: element %d is %v, the rank-ordered sum is %v", i, ordered[i], want[i])
		}
	}
	library := values(c.Rank(), n)
	if err := c.LibraryAllreduceSum(library); err != nil {
		return err
	}
	differ, worst := 0, 0.0
	for i := range want {
		if library[i] != want[i] {
			differ++
			worst = max(worst, math.Abs(library[i]-want[i])/math.Abs(want[i]))
		}
	}
	fmt.Printf("rank %d size %d broadcast ok ordered %s library %s library-differs %d worst-rel %.3g\n",
		c.Rank(), c.Size(), hash(ordered), hash(library), differ, worst)
	return nil
}

// failAt runs a loop of allreduce steps in which rank 1 fails at step k, by Abort(3) or by
// SIGKILL; it prints the time of failure (Unix nanoseconds) for the test to time the job's end.
func failAt(c *mpi.Comm, how string, k int) error {
	buf := make([]float64, 1000)
	for s := 0; ; s++ {
		if c.Rank() == 1 && s == k {
			fmt.Printf("failing at %d\n", time.Now().UnixNano())
			os.Stdout.Sync()
			if how == "kill" {
				if err := syscall.Kill(os.Getpid(), syscall.SIGKILL); err != nil {
					return err
				}
				time.Sleep(time.Minute) // SIGKILL arrives first
			}
			return c.Abort(3)
		}
		if s == 1000 {
			return fmt.Errorf("rank %d: still running at step %d: rank 1 did not fail", c.Rank(), s)
		}
		if err := c.AllreduceSum(buf); err != nil {
			return err
		}
		time.Sleep(10 * time.Millisecond) // a training step's work
	}
}

// abortBusy has rank 0 call Abort while another goroutine of it waits in an allreduce that
// rank 1 never joins: Abort cannot reach MPI and must end the job by exiting.
func abortBusy(c *mpi.Comm) error {
	if c.Rank() != 0 {
		time.Sleep(time.Minute)
		return fmt.Errorf("rank %d: still running a minute after rank 0's Abort", c.Rank())
	}
	go func() {
		buf := make([]float64, 10)
		_ = c.LibraryAllreduceSum(buf)
	}()
	time.Sleep(300 * time.Millisecond)
	fmt.Printf("failing at %d\n", time.Now().UnixNano())
	os.Stdout.Sync()
	return c.Abort(4)
}

// recoverNil checks that a nil dereference after Init is still a Go panic that recover
// catches, which needs OpenMPI's own SIGSEGV handler off (see mpi.Init).
func recoverNil(c *mpi.Comm) (err error) {
	var p *[4]int
	func() {
		defer func() {
			if r := recover(); r != nil {
				fmt.Printf("rank %d recovered: %v\n", c.Rank(), r)
			} else {
				err = fmt.Errorf("nil dereference did not panic")
			}
		}()
		p[1]++
	}()
	if err != nil {
		return err
	}
	buf := []float64{1}
	if err := c.AllreduceSum(buf); err != nil {
		return err
	}
	fmt.Printf("rank %d after recover: sum %v\n", c.Rank(), buf[0])
	return nil
}

// bench times AllreduceSum and LibraryAllreduceSum on buffers of the given float64 counts;
// rank 0 prints one line per size and method: mean seconds per call and the bandwidth
// 8·count/time.
func bench(c *mpi.Comm, sizeList string) error {
	for _, f := range strings.Split(sizeList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("bench: bad size %q", f)
		}
		buf := values(c.Rank(), n)
		for _, m := range []struct {
			name string
			f    func([]float64) error
		}{{"ordered", c.AllreduceSum}, {"library", c.LibraryAllreduceSum}} {
			iters := max(5, min(2000, 50_000_000/(n*8+1000)))
			for range 3 { // warm-up: connections and buffers
				if err := m.f(buf); err != nil {
					return err
				}
			}
			// Every rank starts timing together; the slowest rank's time is the call's.
			if err := c.LibraryAllreduceSum([]float64{0}); err != nil {
				return err
			}
			start := time.Now()
			for range iters {
				if err := m.f(buf); err != nil {
					return err
				}
			}
			per := time.Since(start).Seconds() / float64(iters)
			t := []float64{per}
			if err := c.LibraryAllreduceSum(t); err != nil { // mean over ranks
				return err
			}
			per = t[0] / float64(c.Size())
			if c.Rank() == 0 {
				fmt.Printf("bench %s n=%d bytes=%d iters=%d sec/op=%.3g MB/s=%.1f\n",
					m.name, n, 8*n, iters, per, float64(8*n)/per/1e6)
			}
		}
	}
	return nil
}

// mismatch has rank 1 pass a longer buffer to AllreduceSum than rank 0, which breaks MPI's
// rule; the error that comes back (and the Abort that main makes of it) is what the test
// checks.
func mismatch(c *mpi.Comm) error {
	buf := make([]float64, 1000+1000*c.Rank())
	return c.AllreduceSum(buf)
}
