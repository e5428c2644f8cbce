package keras

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// shareFeeds fills the training replicas' per-step random inputs (Dropout's masks, noise)
// as one replica would on this rank's rows: each feed is drawn once over all the rows with
// replica 0's generator, and every replica takes its shard's rows. Replica 0's generator is
// derived when its program is built, as one replica's program's is, so on one process the
// masks are those of one replica on the global batch. It does nothing (each replica then
// draws its own) unless every feed's first dimension is its replica's shard. On the ranks of
// a job, rank 0 draws over the global batch and sends the draws (shareRankFeeds), global
// being the global batch's rows.
func (r *runner) shareFeeds(progs []*program, parts [][]int, global int) error {
	if r.md != modeTrain {
		return nil
	}
	// Ranks that read their own shards (AutoShardDataset(false)) have different rows and may
	// run different numbers of steps, so each draws its own masks; the others take rank 0's.
	if s := r.dist; s.comm != nil && s.size > 1 && !s.sharded {
		return r.shareRankFeeds(progs, parts, global)
	}
	if len(progs) < 2 || len(progs[0].ctx.feeds) == 0 {
		return nil
	}
	rows, ok := feedsByRow(progs, parts)
	if !ok {
		return nil
	}
	s := r.dist
	if len(s.feeds) != len(progs[0].ctx.feeds) {
		s.feeds = make([]*tensor.Dense, len(progs[0].ctx.feeds))
	}
	for j, f0 := range progs[0].ctx.feeds {
		shape := append(tensor.Shape{rows}, f0.buf.Shape()[1:]...)
		all := s.feeds[j]
		if all == nil || !all.Shape().Eq(shape) || all.Dtype() != f0.buf.Dtype() {
			all = tensor.New(tensor.WithShape(shape...), tensor.Of(f0.buf.Dtype()))
			s.feeds[j] = all
		}
		f0.fill(all, progs[0].ctx.rng)
		from := 0
		for k, p := range progs {
			f := p.ctx.feeds[j]
			if err := copyRowsFrom(f.buf, all, from); err != nil {
				return fmt.Errorf("keras: replica %d: %w", k, err)
			}
			if err := G.Let(f.node, f.buf); err != nil {
				return fmt.Errorf("keras: replica %d: %w", k, err)
			}
			from += len(parts[k])
		}
	}
	for _, p := range progs {
		p.feedsFilled = true
	}
	return nil
}

// feedsByRow reports whether every replica has the feeds of replica 0 with its shard's rows
// as their first dimension (so they can be drawn over all rows at once and sliced), and the
// rows of all the shards.
func feedsByRow(progs []*program, parts [][]int) (rows int, ok bool) {
	for k, p := range progs {
		if len(p.ctx.feeds) != len(progs[0].ctx.feeds) {
			return 0, false
		}
		for j, f := range p.ctx.feeds {
			s, s0 := f.buf.Shape(), progs[0].ctx.feeds[j].buf.Shape()
			if len(s) == 0 || s[0] != len(parts[k]) || !s[1:].Eq(s0[1:]) || f.buf.Dtype() != progs[0].ctx.feeds[j].buf.Dtype() {
				return 0, false
			}
		}
		rows += len(parts[k])
	}
	return rows, true
}

// copyRowsFrom copies rows from, from+1, … of src into dst (as many as dst has).
func copyRowsFrom(dst, src *tensor.Dense, from int) error {
	per := dst.Shape().TotalSize() / dst.Shape()[0]
	switch d := dst.Data().(type) {
	case []float32:
		copy(d, src.Data().([]float32)[from*per:])
	case []float64:
		copy(d, src.Data().([]float64)[from*per:])
	default:
		return fmt.Errorf("%w: %v feed", ErrDType, dst.Dtype())
	}
	return nil
}
