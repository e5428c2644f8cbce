package keras

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"sync"

	"gorgonia.org/tensor"
)

// stderr is where a rank logs the error that ends its job (a variable so tests can keep it
// quiet).
var stderr io.Writer = os.Stderr

// distState is the per-call state of a loop run under [Distribution]: the replicas of this
// process, the ranks of the job and the buffers every step reuses.
type distState struct {
	replicas   int
	comm       Communicator // nil: one process (Evaluate, Predict and validation always)
	rank, size int

	flat  []float64       // gradients, moving-statistics deltas, losses and metric rows
	sums  []*tensor.Dense // the summed gradients, in the parameters' dtypes
	snap  [][]float64     // non-trainable weights before the step's updates
	feeds []*tensor.Dense // per feed of the replicas: its values over this rank's rows

	noFeeds bool      // rank 0 said its training programs draw no feeds (shareRankFeeds)
	seed    [2]uint64 // Fit's shuffling seed, broadcast by rank 0 (startRanks)
	built   uint64    // programs built on this rank under this state (programRand)

	// Each rank feeds its own shard (AutoShardDataset(false), sharded.go).
	sharded bool
	slot    int            // rows of a rank's batch at most (BatchSize): its share of the exchange
	yRow    []tensor.Shape // per output: the targets' shape (first dimension 0), from the last batch
	global  int            // rows of the last step's global batch over the ranks; 0: no rank had one
}

// programRand returns the random source of a replica program built on this rank: nil (one
// derived from the package's source, as for one process) on rank 0 and without ranks, and on
// other ranks one derived from the broadcast seed, the rank and a count. Ranks other than 0
// take their Dropout masks from rank 0 (shareRankFeeds), so they need not draw from the
// package's source, and must not where ranks are goroutines of one process (NewLocalGroup):
// their draws would move rank 0's by the order the goroutines happen to build in.
func (s *distState) programRand() *rand.Rand {
	if s == nil || s.comm == nil || s.rank == 0 {
		return nil
	}
	s.built++
	return rand.New(rand.NewPCG(s.seed[0]^uint64(s.rank)<<32^s.built, s.seed[1]+s.built*0x9e3779b97f4a7c15))
}

// replicaKeyPrefix marks the cache keys of replica realisations: replica k of every step
// takes its program from the key "replica<k>:" + programKey, so that replicas never share a
// program and acquiring them in replica order cannot deadlock with another loop doing the
// same.
const replicaKeyPrefix = "replica"

func isReplicaKey(key string) bool { return strings.HasPrefix(key, replicaKeyPrefix) }

// rankRows returns the rows of a global batch that rank takes: rows rank, rank+size, ….
func rankRows(idx []int, rank, size int) []int {
	if size == 1 {
		return idx
	}
	var out []int
	for j := rank; j < len(idx); j += size {
		out = append(out, idx[j])
	}
	return out
}

// shards splits rows into at most n contiguous, non-empty shards, the first len(rows) mod n
// one row longer.
func shards(rows []int, n int) [][]int {
	n = min(n, len(rows))
	out := make([][]int, 0, n)
	at := 0
	for k := range n {
		size := len(rows) / n
		if k < len(rows)%n {
			size++
		}
		out = append(out, rows[at:at+size])
		at += size
	}
	return out
}

// replicaProgram returns replica k's program for the input shapes. The caller holds the
// model's lock.
func (r *runner) replicaProgram(k int, shapes []tensor.Shape, weighted bool) (*program, error) {
	m := r.m
	key := fmt.Sprintf("%s%d:%s", replicaKeyPrefix, k, programKey(r.md, shapes))
	if weighted {
		key += "|sample_weight"
	}
	return m.cache().acquire(key, 1, func() (*program, error) {
		mu := m.buildLock()
		mu.Lock()
		defer mu.Unlock()
		return m.buildProgram(r.md, key, shapes, r.trainable, weighted, r.dist.programRand())
	})
}

// distStep runs one global batch over this rank's replicas: the batch's rows for this rank
// split into shards, one goroutine per shard, then (training) one weighted sum of the
// gradients in replica order, one allreduce over the ranks and one optimizer step. after is
// called for every replica in replica order, as for one program. The caller holds the
// model's lock.
func (r *runner) distStep(d dataset, idx []int, after func(p *program, rows []int) error) (err error) {
	s := r.dist
	mine := idx
	if !s.sharded { // every rank reads the global batch and keeps its rows
		mine = rankRows(idx, s.rank, s.size)
	}
	parts := shards(mine, s.replicas)
	progs := make([]*program, len(parts))
	bufs := make([]*batchBuffers, len(parts))
	defer func() {
		for _, p := range progs {
			if p != nil {
				p.giveBack()
			}
		}
	}()
	// Acquired and fed in replica order (the lock order of replicaProgram's keys).
	for k, part := range parts {
		shapes, err := r.shapes(d, part)
		if err != nil {
			return err
		}
		if progs[k], err = r.replicaProgram(k, shapes, d.sw != nil && r.md != modePredict); err != nil {
			return err
		}
		if bufs[k], err = r.feed(progs[k], d, part); err != nil {
			return err
		}
	}
	if err := r.shareFeeds(progs, parts, len(idx)); err != nil {
		return err
	}
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for k, p := range progs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[k] = p.run() // run recovers Gorgonia's panics into errors
		}()
	}
	wg.Wait()
	for _, p := range progs {
		p.feedsFilled = false
	}
	for k, err := range errs { // the first in replica order, whatever finished first
		if err != nil {
			return fmt.Errorf("keras: replica %d: %w", k, err)
		}
	}
	switch {
	case r.md == modeTrain:
		if err := r.reduce(d, progs, bufs, parts, len(idx)); err != nil {
			return err
		}
	case r.md == modeTest:
		for k, p := range progs {
			if err := r.track(p, bufs[k], len(parts[k])); err != nil {
				return err
			}
		}
	}
	if after != nil {
		for k, p := range progs {
			if err := after(p, parts[k]); err != nil {
				return err
			}
		}
	}
	return nil
}
