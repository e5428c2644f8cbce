package keras

import (
	"encoding/binary"
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Headers of the per-step broadcast of shareRankFeeds, before the draws themselves.
const (
	// noFeedsHeader: rank 0's training program has no feeds; no rank asks again in this Fit.
	noFeedsHeader = math.MaxUint64
	// ownFeedsHeader: this step's feeds are not drawn by rank 0; each replica draws its own.
	ownFeedsHeader = 0
)

// shareRankFeeds fills the per-step random inputs (Dropout's masks, noise) of this rank's
// replicas with rank 0's draws: rank 0 draws every feed once over the global batch's rows
// with its replica 0's generator, as one process's replicas share replica 0's draws
// (shareFeeds), and broadcasts them; every rank takes its rows (rank, rank+size, …) and
// slices them by shard. So 2 ranks × 1 replica with Dropout train as 1 process × 2 replicas,
// and as 1 × 1 when the batches are of equal size: row j of a global batch gets the same mask
// whatever rank and replica it lands on. Rank 0's replica 0 generator is derived when its
// program is built, at the point of the package's random source where one process's is,
// since rank 0 draws Fit's shuffling seed as one process does (startRanks).
//
// Rank 0 first broadcasts a header, the draws' size or one of the headers above, so that a
// rank with no rows in a short last batch, which has no program to ask, takes part in the
// same calls. A model without feeds costs one 8-byte broadcast per Fit.
func (r *runner) shareRankFeeds(progs []*program, parts [][]int, global int) error {
	s := r.dist
	if s.noFeeds {
		return nil
	}
	var payload []byte
	header := uint64(ownFeedsHeader)
	if s.rank == 0 {
		switch {
		case len(progs) == 0 || len(progs[0].ctx.feeds) == 0:
			header = noFeedsHeader
		default:
			if _, ok := feedsByRow(progs, parts); ok {
				var err error
				if payload, err = drawGlobalFeeds(progs[0], global); err != nil {
					return err
				}
				header = uint64(len(payload))
			}
		}
	}
	buf := binary.LittleEndian.AppendUint64(nil, header)
	if err := s.comm.Broadcast(buf, 0); err != nil {
		return fmt.Errorf("keras: rank %d: broadcasting whether rank 0 draws the Dropout masks: %w", s.rank, err)
	}
	switch header = binary.LittleEndian.Uint64(buf); header {
	case noFeedsHeader:
		s.noFeeds = true
		return nil
	case ownFeedsHeader:
		return nil
	}
	if s.rank != 0 {
		payload = make([]byte, header)
	}
	if err := s.comm.Broadcast(payload, 0); err != nil {
		return fmt.Errorf("keras: rank %d: broadcasting rank 0's Dropout masks: %w", s.rank, err)
	}
	if len(progs) == 0 {
		return nil // no rows for this rank in this batch
	}
	draws, _, err := decodeTensors(payload)
	if err != nil {
		return fmt.Errorf("keras: rank %d: rank 0's Dropout masks: %w", s.rank, err)
	}
	if _, ok := feedsByRow(progs, parts); !ok || len(draws) != len(progs[0].ctx.feeds) {
		return fmt.Errorf("keras: rank %d: %w: rank 0 drew %d random feeds (Dropout masks) the replicas here cannot take (build the same model on every rank)", s.rank, ErrShape, len(draws))
	}
	for j, all := range draws {
		f0 := progs[0].ctx.feeds[j]
		if want := append(tensor.Shape{global}, f0.buf.Shape()[1:]...); !all.Shape().Eq(want) || all.Dtype() != f0.buf.Dtype() {
			return fmt.Errorf("keras: rank %d: %w: rank 0's random feed %d is %v %v, this rank's is %v %v over the global batch (build the same model on every rank)", s.rank, ErrShape, j, all.Dtype(), all.Shape(), f0.buf.Dtype(), want)
		}
		local := 0 // this rank's rows so far: its row i is global row rank + i*size
		for k, p := range progs {
			f := p.ctx.feeds[j]
			if err := copyStridedRows(f.buf, all, s.rank+local*s.size, s.size); err != nil {
				return fmt.Errorf("keras: replica %d: %w", k, err)
			}
			if err := G.Let(f.node, f.buf); err != nil {
				return fmt.Errorf("keras: replica %d: %w", k, err)
			}
			local += len(parts[k])
		}
	}
	for _, p := range progs {
		p.feedsFilled = true
	}
	return nil
}

// drawGlobalFeeds draws each of p's feeds over global rows with p's generator, in feed order,
// and returns them encoded for the broadcast.
func drawGlobalFeeds(p *program, global int) ([]byte, error) {
	all := make([]*tensor.Dense, len(p.ctx.feeds))
	for j, f := range p.ctx.feeds {
		shape := append(tensor.Shape{global}, f.buf.Shape()[1:]...)
		all[j] = tensor.New(tensor.WithShape(shape...), tensor.Of(f.buf.Dtype()))
		f.fill(all[j], p.ctx.rng)
	}
	return encodeTensors(nil, all)
}

// copyStridedRows fills dst's rows with src's rows from, from+stride, from+2·stride, ….
func copyStridedRows(dst, src *tensor.Dense, from, stride int) error {
	rows := dst.Shape()[0]
	per := dst.Shape().TotalSize() / max(1, rows)
	if last := from + (rows-1)*stride; rows > 0 && (last+1)*per > src.Shape().TotalSize() {
		return fmt.Errorf("%w: row %d of a feed of %v", ErrInternal, last, src.Shape())
	}
	switch d := dst.Data().(type) {
	case []float32:
		sv := src.Data().([]float32)
		for i := range rows {
			copy(d[i*per:(i+1)*per], sv[(from+i*stride)*per:])
		}
	case []float64:
		sv := src.Data().([]float64)
		for i := range rows {
			copy(d[i*per:(i+1)*per], sv[(from+i*stride)*per:])
		}
	default:
		return fmt.Errorf("%w: %v feed", ErrDType, dst.Dtype())
	}
	return nil
}
