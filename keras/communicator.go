package keras

import (
	"errors"
	"fmt"
	"sync"
)

// Communicator connects the processes (ranks) of one data-parallel job. Give one to
// [DataParallel] with [WithCommunicator]: Fit then broadcasts rank 0's weights and optimizer
// state at its start, sums every step's gradients over the ranks and keeps the logs equal on
// every rank (see docs/scaling.md). Package keras/mpi (build tag mpi) implements it over
// OpenMPI; [NewLocalGroup] implements it with goroutines as ranks.
//
// Every rank must make the same calls in the same order with buffers of the same length, as
// MPI's collectives require.
type Communicator interface {
	Rank() int
	Size() int
	// Broadcast copies root's buf into buf on every rank.
	Broadcast(buf []byte, root int) error
	// AllreduceSum replaces buf on every rank by the elementwise sum of buf over all ranks, in a deterministic order.
	AllreduceSum(buf []float64) error
	// Abort ends every process of the job with code (MPI_Abort); it does not return on success.
	Abort(code int) error
}

// ErrAborted is wrapped by the errors a [NewLocalGroup] communicator returns once a rank of
// its group has called Abort.
var ErrAborted = errors.New("the job was aborted")

// NewLocalGroup returns n communicators, ranks 0..n-1 of one job whose ranks are goroutines
// of this process: to simulate a multi-process job in tests, or to try the multi-process
// code path on one machine. Give each rank's communicator to the Fit of its own model on
// its own goroutine.
//
// Sums are taken in rank order 0, 1, …, n-1, so results are deterministic. Abort cannot end
// the process without ending the other ranks' goroutines with it, so it marks the group
// aborted and returns nil: every rank's pending and later calls return an error wrapping
// [ErrAborted]. n must be positive; NewLocalGroup panics otherwise (a programming error, as
// make with a negative length).
func NewLocalGroup(n int) []Communicator {
	if n <= 0 {
		panic(fmt.Sprintf("keras: NewLocalGroup(%d): the group needs at least one rank", n))
	}
	g := &localGroup{size: n, in: make([]deposit, n)}
	g.cond.L = &g.mu
	out := make([]Communicator, n)
	for r := range out {
		out[r] = &localRank{g: g, rank: r}
	}
	return out
}

// localGroup is the shared state of the ranks of NewLocalGroup: one collective call at a
// time, as MPI's collectives on one communicator.
type localGroup struct {
	mu      sync.Mutex
	cond    sync.Cond
	size    int
	in      []deposit // this round's buffers, by rank
	arrived int       // ranks that deposited in this round
	round   int64     // completed rounds
	left    int       // ranks still to copy the finished round's result
	result  deposit
	abort   error // set once by Abort
}

// deposit is one rank's part of a collective call.
type deposit struct {
	op    string // "Broadcast" or "AllreduceSum"
	root  int
	bytes []byte
	nums  []float64
	err   error // a result only: the ranks' calls did not match
}

// localRank is one rank's view of a localGroup.
type localRank struct {
	g    *localGroup
	rank int
}

func (r *localRank) Rank() int { return r.rank }
func (r *localRank) Size() int { return r.g.size }

// Broadcast copies root's buf into buf on every rank.
func (r *localRank) Broadcast(buf []byte, root int) error {
	if root < 0 || root >= r.g.size {
		return fmt.Errorf("keras: local group: Broadcast from rank %d of a group of %d", root, r.g.size)
	}
	res, err := r.g.collective(r.rank, deposit{op: "Broadcast", root: root, bytes: buf})
	if err != nil {
		return err
	}
	copy(buf, res.bytes)
	return nil
}

// AllreduceSum replaces buf by the sum over the ranks, added in rank order.
func (r *localRank) AllreduceSum(buf []float64) error {
	res, err := r.g.collective(r.rank, deposit{op: "AllreduceSum", nums: buf})
	if err != nil {
		return err
	}
	copy(buf, res.nums)
	return nil
}

// Abort marks the group aborted: every rank's pending and later calls fail.
func (r *localRank) Abort(code int) error {
	g := r.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.abort == nil {
		g.abort = fmt.Errorf("keras: local group: rank %d aborted the job with code %d: %w", r.rank, code, ErrAborted)
	}
	g.cond.Broadcast()
	return nil
}

// collective deposits rank's part, waits for every rank's and returns the combined result.
// The rank that arrives last combines; the next round starts once every rank has taken the
// result, so a fast rank cannot overwrite a buffer a slow one still reads.
func (g *localGroup) collective(rank int, d deposit) (deposit, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.left > 0 && g.abort == nil {
		g.cond.Wait()
	}
	if g.abort != nil {
		return deposit{}, g.abort
	}
	g.in[rank] = d
	g.arrived++
	round := g.round
	if g.arrived == g.size {
		g.result = combine(g.in)
		g.arrived, g.left = 0, g.size
		g.round++
		g.cond.Broadcast()
	}
	for g.round == round && g.abort == nil {
		g.cond.Wait()
	}
	if g.round == round { // aborted before every rank arrived
		return deposit{}, g.abort
	}
	res := g.result
	g.left--
	if g.left == 0 {
		clear(g.in)
		g.cond.Broadcast()
	}
	if res.err != nil {
		return deposit{}, res.err
	}
	return res, nil
}

// combine computes a round's result from every rank's deposit, or the error that the calls
// do not match (different operations, roots or lengths), which every rank then returns.
func combine(in []deposit) deposit {
	first := in[0]
	for r, d := range in {
		if d.op != first.op || d.root != first.root || len(d.bytes) != len(first.bytes) || len(d.nums) != len(first.nums) {
			return deposit{err: fmt.Errorf("keras: local group: rank %d called %s(root %d, %d bytes, %d numbers) while rank 0 called %s(root %d, %d bytes, %d numbers)",
				r, d.op, d.root, len(d.bytes), len(d.nums), first.op, first.root, len(first.bytes), len(first.nums))}
		}
	}
	if first.op == "Broadcast" {
		return deposit{bytes: append([]byte(nil), in[first.root].bytes...)}
	}
	sum := make([]float64, len(first.nums))
	for _, d := range in { // rank order: the same sum on every run
		for i, v := range d.nums {
			sum[i] += v
		}
	}
	return deposit{nums: sum}
}
