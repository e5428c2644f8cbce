package keras

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// epochFeed hands a loop (Fit's training or validation, Evaluate, Predict) its batches epoch
// after epoch, from arrays in memory or from a Stream, with Keras's EpochIterator rules for
// steps: without a step count every epoch is one pass, started anew; with StepsPerEpoch (or
// ValidationSteps, Steps) an epoch takes that many batches and the next continues the same
// pass, which ends an epoch early when it runs out and is then started anew (Keras warns
// "Your input ran out of data"). Arrays follow the same rule, so Fit on arrays with
// StepsPerEpoch walks through one shuffled pass over several epochs, as Keras 3 does.
type epochFeed struct {
	m *Model
	// call and arg name the feed in its own errors (the stream's): "Fit", "validation_data".
	call, arg string
	needY     bool
	steps     int // batches per epoch; 0: one pass
	// restart starts every epoch on a new pass even with steps: Fit's validation, which
	// Keras resets before each evaluation.
	restart bool

	// Arrays in memory.
	arr     *dataset
	bs      int
	shuffle bool

	// A stream.
	s        *Stream
	prefetch int
	bufRows  int // ShuffleBuffer

	rng *rand.Rand
	cur *pass
	// numBatches is the length of a pass: known for arrays, learnt when a stream's pass
	// ends (0 until then).
	numBatches int
	seen       int // batches taken from the current pass
}

// pass is one pass over the data: next returns the next batch as a dataset and the rows of
// it to run, or ok false at the end.
type pass struct {
	next func() (d dataset, idx []int, ok bool, err error)
	stop func()
}

// fitFeeds returns Fit's training feed and its validation feed (nil without validation).
// x may be a *Stream (y nil), as may ValidationData's x.
func (m *Model) fitFeeds(x, y any, cfg fitConfig, rng *rand.Rand) (train, val *epochFeed, err error) {
	if s, ok := x.(*Stream); ok {
		if y != nil {
			return nil, nil, argErr("Fit", "y", ErrData, "a Stream carries its targets in its batches; pass y nil")
		}
		if cfg.valSplit > 0 && !cfg.hasVal { // ValidationData overrides it, as for arrays
			return nil, nil, argErr("Fit", "validation_split", ErrInvalidArgument, "a Stream cannot be split (its length is unknown); pass ValidationData")
		}
		if cfg.hasSampleWeight || cfg.hasClassWeight {
			return nil, nil, argErr("Fit", "sample_weight", ErrInvalidArgument, "SampleWeight and ClassWeight apply to arrays in memory, not to a Stream")
		}
		train = &epochFeed{m: m, call: "Fit", s: s, needY: true, steps: cfg.stepsPerEpoch,
			prefetch: cfg.prefetch, bufRows: cfg.shuffleBuffer, rng: rng}
	} else {
		if cfg.shuffleBuffer > 0 {
			return nil, nil, argErr("Fit", "shuffle_buffer", ErrInvalidArgument, "applies to a Stream; arrays in memory are shuffled whole (Shuffle)")
		}
		d, err := m.dataset(x, y, true)
		if err != nil {
			return nil, nil, inCall("Fit", "", err)
		}
		if cfg.hasSampleWeight {
			// Before the split: validation_split keeps the last rows' weights with them.
			if d.sw, d.swPer, err = m.sampleWeights("Fit", cfg.sampleWeight, d.n); err != nil {
				return nil, nil, err
			}
		}
		if !cfg.hasVal && cfg.valSplit > 0 {
			at := int(float64(d.n) * (1 - cfg.valSplit))
			if at == 0 || at == d.n {
				return nil, nil, argErr("Fit", "validation_split", ErrInvalidArgument, "%v of %d samples leaves no training or no validation samples", cfg.valSplit, d.n)
			}
			var vd dataset
			d, vd = d.split(at)
			val = arrayFeed(m, "Fit", "validation_data", vd, cfg.batchSize, cfg.valSteps, false, nil)
		}
		if cfg.hasClassWeight {
			// After the split, as Keras: class weights weight the training rows only.
			d.swPer = 1
			if d.sw, err = m.classWeights(cfg.classWeight, d); err != nil {
				return nil, nil, err
			}
		}
		train = arrayFeed(m, "Fit", "", d, cfg.batchSize, cfg.stepsPerEpoch, cfg.shuffle, rng)
	}
	if cfg.hasVal {
		val, err = m.loopFeed("Fit", cfg.valX, cfg.valY, true, loopConfig{batchSize: cfg.batchSize, prefetch: cfg.prefetch, steps: cfg.valSteps})
		if err != nil {
			return nil, nil, inCall("Fit", "validation_data", err)
		}
		val.call, val.arg = "Fit", "validation_data"
		if cfg.valSampleWeight != nil {
			if err := val.setSampleWeight(cfg.valSampleWeight); err != nil {
				return nil, nil, err
			}
		}
	}
	if val != nil {
		val.restart = true
	}
	return train, val, nil
}

// loopFeed returns the feed of one pass of Evaluate or Predict over x (a *Stream or arrays)
// and, when needY, y.
func (m *Model) loopFeed(call string, x, y any, needY bool, cfg loopConfig) (*epochFeed, error) {
	if s, ok := x.(*Stream); ok {
		if y != nil {
			return nil, fmt.Errorf("keras: %w: a Stream carries its targets in its batches; pass y nil", ErrData)
		}
		return &epochFeed{m: m, call: call, s: s, needY: needY, steps: cfg.steps, prefetch: cfg.prefetch}, nil
	}
	d, err := m.dataset(x, y, needY)
	if err != nil {
		return nil, err
	}
	return arrayFeed(m, call, "", d, cfg.batchSize, cfg.steps, false, nil), nil
}

