package ops

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkRecurrentKernels times one forward and backward pass of each recurrent kernel over
// the QA model's text branch shape (batch 32, 100 steps, 64 features, 32 units, float32, no
// mask), the kernels alone, without Gorgonia around them:
//
//	go test -run '^$' -bench RecurrentKernels ./keras/internal/ops
//	go test -tags openblas -run '^$' -bench RecurrentKernels ./keras/internal/ops
func BenchmarkRecurrentKernels(b *testing.B) {
	const batch, steps, feat, units = 32, 100, 64, 32
	specs := []struct {
		name string
		spec RNNSpec
	}{
		{"lstm", RNNSpec{Kind: KindLSTM, Units: units, Act: ActTanh, RecAct: ActSigmoid}},
		{"gru", RNNSpec{Kind: KindGRU, Units: units, Act: ActTanh, RecAct: ActSigmoid, ResetAfter: true}},
		{"gru_reset_before", RNNSpec{Kind: KindGRU, Units: units, Act: ActTanh, RecAct: ActSigmoid}},
		{"simple_rnn", RNNSpec{Kind: KindSimple, Units: units, Act: ActTanh}},
	}
	r := rand.New(rand.NewPCG(5, 5))
	vec := func(n int, scale float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64() * scale)
		}
		return v
	}
	for _, c := range specs {
		b.Run(c.name, func(b *testing.B) {
			s := c.spec
			gu := s.Gates() * units
			nb := gu
			if s.Kind == KindGRU && s.ResetAfter {
				nb = 2 * gu
			}
			a := &seqData[float32]{b: batch, t: steps, f: feat, u: units,
				x: vec(batch*steps*feat, 1), w: vec(feat*gu, 0.2), r: vec(units*gu, 0.2), bias: vec(nb, 0.1),
				out: make([]float32, s.States()*batch*steps*units)}
			w := &rnnWork[float32]{}
			dOut := vec(len(a.out), 0.01)
			dFinal := vec(s.States()*batch*units, 0.01)
			g := rnnGrads[float32]{dx: make([]float32, len(a.x)), dw: make([]float32, len(a.w)),
				dr: make([]float32, len(a.r)), db: make([]float32, nb)}
			b.ReportAllocs()
			for range b.N {
				rnnForward(&s, a, w, true)
				rnnBackward(&s, a, w, dOut, dFinal, g)
			}
		})
	}
}
