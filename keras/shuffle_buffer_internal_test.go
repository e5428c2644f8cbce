package keras

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

// idStream yields rows 0..n-1 in batches of bs; each row's x and y hold its id.
func idStream(n, bs int) *Stream {
	return FromIterator(func(yield func(Batch, error) bool) {
		for s := 0; s < n; s += bs {
			e := min(s+bs, n)
			x := make([]float32, 0, e-s)
			for r := s; r < e; r++ {
				x = append(x, float32(r))
			}
			b := Batch{
				X: tensor.New(tensor.WithShape(e-s, 1), tensor.WithBacking(x)),
				Y: tensor.New(tensor.WithShape(e-s, 1), tensor.WithBacking(slices.Clone(x))),
			}
			if !yield(b, nil) {
				return
			}
		}
	})
}

func idModel(t *testing.T) *Model {
	t.Helper()
	in := Input(Shape{1})
	m, err := NewModel(Inputs(in), Outputs(in))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	return m
}

// epochRows runs one epoch of f and returns the row ids in the order the loop gets them,
// checking that each batch's y rows match its x rows.
func epochRows(t *testing.T, f *epochFeed) (rows []int, sizes []int) {
	t.Helper()
	err := f.epoch(func(_ int, d dataset, idx []int) error {
		x, y := d.x[0].Data().([]float32), d.y[0].Data().([]float32)
		for _, i := range idx {
			if x[i] != y[i] {
				return fmt.Errorf("row %v got target %v", x[i], y[i])
			}
			rows = append(rows, int(x[i]))
		}
		sizes = append(sizes, len(idx))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows, sizes
}

// TestShuffleBufferEveryRowOnce: every row comes out once per epoch, in batches of the
// stream's size, shuffled (each epoch differently), no further than the buffer lets a row
// travel, and the same order again from the same seed.
func TestShuffleBufferEveryRowOnce(t *testing.T) {
	m := idModel(t)
	const n, bs, buf = 103, 8, 20
	f := &epochFeed{m: m, s: idStream(n, bs), needY: true, bufRows: buf, prefetch: 2, rng: rand.New(rand.NewPCG(1, 2))}
	var prev []int
	for epoch := range 3 {
		rows, sizes := epochRows(t, f)
		if got := slices.Sorted(slices.Values(rows)); !slices.Equal(got, identity(n)) {
			t.Fatalf("epoch %d: rows %v, want each of 0..%d once", epoch, got, n-1)
		}
		if slices.Equal(rows, identity(n)) || slices.Equal(rows, prev) {
			t.Errorf("epoch %d: rows not shuffled anew: %v", epoch, rows)
		}
		if sizes[0] != bs || sizes[len(sizes)-1] != n%bs {
			t.Errorf("epoch %d: batch sizes %v, want %d and then %d", epoch, sizes, bs, n%bs)
		}
		for pos, r := range rows {
			// A row enters once the rows read before it fill the buffer up to it: it cannot
			// come out before position r - (buf + bs).
			if pos < r-(buf+bs) {
				t.Errorf("epoch %d: row %d out at position %d, before it can be read", epoch, r, pos)
			}
		}
		prev = rows
	}
	a, _ := epochRows(t, &epochFeed{m: m, s: idStream(n, bs), needY: true, bufRows: buf, rng: rand.New(rand.NewPCG(5, 6))})
	b, _ := epochRows(t, &epochFeed{m: m, s: idStream(n, bs), needY: true, bufRows: buf, prefetch: 3, rng: rand.New(rand.NewPCG(5, 6))})
	if !slices.Equal(a, b) {
		t.Errorf("the same seed gave two orders:\n%v\n%v", a, b)
	}
}

// TestShardRows: n shards of a stream keep rows i, i+n, ... across batches, together every
// row once; a bad shard index is an error.
func TestShardRows(t *testing.T) {
	s := idStream(23, 4)
	var all []int
	for i := range 3 {
		var mine []int
		for b, err := range CSVBatchesForTest(s.Shard(i, 3)) {
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range b.X.(*tensor.Dense).Data().([]float32) {
				mine = append(mine, int(v))
			}
			if !slices.Equal(b.X.(*tensor.Dense).Data().([]float32), b.Y.(*tensor.Dense).Data().([]float32)) {
				t.Errorf("shard %d: x and y rows differ", i)
			}
		}
		for k, r := range mine {
			if r != i+3*k {
				t.Fatalf("shard %d of 3: rows %v, want %d, %d, ...", i, mine, i, i+3)
			}
		}
		all = append(all, mine...)
	}
	if got := slices.Sorted(slices.Values(all)); !slices.Equal(got, identity(23)) {
		t.Errorf("shards together: %v", got)
	}
	var seq iter.Seq2[Batch, error] = CSVBatchesForTest(s.Shard(3, 3))
	for _, err := range seq {
		if err == nil {
			t.Fatal("Shard(3, 3) gave no error")
		}
	}
}
