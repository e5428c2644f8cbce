package ops

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/kerago/kerago/keras/internal/blasimpl"
	"github.com/kerago/kerago/keras/internal/errs"
)

// This file holds the arithmetic of the recurrent layers: the forward pass over a whole
// sequence and its exact backward pass, written once for float32 and float64. The Gorgonia op
// of rnn_op.go calls them, so a recurrent layer is one node of the graph whatever the sequence
// length (an unrolled graph costs Gorgonia's compiler time quadratic in its node count: 2 s
// for an LSTM at T=120; see rnn_op.go).
//
// Layout (row-major throughout):
//   - x (B, T, F) and, as a matrix, (B·T, F) with row b·T+t;
//   - kernel (F, G·u), recurrent kernel (u, G·u), G gates in Keras's order;
//   - out (S, B, T, u): S states (LSTM: h and c; GRU, SimpleRNN: h) after every step, in
//     processing order (reversed for GoBackwards), or the reverse of it with flipOut; the
//     op keeps this array private and hands Gorgonia a copy (rnn_op.go);
//   - dz (B·T, G·u): the gradient with respect to the gates' pre-activations, row b·T+t.

// gemm computes c = op(a)·op(b) + beta·c on row-major matrices through kerago's one BLAS
// switch (gonum's pure Go by default, OpenBLAS with the openblas build tag): op(a) is m×k,
// op(b) is k×n and c is m×n; ta and tb transpose the stored matrices.
func gemm[T float](ta, tb bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	blasimpl.Gemm(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc)
}

// RNNActivation is an activation a recurrent cell applies elementwise; its derivative is
// computed from its output, which is all the backward pass keeps.
type RNNActivation uint8

// The activations a recurrent cell computes itself (tanh is Keras's default activation,
// sigmoid its default recurrent activation).
const (
	ActTanh RNNActivation = iota
	ActSigmoid
	ActHardSigmoid
	ActReLU
	ActLinear
	ActSoftsign
)

var rnnActivationNames = map[string]RNNActivation{
	"tanh": ActTanh, "sigmoid": ActSigmoid, "hard_sigmoid": ActHardSigmoid,
	"relu": ActReLU, "linear": ActLinear, "softsign": ActSoftsign,
}

// ParseRNNActivation returns the activation with a Keras name; "" gives def.
func ParseRNNActivation(name string, def RNNActivation) (RNNActivation, error) {
	if name == "" {
		return def, nil
	}
	if a, ok := rnnActivationNames[name]; ok {
		return a, nil
	}
	known := make([]string, 0, len(rnnActivationNames))
	for k := range rnnActivationNames {
		known = append(known, k)
	}
	sort.Strings(known)
	return 0, fmt.Errorf("%w: activation %q of a recurrent layer (known: %s)", errs.UnknownName, name, strings.Join(known, ", "))
}

// String returns the activation's Keras name.
func (a RNNActivation) String() string {
	for k, v := range rnnActivationNames {
		if v == a {
			return k
		}
	}
	return "unknown"
}

// f applies the activation.
func (a RNNActivation) f(x float64) float64 {
	switch a {
	case ActTanh:
		return math.Tanh(x)
	case ActSigmoid:
		return 1 / (1 + math.Exp(-x))
	case ActHardSigmoid: // Keras 3: relu6(x + 3) / 6
		return math.Min(math.Max(x/6+0.5, 0), 1)
	case ActReLU:
		return math.Max(x, 0)
	case ActSoftsign:
		return x / (1 + math.Abs(x))
	}
	return x
}

// d returns the derivative of the activation where its value is y.
func (a RNNActivation) d(y float64) float64 {
	switch a {
	case ActTanh:
		return 1 - y*y
	case ActSigmoid:
		return y * (1 - y)
	case ActHardSigmoid:
		if y > 0 && y < 1 {
			return 1.0 / 6
		}
		return 0
	case ActReLU:
		if y > 0 {
			return 1
		}
		return 0
	case ActSoftsign:
		s := 1 - math.Abs(y)
		return s * s
	}
	return 1
}

// RNNKind is the cell a recurrent layer runs.
type RNNKind uint8

// The cells: LSTM, GRU and SimpleRNN.
const (
	KindLSTM RNNKind = iota
	KindGRU
	KindSimple
)

// RNNSpec describes one recurrent computation.
type RNNSpec struct {
	Kind        RNNKind
	Units       int
	Act, RecAct RNNActivation
	ResetAfter  bool // GRU: apply the reset gate after the recurrent product (Keras 3's default)
	GoBackwards bool // process the steps last to first
	FlipOut     bool // write step st's output at slot T-1-st (Bidirectional's backward copy)
	ZeroMasked  bool // the sequence output is 0 at masked steps (Keras's zero_output_for_mask)
}

// Gates is the number of gate blocks of the kernels: 4 (LSTM: i, f, c, o), 3 (GRU: z, r, h)
// or 1 (SimpleRNN).
func (s *RNNSpec) Gates() int {
	switch s.Kind {
	case KindLSTM:
		return 4
	case KindGRU:
		return 3
	}
	return 1
}

