//go:build mpi

package mpi

/*
#include <mpi.h>

static int kerago_bcast_doubles(double *buf, int n, int root) {
	return MPI_Bcast(buf, n, MPI_DOUBLE, root, MPI_COMM_WORLD);
}
static int kerago_allreduce_sum(double *buf, int n) {
	return MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}
static int kerago_gather(double *send, double *recv, int n, int root) {
	return MPI_Gather(send, n, MPI_DOUBLE, recv, n, MPI_DOUBLE, root, MPI_COMM_WORLD);
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// reduceChunk is the number of float64 values one round of the rank-ordered sum moves per
// rank: rank 0 receives Size() times as many, so this bounds its extra memory (32 MiB per
// rank) for any buffer length.
const reduceChunk = 1 << 22

// AllreduceSum replaces buf on every rank by the elementwise sum of buf over all ranks, added
// in rank order: ((0 + buf₀) + buf₁) + … for every element. Every rank passes a buffer of
// the same length.
//
// The order is kerago's, not the library's: rank 0 gathers the buffers (MPI_Gather), adds
// them in rank order and broadcasts the sums (MPI_Bcast). MPI_Allreduce leaves the order of
// additions to the implementation's algorithm (chosen by buffer length, process count and
// tuning parameters), and float addition is not associative, so it guarantees neither the
// same bits as another job layout nor, by the standard, the same bits on every rank. The
// rank-ordered sum gives bit-identical results on every rank and in every run, equal to
// adding the ranks' buffers in a loop in one process; its cost is about twice
// MPI_Allreduce's traffic (docs/mpi.md has the measured figures). [Comm.LibraryAllreduceSum]
// is the MPI_Allreduce form.
func (c *Comm) AllreduceSum(buf []float64) error {
	if len(buf) == 0 {
		return nil
	}
	var recv []float64
	if c.rank == 0 {
		recv = make([]float64, c.size*min(len(buf), reduceChunk))
	}
	failed := "MPI_Gather"
	rc, err := c.run(func() C.int {
		for off := 0; off < len(buf); off += reduceChunk {
			part := buf[off:min(off+reduceChunk, len(buf))]
			n := len(part)
			var recvp *C.double
			if c.rank == 0 {
				recvp = (*C.double)(unsafe.Pointer(&recv[0]))
			}
			if rc := C.kerago_gather((*C.double)(unsafe.Pointer(&part[0])), recvp, C.int(n), 0); rc != C.MPI_SUCCESS {
				failed = "MPI_Gather"
				return rc
			}
			if c.rank == 0 {
				sumRanks(part, recv[:c.size*n], c.size)
			}
			if rc := C.kerago_bcast_doubles((*C.double)(unsafe.Pointer(&part[0])), C.int(n), 0); rc != C.MPI_SUCCESS {
				failed = "MPI_Bcast"
				return rc
			}
		}
		return C.MPI_SUCCESS
	})
	if err != nil {
		return fmt.Errorf("mpi: AllreduceSum: %w", err)
	}
	if rc != C.MPI_SUCCESS {
		return fmt.Errorf("mpi: AllreduceSum of %d values on rank %d: %w", len(buf), c.rank, mpiError(failed, rc))
	}
	return nil
}

// sumRanks writes into dst the rank-ordered sum of the size blocks of gathered, each
// len(dst) long: dst[i] = ((0 + g₀[i]) + g₁[i]) + …. Starting from +0 rather than g₀ is what
// a loop over ranks in one process does (keras.NewLocalGroup), so the two agree even on the
// sign of a zero sum.
func sumRanks(dst, gathered []float64, size int) {
	n := len(dst)
	clear(dst)
	for r := range size {
		block := gathered[r*n : (r+1)*n]
		for i, v := range block {
			dst[i] += v
		}
	}
}

// LibraryAllreduceSum replaces buf on every rank by the elementwise sum of buf over all ranks
// with one MPI_Allreduce(MPI_IN_PLACE, MPI_SUM), the library's own algorithm: less traffic than
// [Comm.AllreduceSum] for large buffers, but the order of additions is OpenMPI's choice, so
// the bits may differ from a rank-ordered sum (see AllreduceSum). Every rank passes a buffer of
// the same length.
func (c *Comm) LibraryAllreduceSum(buf []float64) error {
	if len(buf) == 0 {
		return nil
	}
	rc, err := c.run(func() C.int {
		for off := 0; off < len(buf); off += maxCount {
			part := buf[off:min(off+maxCount, len(buf))]
			if rc := C.kerago_allreduce_sum((*C.double)(unsafe.Pointer(&part[0])), C.int(len(part))); rc != C.MPI_SUCCESS {
				return rc
			}
		}
		return C.MPI_SUCCESS
	})
	if err != nil {
		return fmt.Errorf("mpi: LibraryAllreduceSum: %w", err)
	}
	if rc != C.MPI_SUCCESS {
		return fmt.Errorf("mpi: LibraryAllreduceSum of %d values on rank %d: %w", len(buf), c.rank, mpiError("MPI_Allreduce", rc))
	}
	return nil
}
