package ops

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/kerago/kerago/keras/internal/blasimpl"
	"github.com/kerago/kerago/keras/internal/errs"
	"gorgonia.org/tensor"
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
	// FinalOnly: the op outputs the final states only, (S, B·u), not the states after every
	// step. A layer without return_sequences reads nothing else, and the full output cost a
	// copy of every state at every step into memory allocated each run, and in training a
	// gradient of the same size, zeros but for the final states, which Gorgonia allocates
	// and fills and the backward pass read.
	FinalOnly bool
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
// keeps for the backward pass. Every per-sample buffer is laid out sample by sample, so the
// two halves of a batch (rnn_split.go) write disjoint rows.
type rnnWork[T float] struct {
	xw, z, h, c, tmp, rh     []T
	states, x, cache         []T // kept for the backward pass: out, the input, gate values
	valid                    []bool
	dz, dz2, hp, rhp, dh, dc []T
	dseq                     []T
	ones                     []T // a row of ones for sumRows, never written after it is made

	// seqOf's result and its slices, and the backward op's final-state gradients and
	// gradient parts, reused from run to run.
	seq    seqData[T]
	ds     [][]T
	shapes []tensor.Shape
	dFinal []T
	parts  [][]T

	// The forward and backward passes' work on a range of samples, and the state of the
	// split that runs them in two halves (parallel.go): kept so that a run allocates nothing.
	fwd   fwdJob[T]
	bwd   bwdJob[T]
	split split
}

// buf returns b resized to n elements, zeroed.
func buf[T float](b []T, n int) []T { return grow(b, n, true) }

// kept returns b resized to n elements, with whatever they held: for buffers every element
// of which is written before it is read (a GEMM's output with beta 0, the gate values of the
// steps the mask lets through, which are the only ones the backward pass reads).
func kept[T float](b []T, n int) []T { return grow(b, n, false) }

// rnnForward runs the cell over every step of a, writing a.out. With keep, w keeps what
// rnnBackward needs.
//
// Every cell runs on one skeleton: the input projection x·W (+ bias) of all steps is one GEMM
// per half of the batch before the recurrence (project), and each step is one GEMM h·U for its samples followed by the cell's
// elementwise pass over the rows of the gates (forwardSteps).
func rnnForward[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], keep bool) {
	gu := s.Gates() * a.u
	bt := a.b * a.t
	w.xw = kept(w.xw, bt*gu)
	w.h = buf(w.h, a.b*a.u)
	w.z = kept(w.z, a.b*gu)
	w.tmp = kept(w.tmp, a.b*a.u)
	w.valid = w.valid[:0]
	if keep {
		if cap(w.valid) < bt {
			w.valid = make([]bool, bt)
		}
		w.valid = w.valid[:bt]
		w.cache = kept(w.cache, a.t*a.b*s.cacheWidth())
	}
	width := gu
	switch {
	case s.Kind == KindLSTM:
		w.c = buf(w.c, a.b*a.u)
	case s.Kind == KindGRU && !s.ResetAfter:
		// Reset before the product: the step multiplies by U_z, U_r first, and by U_h once the
		// reset gate is known.
		w.rh = buf(w.rh, a.b*a.u)
		width = 2 * a.u
	}
	forwardSteps(s, a, w, keep, width)
}

// project writes the input projection x·W (+ the input bias) of samples lo … hi-1, every
// step, into their rows of w.xw: one GEMM over their rows b·T+t. Run by each half of
// forwardSteps for its own samples, the projection is split over the two cores without a
// fork of its own; a row of the product is the same sum whichever rows are computed with it
// (in float64 to the bit with OpenBLAS, 0.3.21: its order of summation over k does not depend
// on where a row sits; TestRecurrentBatchHalvesMatchOneRun).
func project[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], lo, hi int) {
	gu := s.Gates() * a.u
	r0, r1 := lo*a.t, hi*a.t
	gemm(false, false, r1-r0, gu, a.f, a.x[r0*a.f:], a.f, a.w, gu, 0, w.xw[r0*gu:], gu)
	if a.bias == nil {
		return
	}
	for r := r0; r < r1; r++ {
		row := w.xw[r*gu : (r+1)*gu]
		for j, v := range a.bias[:gu] {
			row[j] += v
		}
	}
}

