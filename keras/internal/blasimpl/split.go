//go:build openblas

package blasimpl

import (
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
)

// Splitting one matrix product over the cores ourselves, for a BLAS that runs on one thread
// (the openblas build's default, see openblas.go). OpenBLAS's own threads busy-wait between
// calls and then compete with kerago's other parallel work; here the caller computes chunks
// of the product itself and helper goroutines take the others as they get a CPU. Under load,
// when no helper runs, the caller simply computes every chunk: nothing ever waits for a
// helper that has not started, only for a chunk a helper is computing.
//
// The chunks are rows of the output, or columns when that makes more chunks, cut at
// multiples of splitAlign, and how a product is cut depends on its shape alone, never on
// GOMAXPROCS or on which goroutine computes which chunk, so results do not depend on the
// machine's cores or load. With OpenBLAS, float64 results are those of the whole product to the bit (its dgemm
// computes an element the same way wherever the cut falls, at even rows or at columns that
// are multiples of 4: TestSplitFloat64Exact); float32 results can differ in the last bit
// (its sgemm takes different paths by position and size), as between any two BLAS.

const (
	// splitMin is the smallest product, in multiply-adds (m·n·k), that is cut: below it,
	// waking a helper costs about what it saves.
	splitMin = 1 << 21
	// chunkMin is the smallest chunk, in multiply-adds: smaller ones lose too much to
	// repacking the shared operand.
	chunkMin = 1 << 20
	// splitAlign is the granularity of a cut, in rows or columns.
	splitAlign = 16
	// chunkDim is the fewest rows (or columns) of a chunk. Each chunk packs the whole other
	// operand again, a cost that grows against the chunk's own work as it narrows: with 32-row
	// chunks of its 128×784 by 784×256 product, the MLP's Predict at batch 128 took 1.3x
	// the CPU time (6 process pairs at load 26, the whole products against 32-row chunks).
	chunkDim = 128
	// maxChunks bounds the chunks of one product: enough for two cores to balance when one
	// starts late, and for a few more cores to help.
	maxChunks = 4
)

// splitBLAS is a BLAS whose Sgemm and Dgemm cut large products into chunks computed in
// parallel by the wrapped BLAS; every other routine is the wrapped BLAS's own.
type splitBLAS struct {
	G.BLAS
}

