//go:build mpi

package mpi

/*
#cgo pkg-config: ompi-c
#include <stdlib.h>
#include <mpi.h>

// OpenMPI's handles (MPI_COMM_WORLD, MPI_DOUBLE, ...) are macros over the addresses of
// library globals, which cgo cannot name, so the calls go through these small wrappers.
static int kerago_init(int required, int *provided) {
	return MPI_Init_thread(NULL, NULL, required, provided);
}
static int kerago_errors_return(void) {
	return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}
static int kerago_rank(int *rank) { return MPI_Comm_rank(MPI_COMM_WORLD, rank); }
static int kerago_size(int *size) { return MPI_Comm_size(MPI_COMM_WORLD, size); }
static int kerago_bcast(void *buf, int n, int root) {
	return MPI_Bcast(buf, n, MPI_BYTE, root, MPI_COMM_WORLD);
}
static int kerago_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }
static int kerago_finalize(void) { return MPI_Finalize(); }
static int kerago_initialized(int *flag) { return MPI_Initialized(flag); }
static void kerago_error_string(int code, char *buf, int *len) {
	if (MPI_Error_string(code, buf, len) != MPI_SUCCESS) {
		*len = 0;
	}
}
static int kerago_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static int kerago_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
static int kerago_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
	"unsafe"
)

// Comm is this process's place in the job mpirun started: its rank among MPI_COMM_WORLD's
// processes and the collective calls that data-parallel training needs. It satisfies
// keras.Communicator. Its methods may be called from any goroutine (see Threads in the package
// documentation); collective calls must be made by every rank in the same order with buffers
// of the same length, as MPI requires.
type Comm struct {
	rank, size int

	calls chan call     // run one at a time by the goroutine that owns MPI
	mu    sync.Mutex    // guards done
	done  bool          // Finalize has run
	quit  chan struct{} // closed by Finalize: the owner goroutine ends
}

// call is one MPI call handed to the owner goroutine; ret receives its status.
type call struct {
	f   func() C.int
	ret chan C.int
}

// abortGrace is how long Abort waits for the owner goroutine to take its call. If the owner is
// blocked in a collective that will never complete (a peer that hangs rather than dies),
// MPI_Abort cannot be reached through it, and Abort exits the process instead, which mpirun
// also treats as the job's failure.
const abortGrace = 2 * time.Second

// initOnce makes Init's MPI_Init_thread the process's only one, as MPI requires.
var (
	initOnce sync.Once
	initComm *Comm
	initErr  error
)

// Init starts MPI in this process (MPI_Init_thread) and returns its communicator over
// MPI_COMM_WORLD. It is called once per process; later calls return the same *Comm and error.
// Run under mpirun, each process gets its rank; run alone, it is rank 0 of a job of size 1.
//
// Init asks for MPI_THREAD_SERIALIZED and accepts MPI_THREAD_FUNNELED: every MPI call is made
// by the one OS thread that called MPI_Init_thread (see Threads in the package documentation),
// which either level allows.
//
// A nil dereference after Init is still a Go panic that recover catches (the tests check
// it): OpenMPI 4.1 leaves alone the signal handlers it finds installed, here the Go runtime's,
// even with its opal_signal parameter asking for SIGSEGV.
func Init() (*Comm, error) {
	initOnce.Do(func() { initComm, initErr = start() })
	return initComm, initErr
}

// start launches the owner goroutine and waits for MPI_Init_thread's outcome.
func start() (*Comm, error) {
	c := &Comm{calls: make(chan call), quit: make(chan struct{})}
	ready := make(chan error, 1)
	go c.own(ready)
	if err := <-ready; err != nil {
		return nil, err
	}
	return c, nil
}

// own is the goroutine that owns MPI. It locks itself to its OS thread before MPI_Init_thread
// and never unlocks: MPI's notion of "the thread that initialised" must stay this goroutine's,
// and when the goroutine returns after Finalize the locked thread is discarded with it.
func (c *Comm) own(ready chan<- error) {
	runtime.LockOSThread()
	var flag C.int
	if rc := C.kerago_initialized(&flag); rc != C.MPI_SUCCESS {
		ready <- mpiError("MPI_Initialized", rc)
		return
	}
	if flag != 0 {
		ready <- errors.New("mpi: Init: MPI was already initialised in this process outside this package")
		return
	}
	var provided C.int
	if rc := C.kerago_init(C.kerago_thread_serialized(), &provided); rc != C.MPI_SUCCESS {
		ready <- mpiError("MPI_Init_thread", rc)
		return
	}
	if provided < C.kerago_thread_funneled() {
		ready <- fmt.Errorf("mpi: Init: MPI_Init_thread provides thread level %d, below MPI_THREAD_FUNNELED: "+
			"a Go program always runs several OS threads", int(provided))
		return
	}
	// Errors come back as codes from here on; the default handler would abort the job from
	// inside the failing call, before Go could say which call and why.
	if rc := C.kerago_errors_return(); rc != C.MPI_SUCCESS {
		ready <- mpiError("MPI_Comm_set_errhandler", rc)
		return
	}
	var rank, size C.int
	if rc := C.kerago_rank(&rank); rc != C.MPI_SUCCESS {
		ready <- mpiError("MPI_Comm_rank", rc)
		return
	}
	if rc := C.kerago_size(&size); rc != C.MPI_SUCCESS {
		ready <- mpiError("MPI_Comm_size", rc)
		return
	}
	c.rank, c.size = int(rank), int(size)
	ready <- nil
	for {
		select {
		case k := <-c.calls:
			k.ret <- k.f()
		case <-c.quit:
			return
		}
	}
}

// errFinalized is returned by every call after Finalize.
var errFinalized = errors.New("mpi: the communicator was finalized")

// run hands f to the owner goroutine and returns its status code.
func (c *Comm) run(f func() C.int) (C.int, error) {
	c.mu.Lock()
	done := c.done
	c.mu.Unlock()
	if done {
		return 0, errFinalized
	}
	k := call{f: f, ret: make(chan C.int, 1)}
	select {
	case c.calls <- k:
	case <-c.quit:
		return 0, errFinalized
	}
	return <-k.ret, nil
}

// Rank is this process's rank in MPI_COMM_WORLD, from 0 to Size()-1.
func (c *Comm) Rank() int { return c.rank }

// Size is the number of processes in the job.
func (c *Comm) Size() int { return c.size }

// maxCount is the largest element count one MPI call takes (its count is a C int); longer
// buffers go in pieces of this size.
const maxCount = 1 << 30

// Broadcast copies root's buf into buf on every rank (MPI_Bcast). Every rank passes a buffer
// of the same length.
func (c *Comm) Broadcast(buf []byte, root int) error {
	if root < 0 || root >= c.size {
		return fmt.Errorf("mpi: Broadcast: root %d is not a rank of this job of %d processes", root, c.size)
	}
	// All pieces go in one turn of the owner goroutine, so that no other goroutine's
	// collective call can slip between them and leave the ranks' call orders different.
	rc, err := c.run(func() C.int {
		for off := 0; off < len(buf); off += maxCount {
			part := buf[off:min(off+maxCount, len(buf))]
			if rc := C.kerago_bcast(unsafe.Pointer(&part[0]), C.int(len(part)), C.int(root)); rc != C.MPI_SUCCESS {
				return rc
			}
		}
		return C.MPI_SUCCESS
	})
	if err != nil {
		return fmt.Errorf("mpi: Broadcast: %w", err)
	}
	if rc != C.MPI_SUCCESS {
		return fmt.Errorf("mpi: Broadcast of %d bytes from rank %d: %w", len(buf), root, mpiError("MPI_Bcast", rc))
	}
	return nil
}

// Abort ends every process of the job with code (MPI_Abort): mpirun kills the other ranks and
// exits non-zero. It does not return on success. If the goroutine that owns MPI is still busy
// in another call after 2 seconds (a collective that a hung peer never completes), Abort
// prints why to stderr and exits this process with code instead, which mpirun also takes as
// the job's failure. After Finalize it returns an error.
func (c *Comm) Abort(code int) error {
	c.mu.Lock()
	done := c.done
	c.mu.Unlock()
	if done {
		return fmt.Errorf("mpi: Abort: %w", errFinalized)
	}
	k := call{f: func() C.int { return C.kerago_abort(C.int(code)) }, ret: make(chan C.int, 1)}
	select {
	case c.calls <- k:
	case <-time.After(abortGrace):
		fmt.Fprintf(os.Stderr, "mpi: Abort(%d) on rank %d: MPI is busy in another call for %v; exiting the process instead\n",
			code, c.rank, abortGrace)
		os.Exit(code)
	}
	return fmt.Errorf("mpi: Abort(%d) on rank %d: %w", code, c.rank, mpiError("MPI_Abort", <-k.ret))
}

// Finalize ends MPI in this process (MPI_Finalize); every rank calls it once at the end of a
// successful job. Later calls to the Comm's methods return an error.
func (c *Comm) Finalize() error {
	c.mu.Lock()
	if c.done {
		c.mu.Unlock()
		return fmt.Errorf("mpi: Finalize: %w", errFinalized)
	}
	c.mu.Unlock()
	rc, err := c.run(func() C.int { return C.kerago_finalize() })
	if err != nil {
		return fmt.Errorf("mpi: Finalize: %w", err)
	}
	c.mu.Lock()
	c.done = true
	c.mu.Unlock()
	close(c.quit)
	if rc != C.MPI_SUCCESS {
		return mpiError("MPI_Finalize", rc)
	}
	return nil
}

// Error is a failed MPI call: its name, its error code and MPI_Error_string's text.
type Error struct {
	Call string // the MPI function, e.g. "MPI_Allreduce"
	Code int    // the code it returned
	Text string // MPI_Error_string(Code)
}

// Error formats e as "mpi: MPI_Bcast: MPI_ERR_TRUNCATE: message truncated (code 15)".
func (e *Error) Error() string {
	return fmt.Sprintf("mpi: %s: %s (code %d)", e.Call, e.Text, e.Code)
}

// mpiError builds the *Error for a failed call.
func mpiError(name string, rc C.int) error {
	buf := make([]byte, int(C.kerago_max_error_string()))
	var n C.int
	C.kerago_error_string(rc, (*C.char)(unsafe.Pointer(&buf[0])), &n)
	text := string(buf[:int(n)])
	if text == "" {
		text = "unknown MPI error"
	}
	return &Error{Call: name, Code: int(rc), Text: text}
}