// forwardSteps is the forward skeleton every cell shares. It runs the samples of the batch in
// two halves side by side (a sample's states never read another's); each half first
// projects its samples' inputs (project), then for each step computes z = h·U[:, :width]
// into the half's rows of w.z (row stride width), records which samples the mask lets
// through, calls the cell's step, which updates w.h (and w.c), and copies the states into the
// output slot of the step. A masked sample's state is carried over unchanged.
func forwardSteps[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], keep bool, width int) {
	w.fwd = fwdJob[T]{s: s, a: a, w: w, keep: keep, width: width}
	batchHalves(&w.split, a.b, a.t*a.b*s.Gates()*a.u, &w.fwd)
}

// fwdJob is forwardSteps's work on a range of samples: the op keeps it in its rnnWork and
// refills it each run, so that handing half the batch to a helper allocates nothing.
type fwdJob[T float] struct {
	s     *RNNSpec
	a     *seqData[T]
	w     *rnnWork[T]
	keep  bool
	width int
}

// run runs every step of the sequence for samples lo … hi-1.
func (j *fwdJob[T]) run(_, lo, hi int) {
	s, a, w, keep, width := j.s, j.a, j.w, j.keep, j.width
	u, gu := a.u, s.Gates()*a.u
	project(s, a, w, lo, hi)
	for st := 0; st < a.t; st++ {
		t, o := s.index(st, a.t)
		gemm(false, false, hi-lo, width, u, w.h[lo*u:], u, a.r, gu, 0, w.z[lo*width:], width)
		if keep {
			for b := lo; b < hi; b++ {
				w.valid[st*a.b+b] = a.valid(b, t)
			}
		}
		switch {
		case s.Kind == KindLSTM:
			lstmStep(s, a, w, keep, st, t, lo, hi)
		case s.Kind == KindGRU && s.ResetAfter:
			gruStep(s, a, w, keep, st, t, lo, hi)
		case s.Kind == KindGRU:
			gruStepResetBefore(s, a, w, keep, st, t, lo, hi)
		default:
			simpleStep(s, a, w, st, t, lo, hi)
		}
		for b := lo; b < hi; b++ {
			copy(a.outAt(0, b, o), w.h[b*u:(b+1)*u])
			if s.Kind == KindLSTM {
				copy(a.outAt(1, b, o), w.c[b*u:(b+1)*u])
			}
		}
	}
}

// xwRow returns the input projection (with the input bias) of sample b at time t.
func (a *seqData[T]) xwRow(w *rnnWork[T], gu, b, t int) []T {
	i := (b*a.t + t) * gu
	return w.xw[i : i+gu]
}

// lstmStep is one LSTM step of samples lo … hi-1: the four gates' pre-activations are the
// recurrent product plus the input projection, activated in place row by row; then
// c = f∘c + i∘g and h = o∘act(c).
func lstmStep[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], keep bool, st, t, lo, hi int) {
	u, gu := a.u, 4*a.u
	for b := lo; b < hi; b++ {
		if !a.valid(b, t) {
			continue
		}
		zr := w.z[b*gu : (b+1)*gu]
		for j, v := range a.xwRow(w, gu, b, t) {
			zr[j] += v
		}
		applyAct(s.RecAct, zr[:2*u]) // i, f
		applyAct(s.Act, zr[2*u:3*u]) // g
		applyAct(s.RecAct, zr[3*u:]) // o
		ig, fg, gg, og := zr[:u], zr[u:2*u], zr[2*u:3*u], zr[3*u:]
		hb, cb := w.h[b*u:(b+1)*u], w.c[b*u:(b+1)*u]
		for j := range cb {
			cb[j] = T(float64(fg[j])*float64(cb[j]) + float64(ig[j])*float64(gg[j]))
		}
		copy(hb, cb)
		applyAct(s.Act, hb) // act(c), kept for the backward pass
		if keep {
			cv := w.cache[(st*a.b+b)*5*u : (st*a.b+b+1)*5*u]
			copy(cv, zr)
			copy(cv[4*u:], hb)
		}
		for j, o := range og {
			hb[j] *= o
		}
	}
}

