package keras

import (
	"fmt"
	"runtime"
)

// DataParallelConfig is a data-parallel distribution, Keras's
// keras.distribution.DataParallel: how many replicas of the model train side by side in
// this process, and the [Communicator] to the other processes of the job, if any. Make one
// with [DataParallel] and give it to Fit, Evaluate or Predict with [Distribution].
type DataParallelConfig struct {
	replicas int
	comm     Communicator
	commSet  bool // WithCommunicator was given (perhaps with nil)
	// sharded: each rank feeds its own shard ([AutoShardDataset](false)).
	sharded bool
}

// DataParallelOption configures [DataParallel].
type DataParallelOption func(*DataParallelConfig)

// DataParallel returns a data-parallel distribution with n replicas in this process; n = 0
// means one per core Go runs on (runtime.GOMAXPROCS), but no more than the global batch
// gives each rank rows for. Each step splits the global batch (BatchSize) into contiguous
// shards, the first B mod n one row longer, runs them on n realisations of the model in n
// goroutines, sums their gradients in replica order, each weighted by its shard's rows over
// the global batch's, and applies one optimizer step: the result is one replica's on the
// global batch up to float rounding. A last batch with fewer rows than replicas runs on as
// many replicas as it has rows.
//
// With [WithCommunicator], the batch is first split over the ranks of a multi-process job:
// rank r takes rows r, r+size, … of each global batch, so BatchSize stays the global batch
// and no learning-rate scaling is needed. With [AutoShardDataset](false) each rank's data is
// its own shard instead, and BatchSize is each rank's batch.
//
// Two differences from one replica (docs/scaling.md, section 2): BatchNormalization
// normalises each shard by its own statistics (its moving statistics are updated once, from
// the row-weighted mean of the replicas'), and Dropout's masks, drawn once over the global
// batch (on rank 0, which sends them to the other ranks) and sliced by rank and shard, are
// one replica's only when the batches are of equal size (seeded runs repeat bit for bit
// either way). Replicas and BLAS threads share the cores: with the
// openblas build keep OpenBLAS at its default of one thread.
func DataParallel(n int, opts ...DataParallelOption) DataParallelConfig {
	c := DataParallelConfig{replicas: n}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// WithCommunicator makes [DataParallel] one rank of a multi-process job connected by comm
// (package keras/mpi, or [NewLocalGroup]). Fit then broadcasts rank 0's weights, optimizer
// state and shuffling seed at its start, allreduces every step's gradients and the loss and
// metric state (so the logs, and the decisions of EarlyStopping and ReduceLROnPlateau, are
// the same on every rank), shows the progress bar and runs the callbacks that write files
// ([RankZeroOnly]) on rank 0 only, and on an error on any rank logs it to stderr and calls
// comm.Abort(1), so no rank waits forever. Evaluate and Predict run the whole data on every
// rank (the ranks hold the same weights), with the replicas of this process.
func WithCommunicator(comm Communicator) DataParallelOption {
	return func(c *DataParallelConfig) { c.comm, c.commSet = comm, true }
}

// Distribution runs the loop of Fit, Evaluate or Predict under a data-parallel
// distribution, as Keras's keras.distribution.set_distribution does for every loop:
//
//	m.Fit(x, y, keras.BatchSize(64), keras.Distribution(keras.DataParallel(2)))
//
// Without it, a loop runs one replica, as before.
func Distribution(d DataParallelConfig) LoopOption {
	return func(c *loopConfig) { c.dist = &d }
}

// RankZeroOnly is implemented by callbacks that only rank 0 of a multi-process job runs,
// as Horovod's convention is: those that write files or print (ModelCheckpoint,
// TensorBoard, CSVLogger, the progress bar). The other ranks skip them when RankZeroOnly
// returns true.
type RankZeroOnly interface {
	RankZeroOnly() bool
}

// RankZeroOnly reports true: only rank 0 of a multi-process job prints a progress bar.
func (p *ProgbarLogger) RankZeroOnly() bool { return true }

// checkDist returns one *ArgumentError per problem of a distribution given to call.
func (c loopConfig) checkDist(call string) []error {
	d := c.dist
	if d == nil {
		return nil
	}
	var errs []error
	if d.replicas < 0 {
		errs = append(errs, argErr(call, "distribution", ErrInvalidArgument, "DataParallel needs 0 (one replica per core) or more replicas, got %d", d.replicas))
	}
	if d.commSet && d.comm == nil {
		errs = append(errs, argErr(call, "distribution", ErrInvalidArgument, "WithCommunicator got a nil Communicator"))
	}
	if len(errs) > 0 || c.batchSize <= 0 {
		return errs
	}
	ranks := 1
	if d.comm != nil {
		ranks = d.comm.Size()
		if ranks <= 0 || d.comm.Rank() < 0 || d.comm.Rank() >= ranks {
			return append(errs, argErr(call, "distribution", ErrInvalidArgument, "the communicator is rank %d of %d", d.comm.Rank(), ranks))
		}
	}
	if d.sharded { // BatchSize is this rank's batch
		ranks = 1
	}
	// DataParallel(0) takes at least one replica per rank.
	if r := max(1, d.replicas); r*ranks > c.batchSize {
		errs = append(errs, argErr(call, "distribution", ErrInvalidArgument, "batch_size %d is smaller than %d replicas × %d ranks: some replicas would get no rows", c.batchSize, r, ranks))
	}
	return errs
}

// newDistState returns the state of a loop run under d (nil: one replica, the loop as
// before). train says whether it is Fit's training loop, the only one that uses the
// communicator.
func newDistState(d *DataParallelConfig, batchSize int, train bool) *distState {
	if d == nil {
		return nil
	}
	s := &distState{rank: 0, size: 1}
	if train && d.comm != nil {
		s.comm, s.rank, s.size = d.comm, d.comm.Rank(), d.comm.Size()
		s.sharded, s.slot = d.sharded, batchSize
	}
	s.replicas = d.replicas
	if s.replicas == 0 {
		perRank := batchSize / s.size
		if s.sharded {
			perRank = batchSize
		}
		s.replicas = max(1, min(runtime.GOMAXPROCS(0), perRank))
	}
	return s
}

// local returns the state for the inference loops of a Fit under s: the same replicas,
// without the ranks (each rank validates on the whole validation data).
func (s *distState) local() *distState {
	if s == nil {
		return nil
	}
	return &distState{replicas: s.replicas, size: 1}
}

// rankZero reports whether this process prints and writes files (always, without ranks).
func (s *distState) rankZero() bool { return s == nil || s.rank == 0 }

// forRank drops the callbacks other ranks skip (RankZeroOnly) and, on ranks other than 0,
// the progress bar (verbose 0).
func (s *distState) forRank(c *loopConfig) {
	if s.rankZero() {
		return
	}
	c.verbose = 0
	var kept []Callback
	for _, cb := range c.callbacks {
		if z, ok := cb.(RankZeroOnly); ok && z.RankZeroOnly() {
			continue
		}
		kept = append(kept, cb)
	}
	c.callbacks = kept
}

// abortOnError ends the job when Fit failed on this rank: the error goes to stderr (the
// job may end before Fit's caller sees it) and Abort(1) ends every rank, so none waits in
// a collective call for this one.
func (s *distState) abortOnError(err error) {
	if s == nil || s.comm == nil || err == nil {
		return
	}
	fmt.Fprintf(stderr, "keras: rank %d of %d: %v\n", s.rank, s.size, err)
	if aerr := s.comm.Abort(1); aerr != nil {
		fmt.Fprintf(stderr, "keras: rank %d: Abort: %v\n", s.rank, aerr)
	}
}
