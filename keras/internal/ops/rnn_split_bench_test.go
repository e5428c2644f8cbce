//go:build unix

package ops

import (
	"math"
	"math/rand/v2"
	"slices"
	"syscall"
	"testing"
	"time"
)

// BenchmarkRecurrentGemmHalves times the LSTM kernel at the QA model's text branch shape
// (batch 32, 100 steps, 64 features, 32 units, float32), forward and backward, with the
// backward pass's whole-sequence GEMMs as one (gemmSplitMinWork = MaxInt) and as two halves
// on two goroutines (the input projection runs in the batch halves in both), in alternating
// chunks of 5 passes in one process, so both see the same load.
// It reports the medians of the per-chunk wall times and process CPU times (user + system)
// and the ratios halves ÷ one:
//
//	go test -tags openblas -run '^$' -bench RecurrentGemmHalves -benchtime 40x ./keras/internal/ops
func BenchmarkRecurrentGemmHalves(b *testing.B) {
	const batch, steps, feat, units, chunk = 32, 100, 64, 32, 5
	s := RNNSpec{Kind: KindLSTM, Units: units, Act: ActTanh, RecAct: ActSigmoid}
	r := rand.New(rand.NewPCG(5, 5))
	vec := func(n int, scale float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64() * scale)
		}
		return v
	}
	gu := s.Gates() * units
	a := &seqData[float32]{b: batch, t: steps, f: feat, u: units,
		x: vec(batch*steps*feat, 1), w: vec(feat*gu, 0.2), r: vec(units*gu, 0.2), bias: vec(gu, 0.1),
		out: make([]float32, s.States()*batch*steps*units)}
	w := &rnnWork[float32]{}
	dOut := vec(len(a.out), 0.01)
	dFinal := vec(s.States()*batch*units, 0.01)
	g := rnnGrads[float32]{dx: make([]float32, len(a.x)), dw: make([]float32, len(a.w)),
		dr: make([]float32, len(a.r)), db: make([]float32, gu)}
	split := gemmSplitMinWork
	defer func() { gemmSplitMinWork = split }()
	variants := []int{math.MaxInt, split}
	var wall, cpu [2][]float64
	for i := 0; i < b.N; i += chunk {
		for v, min := range variants {
			gemmSplitMinWork = min
			t0, c0 := time.Now(), processCPU()
			for range chunk {
				rnnForward(&s, a, w, true)
				rnnBackward(&s, a, w, dOut, dFinal, g)
			}
			wall[v] = append(wall[v], float64(time.Since(t0))/1e6/chunk)
			cpu[v] = append(cpu[v], (processCPU()-c0)/1e6/chunk)
		}
	}
	med := func(x []float64) float64 { x = slices.Clone(x); slices.Sort(x); return x[len(x)/2] }
	b.ReportMetric(med(wall[0]), "one-ms")
	b.ReportMetric(med(wall[1]), "halves-ms")
	b.ReportMetric(med(wall[1])/med(wall[0]), "halves/one")
	b.ReportMetric(med(cpu[0]), "one-cpu-ms")
	b.ReportMetric(med(cpu[1]), "halves-cpu-ms")
	b.ReportMetric(med(cpu[1])/med(cpu[0]), "cpu-halves/one")
}

// processCPU returns the process's user + system time in nanoseconds.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano() + ru.Stime.Nano())
}