// States is the number of state tensors: 2 for LSTM (h, c), else 1.
func (s *RNNSpec) States() int {
	if s.Kind == KindLSTM {
		return 2
	}
	return 1
}

// cacheWidth is the number of values per (step, sample) the forward pass keeps for the
// backward pass: LSTM i, f, g, o, tanh(c); GRU z, r, h̃ and the recurrent candidate term.
func (s *RNNSpec) cacheWidth() int {
	switch s.Kind {
	case KindLSTM:
		return 5 * s.Units
	case KindGRU:
		return 4 * s.Units
	}
	return 0
}

// index returns the time index processed at step st of a sequence of n steps and the output
// slot it writes.
func (s *RNNSpec) index(st, n int) (t, o int) {
	t = st
	if s.GoBackwards {
		t = n - 1 - st
	}
	o = st
	if s.FlipOut {
		o = n - 1 - st
	}
	return t, o
}

// seqData is one run's sizes and data.
type seqData[T float] struct {
	b, t, f, u int
	x          []T // (b, t, f)
	w          []T // kernel (f, gates·u)
	r          []T // recurrent kernel (u, gates·u)
	bias       []T // nil without bias; GRU with reset_after: (2, 3u), input bias first
	mask       []T // nil, or (b, t) with 0 at padded steps
	out        []T // (states, b, t, u): the states after every step
}

func (a *seqData[T]) valid(b, t int) bool { return a.mask == nil || a.mask[b*a.t+t] != 0 }

// outAt returns state k of sample b at output slot o.
func (a *seqData[T]) outAt(k, b, o int) []T {
	i := ((k*a.b+b)*a.t + o) * a.u
	return a.out[i : i+a.u]
}

// rnnWork holds the buffers of one op, reused from step to step, and what the forward pass
// keeps for the backward pass.
type rnnWork[T float] struct {
	xw, z, h, c, tmp, zr, rh []T
	states, x, cache         []T // kept for the backward pass: out, the input, gate values
	valid                    []bool
	dz, dz2, hp, rhp, dh, dc []T
	dseq                     []T
}

// buf returns b resized to n elements, zeroed.
func buf[T float](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	b = b[:n]
	clear(b)
	return b
}

// rnnForward runs the cell over every step of a, writing a.out. With keep, w keeps what
// rnnBackward needs.
func rnnForward[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], keep bool) {
	gu := s.Gates() * a.u
	bt := a.b * a.t
	w.xw = buf(w.xw, bt*gu)
	gemm(false, false, bt, gu, a.f, a.x, a.f, a.w, gu, 0, w.xw, gu)
	if a.bias != nil {
		for r := 0; r < bt; r++ {
			row := w.xw[r*gu : (r+1)*gu]
			for j, v := range a.bias[:gu] {
				row[j] += v
			}
		}
	}
	w.h = buf(w.h, a.b*a.u)
	w.valid = w.valid[:0]
	if keep {
		if cap(w.valid) < bt {
			w.valid = make([]bool, bt)
		}
		w.valid = w.valid[:bt]
		w.cache = buf(w.cache, a.t*a.b*s.cacheWidth())
	}
	switch s.Kind {
	case KindLSTM:
		lstmForward(s, a, w, keep)
	case KindGRU:
		gruForward(s, a, w, keep)
	default:
		simpleForward(s, a, w, keep)
	}
}

func lstmForward[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], keep bool) {
	u, gu := a.u, 4*a.u
	w.c = buf(w.c, a.b*u)
	w.z = buf(w.z, a.b*gu)
	batchHalves(a.b, a.t*a.b*gu, func(lo, hi int) { lstmForwardRows(s, a, w, keep, lo, hi) })
}

// lstmForwardRows runs the samples lo … hi-1 of the batch: each sample's states depend on its
// own only, so two halves run side by side.
func lstmForwardRows[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], keep bool, lo, hi int) {
	u, gu := a.u, 4*a.u
	h, c, z := w.h, w.c, w.z
	for st := 0; st < a.t; st++ {
		t, o := s.index(st, a.t)
		gemm(false, false, hi-lo, gu, u, h[lo*u:], u, a.r, gu, 0, z[lo*gu:], gu)
		for b := lo; b < hi; b++ {
			ok := a.valid(b, t)
			hb, cb := h[b*u:(b+1)*u], c[b*u:(b+1)*u]
			if keep {
				w.valid[st*a.b+b] = ok
			}
			if ok {
				zr := z[b*gu : (b+1)*gu]
				xr := w.xw[(b*a.t+t)*gu : (b*a.t+t+1)*gu]
				var cv []T
				if keep {
					cv = w.cache[(st*a.b+b)*5*u : (st*a.b+b+1)*5*u]
				}
				for j := 0; j < u; j++ {
					ig := s.RecAct.f(float64(zr[j] + xr[j]))
					fg := s.RecAct.f(float64(zr[u+j] + xr[u+j]))
					gg := s.Act.f(float64(zr[2*u+j] + xr[2*u+j]))
					og := s.RecAct.f(float64(zr[3*u+j] + xr[3*u+j]))
					cn := T(fg*float64(cb[j]) + ig*gg)
					tc := s.Act.f(float64(cn))
					cb[j] = cn
					hb[j] = T(og * tc)
					if cv != nil {
						cv[j], cv[u+j], cv[2*u+j], cv[3*u+j], cv[4*u+j] = T(ig), T(fg), T(gg), T(og), T(tc)
					}
				}
			}
			copy(a.outAt(0, b, o), hb)
			copy(a.outAt(1, b, o), cb)
		}
	}
}