// arrayFeed feeds batches of bs rows of d, shuffled per pass with rng when shuffle is set.
func arrayFeed(m *Model, call, arg string, d dataset, bs, steps int, shuffle bool, rng *rand.Rand) *epochFeed {
	return &epochFeed{m: m, call: call, arg: arg, arr: &d, bs: bs, steps: steps, shuffle: shuffle, rng: rng,
		numBatches: (d.n + bs - 1) / bs}
}

// stepsHint is the number of steps of an epoch as far as it is known (0: unknown), for the
// progress bar's target.
func (f *epochFeed) stepsHint() int {
	if f.steps > 0 {
		return f.steps
	}
	return f.numBatches
}

// open starts a new pass.
func (f *epochFeed) open() (*pass, error) {
	if f.arr != nil {
		order := identity(f.arr.n)
		if f.shuffle {
			f.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		bs := batches(f.arr.n, f.bs, order)
		k := 0
		return &pass{next: func() (dataset, []int, bool, error) {
			if k >= len(bs) {
				return dataset{}, nil, false, nil
			}
			k++
			return *f.arr, bs[k-1], true, nil
		}, stop: func() {}}, nil
	}
	done := make(chan struct{})
	seq, err := f.s.open(done)
	if err != nil {
		return nil, err
	}
	rd := readAhead(seq, done, f.prefetch)
	n := 0 // batches read from the source in this pass
	read := func() (dataset, bool, error) {
		b, err, ok := rd.next()
		if !ok {
			return dataset{}, false, nil
		}
		n++
		if err != nil {
			return dataset{}, false, &streamBatchError{n: n - 1, err: err}
		}
		d, err := f.m.dataset(b.X, b.Y, f.needY)
		if err != nil {
			return dataset{}, false, &streamBatchError{n: n - 1, err: err}
		}
		return d, true, nil
	}
	if f.bufRows > 0 {
		sb := &shuffleBuffer{size: f.bufRows, rng: f.rng, read: read}
		return &pass{next: func() (dataset, []int, bool, error) {
			d, ok, err := sb.next()
			if !ok || err != nil {
				return dataset{}, nil, false, err
			}
			return d, identity(d.n), true, nil
		}, stop: rd.stop}, nil
	}
	return &pass{next: func() (dataset, []int, bool, error) {
		d, ok, err := read()
		if !ok || err != nil {
			return dataset{}, nil, false, err
		}
		return d, identity(d.n), true, nil
	}, stop: rd.stop}, nil
}

// epoch runs fn on the batches of one epoch.
func (f *epochFeed) epoch(fn func(step int, d dataset, idx []int) error) error {
	if f.steps <= 0 {
		p, err := f.open()
		if err != nil {
			return inCall(f.call, f.arg, err)
		}
		f.cur = p
		defer f.close()
		for step := 0; ; step++ {
			d, idx, ok, err := p.next()
			if err != nil {
				return inCall(f.call, f.arg, err)
			}
			if !ok {
				if step == 0 && f.s != nil {
					return inCall(f.call, f.arg, errEmptyPass)
				}
				f.numBatches = step
				return nil
			}
			if err := fn(step, d, idx); err != nil {
				return err
			}
		}
	}
	if f.restart {
		f.close()
	}
	if f.cur == nil {
		p, err := f.open()
		if err != nil {
			return inCall(f.call, f.arg, err)
		}
		f.cur, f.seen = p, 0
	}
	for step := 0; step < f.steps; step++ {
		if f.numBatches > 0 && f.seen >= f.numBatches {
			break
		}
		d, idx, ok, err := f.cur.next()
		if err != nil {
			f.close()
			return inCall(f.call, f.arg, err)
		}
		if !ok {
			if f.seen == 0 && f.s != nil {
				f.close()
				return inCall(f.call, f.arg, errEmptyPass)
			}
			f.numBatches = f.seen
			f.close()
			break
		}
		f.seen++
		if err := fn(step, d, idx); err != nil {
			f.close()
			return err
		}
	}
	if f.cur != nil && f.numBatches > 0 && f.seen >= f.numBatches {
		f.close() // the pass is over: the next epoch starts a new one
	}
	return nil
}

// close stops the current pass, if any (its goroutine exits before close returns).
func (f *epochFeed) close() {
	if f.cur != nil {
		f.cur.stop()
		f.cur = nil
	}
}

// errEmptyPass is a pass of a stream that yielded no batch: Keras stops with "Unexpected
// result of train_function (Empty logs)"; this says why.
var errEmptyPass = fmt.Errorf("keras: %w: the stream yielded no batch in this pass (a source that cannot start over, or an empty one)", ErrData)

// streamBatchError names the batch of a stream (counted from 0 in its pass) that failed.
type streamBatchError struct {
	n   int
	err error
}

func (e *streamBatchError) Error() string {
	return fmt.Sprintf("keras: stream batch %d: %s", e.n, strings.TrimPrefix(e.err.Error(), "keras: "))
}

func (e *streamBatchError) Unwrap() error { return e.err }

// setSampleWeight gives the rows of an array feed per-sample weights w (SampleWeight's
// argument); a Stream's batches carry no weights.
func (f *epochFeed) setSampleWeight(w any) (err error) {
	if f.arr == nil {
		return argErr(f.call, "sample_weight", ErrInvalidArgument, "applies to arrays in memory, not to a Stream")
	}
	f.arr.sw, f.arr.swPer, err = f.m.sampleWeights(f.call, w, f.arr.n)
	return err
}