// gruStep is one GRU step (reset gate after the recurrent product, Keras 3's default) of
// samples lo … hi-1: z = σ(x_z + h·U_z + b_z), r = σ(x_r + h·U_r + b_r),
// h̃ = act(x_h + r∘(h·U_h + b_h)), h = z∘h + (1-z)∘h̃.
func gruStep[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], keep bool, st, t, lo, hi int) {
	u, gu := a.u, 3*a.u
	var brec []T
	if a.bias != nil {
		brec = a.bias[gu : 2*gu]
	}
	for b := lo; b < hi; b++ {
		if !a.valid(b, t) {
			continue
		}
		zr, xr := w.z[b*gu:(b+1)*gu], a.xwRow(w, gu, b, t)
		if brec != nil {
			for j, v := range brec {
				zr[j] += v
			}
		}
		rh := w.tmp[b*u : (b+1)*u] // the recurrent candidate term h·U_h + b_h
		copy(rh, zr[2*u:])
		for j, v := range xr[:2*u] {
			zr[j] = v + zr[j]
		}
		applyAct(s.RecAct, zr[:2*u])
		zg, rg, hh := zr[:u], zr[u:2*u], zr[2*u:]
		for j := range hh {
			hh[j] = T(float64(xr[2*u+j]) + float64(rg[j])*float64(rh[j]))
		}
		applyAct(s.Act, hh)
		hb := w.h[b*u : (b+1)*u]
		for j, z := range zg {
			zf := float64(z)
			hb[j] = T(zf*float64(hb[j]) + (1-zf)*float64(hh[j]))
		}
		if keep {
			cv := w.cache[(st*a.b+b)*4*u : (st*a.b+b+1)*4*u]
			copy(cv, zr)
			copy(cv[3*u:], rh)
		}
	}
}

// gruStepResetBefore is one GRU step with the reset gate applied before the recurrent product
// (reset_after=False): z and r from h·[U_z U_r] (w.z, 2u wide), then h̃ = act(x_h + (r∘h)·U_h)
// with a second product over the samples' r∘h.
func gruStepResetBefore[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], keep bool, st, t, lo, hi int) {
	u, gu := a.u, 3*a.u
	for b := lo; b < hi; b++ {
		rh := w.rh[b*u : (b+1)*u]
		if !a.valid(b, t) {
			clear(rh)
			continue
		}
		zr, xr := w.z[b*2*u:(b+1)*2*u], a.xwRow(w, gu, b, t)
		for j, v := range xr[:2*u] {
			zr[j] = v + zr[j]
		}
		applyAct(s.RecAct, zr)
		hb := w.h[b*u : (b+1)*u]
		for j, r := range zr[u:] {
			rh[j] = r * hb[j]
		}
	}
	gemm(false, false, hi-lo, u, u, w.rh[lo*u:], u, a.r[2*u:], gu, 0, w.tmp[lo*u:], u)
	for b := lo; b < hi; b++ {
		if !a.valid(b, t) {
			continue
		}
		zr, xr := w.z[b*2*u:(b+1)*2*u], a.xwRow(w, gu, b, t)
		hh := w.tmp[b*u : (b+1)*u]
		for j, v := range xr[2*u:] {
			hh[j] = v + hh[j]
		}
		applyAct(s.Act, hh)
		hb := w.h[b*u : (b+1)*u]
		for j, z := range zr[:u] {
			zf := float64(z)
			hb[j] = T(zf*float64(hb[j]) + (1-zf)*float64(hh[j]))
		}
		if keep {
			cv := w.cache[(st*a.b+b)*4*u : (st*a.b+b+1)*4*u]
			copy(cv, zr)
			copy(cv[2*u:], hh)
		}
	}
}

// simpleStep is one SimpleRNN step of samples lo … hi-1: h = act(x·W + b + h·U).
func simpleStep[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], st, t, lo, hi int) {
	u := a.u
	for b := lo; b < hi; b++ {
		if !a.valid(b, t) {
			continue
		}
		zr := w.z[b*u : (b+1)*u]
		for j, v := range a.xwRow(w, u, b, t) {
			zr[j] = v + zr[j]
		}
		applyAct(s.Act, zr)
		copy(w.h[b*u:(b+1)*u], zr)
	}
}