func gruForward[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], keep bool) {
	u, gu := a.u, 3*a.u
	h := w.h
	var brec []T
	if a.bias != nil && s.ResetAfter {
		brec = a.bias[gu : 2*gu]
	}
	w.z = buf(w.z, a.b*gu)
	w.zr = buf(w.zr, a.b*2*u)
	w.rh = buf(w.rh, a.b*u)
	w.tmp = buf(w.tmp, a.b*u)
	for st := 0; st < a.t; st++ {
		t, o := s.index(st, a.t)
		if s.ResetAfter {
			gemm(false, false, a.b, gu, u, h, u, a.r, gu, 0, w.z, gu)
		} else {
			gemm(false, false, a.b, 2*u, u, h, u, a.r, gu, 0, w.z, 2*u)
		}
		for b := 0; b < a.b; b++ {
			ok := a.valid(b, t)
			if keep {
				w.valid[st*a.b+b] = ok
			}
			hb := h[b*u : (b+1)*u]
			xr := w.xw[(b*a.t+t)*gu : (b*a.t+t+1)*gu]
			if !s.ResetAfter {
				// z and r now; the candidate needs (r∘h)·U_h for every sample first.
				zr, rh := w.zr[b*2*u:(b+1)*2*u], w.rh[b*u:(b+1)*u]
				rr := w.z[b*2*u : (b+1)*2*u]
				for j := 0; j < u; j++ {
					if !ok {
						rh[j] = 0
						continue
					}
					zr[j] = T(s.RecAct.f(float64(xr[j] + rr[j])))
					zr[u+j] = T(s.RecAct.f(float64(xr[u+j] + rr[u+j])))
					rh[j] = zr[u+j] * hb[j]
				}
				continue
			}
			if ok {
				rr := w.z[b*gu : (b+1)*gu]
				var cv []T
				if keep {
					cv = w.cache[(st*a.b+b)*4*u : (st*a.b+b+1)*4*u]
				}
				for j := 0; j < u; j++ {
					rz, rrj, rhj := rr[j], rr[u+j], rr[2*u+j]
					if brec != nil {
						rz, rrj, rhj = rz+brec[j], rrj+brec[u+j], rhj+brec[2*u+j]
					}
					zg := s.RecAct.f(float64(xr[j] + rz))
					rg := s.RecAct.f(float64(xr[u+j] + rrj))
					hh := s.Act.f(float64(xr[2*u+j]) + rg*float64(rhj))
					hb[j] = T(zg*float64(hb[j]) + (1-zg)*hh)
					if cv != nil {
						cv[j], cv[u+j], cv[2*u+j], cv[3*u+j] = T(zg), T(rg), T(hh), rhj
					}
				}
			}
			copy(a.outAt(0, b, o), hb)
		}
		if s.ResetAfter {
			continue
		}
		gemm(false, false, a.b, u, u, w.rh, u, a.r[2*u:], gu, 0, w.tmp, u)
		for b := 0; b < a.b; b++ {
			hb := h[b*u : (b+1)*u]
			if a.valid(b, t) {
				xr := w.xw[(b*a.t+t)*gu : (b*a.t+t+1)*gu]
				zr, rc := w.zr[b*2*u:(b+1)*2*u], w.tmp[b*u:(b+1)*u]
				var cv []T
				if keep {
					cv = w.cache[(st*a.b+b)*4*u : (st*a.b+b+1)*4*u]
				}
				for j := 0; j < u; j++ {
					zg := float64(zr[j])
					hh := s.Act.f(float64(xr[2*u+j] + rc[j]))
					hb[j] = T(zg*float64(hb[j]) + (1-zg)*hh)
					if cv != nil {
						cv[j], cv[u+j], cv[2*u+j] = zr[j], zr[u+j], T(hh)
					}
				}
			}
			copy(a.outAt(0, b, o), hb)
		}
	}
}

func simpleForward[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], keep bool) {
	u := a.u
	h := w.h
	w.z = buf(w.z, a.b*u)
	for st := 0; st < a.t; st++ {
		t, o := s.index(st, a.t)
		gemm(false, false, a.b, u, u, h, u, a.r, u, 0, w.z, u)
		for b := 0; b < a.b; b++ {
			ok := a.valid(b, t)
			if keep {
				w.valid[st*a.b+b] = ok
			}
			hb := h[b*u : (b+1)*u]
			if ok {
				xr := w.xw[(b*a.t+t)*u : (b*a.t+t+1)*u]
				zr := w.z[b*u : (b+1)*u]
				for j := 0; j < u; j++ {
					hb[j] = T(s.Act.f(float64(xr[j] + zr[j])))
				}
			}
			copy(a.outAt(0, b, o), hb)
		}
	}
}