// Sgemm computes c = alpha·op(a)·op(b) + beta·c, in chunks when the product is large.
func (s splitBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	p := plan(m, n, k)
	if p.chunks <= 1 {
		s.BLAS.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	j := getJob()
	j.impl, j.f32 = s.BLAS, true
	j.g = gemmShape{tA: tA, tB: tB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc}
	j.alpha32, j.beta32, j.a32, j.b32, j.c32 = alpha, beta, a, b, c
	j.run(p)
}

// Dgemm computes c = alpha·op(a)·op(b) + beta·c, in chunks when the product is large.
func (s splitBLAS) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	p := plan(m, n, k)
	if p.chunks <= 1 {
		s.BLAS.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	j := getJob()
	j.impl, j.f32 = s.BLAS, false
	j.g = gemmShape{tA: tA, tB: tB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc}
	j.alpha64, j.beta64, j.a64, j.b64, j.c64 = alpha, beta, a, b, c
	j.run(p)
}

// cut is how a product is split: chunks of size rows (or columns, when byCols), the last
// one shorter.
type cut struct {
	chunks, size int
	byCols       bool
}

// plan returns the cut of an m×n×k product: a function of the shape alone.
func plan(m, n, k int) cut {
	work := m * n * k
	if work < splitMin {
		return cut{chunks: 1}
	}
	dim, byCols := m, false
	chunks := min(maxChunks, m/chunkDim, work/chunkMin)
	if c := min(maxChunks, n/chunkDim, work/chunkMin); c > chunks {
		dim, byCols, chunks = n, true, c
	}
	if chunks <= 1 {
		return cut{chunks: 1}
	}
	size := (dim + chunks - 1) / chunks
	size = (size + splitAlign - 1) / splitAlign * splitAlign
	return cut{chunks: (dim + size - 1) / size, size: size, byCols: byCols}
}

type gemmShape struct {
	tA, tB        blas.Transpose
	m, n, k       int
	lda, ldb, ldc int
}

// job is one split product. Its claim word packs a generation (which product this is:
// jobs are reused), the number of chunks and the next chunk to take, so that a helper
// holding an old generation can never take a chunk of a later product. The operands are
// written before the generation is published and read only by whoever claimed a chunk of
// it, and a job is reused only once every chunk has been computed.
type job struct {
	claim   atomic.Uint64 // generation<<32 | chunks<<16 | next chunk
	pending atomic.Int32  // chunks not yet computed
	done    chan struct{} // a helper that computed the last chunk says so here
	gen     uint32
	p       cut
	panicV  any // the first panic of a chunk, re-raised on the caller
	panicMu sync.Mutex

	impl            G.BLAS
	f32             bool
	g               gemmShape
	alpha32, beta32 float32
	a32, b32, c32   []float32
	alpha64, beta64 float64
	a64, b64, c64   []float64
}

// run computes the product's chunks with whatever helpers get to them, and returns once all
// are computed; a panic in any chunk is raised here, on the caller.
func (j *job) run(p cut) {
	j.gen++
	j.p = p
	j.pending.Store(int32(p.chunks))
	gen := j.gen
	j.claim.Store(uint64(gen)<<32 | uint64(p.chunks)<<16)
	if workers := min(runtime.GOMAXPROCS(0), p.chunks); workers > 1 {
		offer(j, gen, workers-1)
	}
	if !j.work(gen) {
		<-j.done
	}
	pv := j.panicV
	j.panicV = nil
	j.impl, j.a32, j.b32, j.c32, j.a64, j.b64, j.c64 = nil, nil, nil, nil, nil, nil, nil
	putJob(j)
	if pv != nil {
		panic(pv)
	}
}

// work computes chunks of generation gen until none is left to take, and reports whether
// it computed the last one to finish.
func (j *job) work(gen uint32) (last bool) {
	for {
		w := j.claim.Load()
		if uint32(w>>32) != gen {
			return false
		}
		next, chunks := int(w&0xffff), int(w>>16&0xffff)
		if next >= chunks {
			return false
		}
		if !j.claim.CompareAndSwap(w, w+1) {
			continue
		}
		j.chunk(next)
		if j.pending.Add(-1) == 0 {
			return true
		}
	}
}

// chunk computes chunk i; a panic (the wrapped BLAS's answer to bad arguments) is kept for
// the caller.
func (j *job) chunk(i int) {
	defer func() {
		if r := recover(); r != nil {
			j.panicMu.Lock()
			if j.panicV == nil {
				j.panicV = r
			}
			j.panicMu.Unlock()
		}
	}()
	g, p := j.g, j.p
	lo := i * p.size
	var aOff, bOff, cOff int
	if p.byCols {
		hi := min(lo+p.size, g.n)
		g.n = hi - lo
		bOff, cOff = lo, lo
		if g.tB == blas.Trans {
			bOff = lo * g.ldb
		}
	} else {
		hi := min(lo+p.size, g.m)
		g.m = hi - lo
		aOff, cOff = lo*g.lda, lo*g.ldc
		if g.tA == blas.Trans {
			aOff = lo
		}
	}
	if j.f32 {
		j.impl.Sgemm(g.tA, g.tB, g.m, g.n, g.k, j.alpha32, j.a32[aOff:], g.lda, j.b32[bOff:], g.ldb, j.beta32, j.c32[cOff:], g.ldc)
	} else {
		j.impl.Dgemm(g.tA, g.tB, g.m, g.n, g.k, j.alpha64, j.a64[aOff:], g.lda, j.b64[bOff:], g.ldb, j.beta64, j.c64[cOff:], g.ldc)
	}
}

// offer is a chunked product's generation, handed to a helper.
type offerMsg struct {
	j   *job
	gen uint32
}

var helpers struct {
	mu      sync.Mutex
	started int
	offers  chan offerMsg
	free    chan *job
}

func init() {
	helpers.offers = make(chan offerMsg, 64)
	helpers.free = make(chan *job, 16)
}

// offer hands generation gen of j to up to n helpers, starting helpers up to n the first
// time. It never blocks: when the queue is full, the caller computes more chunks itself.
func offer(j *job, gen uint32, n int) {
	helpers.mu.Lock()
	for helpers.started < n {
		helpers.started++
		go helper()
	}
	helpers.mu.Unlock()
	for range n {
		select {
		case helpers.offers <- offerMsg{j, gen}:
		default:
			return
		}
	}
}

// helper computes chunks of the products it is offered, for as long as the program runs
// (like a BLAS's own threads, but parked, not spinning, between products).
func helper() {
	for o := range helpers.offers {
		if o.j.work(o.gen) {
			o.j.done <- struct{}{}
		}
	}
}

// getJob returns a job from the free list, or a new one.
func getJob() *job {
	select {
	case j := <-helpers.free:
		return j
	default:
		return &job{done: make(chan struct{}, 1)}
	}
}

// putJob returns a finished job to the free list (dropping it when the list is full).
func putJob(j *job) {
	select {
	case helpers.free <- j:
	default:
	}
}
