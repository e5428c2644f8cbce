package ops

// The backward pass of the recurrent layers: exact gradients of the forward pass in
// rnn_kernel.go, from the values it kept.

// rnnGrads are the gradients rnnBackward writes; dx is nil when the input needs none, db nil
// without bias.
type rnnGrads[T float] struct {
	dx, dw, dr, db []T
}

// rnnBackward computes the gradients of the loss with respect to the inputs and weights of
// the forward run whose values w kept, given dOut, the gradient with respect to a.out, and
// dFinal, the gradient with respect to the final states (S, B, u). dOut nil means zeros (an op
// with FinalOnly).
func rnnBackward[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], dOut, dFinal []T, g rnnGrads[T]) {
	bt := a.b * a.t
	u, gu := a.u, s.Gates()*a.u
	w.dh = buf(w.dh, a.b*u)
	copy(w.dh, dFinal[:a.b*u])
	if s.Kind == KindLSTM {
		w.dc = buf(w.dc, a.b*u)
		copy(w.dc, dFinal[a.b*u:2*a.b*u])
	}
	w.dz = buf(w.dz, bt*gu)
	w.hp = buf(w.hp, bt*u)
	w.tmp = kept(w.tmp, a.b*u)
	switch s.Kind {
	case KindLSTM:
		lstmBackward(s, a, w, dOut)
	case KindGRU:
		if s.ResetAfter {
			gruBackward(s, a, w, dOut)
		} else {
			gruBackwardResetBefore(s, a, w, dOut)
		}
	default:
		simpleBackward(s, a, w, dOut)
	}
	// The input side: dW = Xᵀ·dz, db = Σ dz, dX = dz·Wᵀ.
	gemm(true, false, a.f, gu, bt, a.x, a.f, w.dz, gu, 0, g.dw, gu)
	if g.db != nil {
		w.sumRows(g.db[:gu], w.dz, bt, gu)
	}
	if g.dx != nil {
		gemm(false, true, bt, a.f, gu, w.dz, gu, a.w, gu, 0, g.dx, a.f)
	}
	// The recurrent side: dU = H_prevᵀ·dz' (dz' = dz but for GRU's recurrent candidate term).
	switch {
	case s.Kind == KindGRU && s.ResetAfter:
		gemm(true, false, u, gu, bt, w.hp, u, w.dz2, gu, 0, g.dr, gu)
		if g.db != nil {
			w.sumRows(g.db[gu:], w.dz2, bt, gu)
		}
	case s.Kind == KindGRU:
		gemm(true, false, u, 2*u, bt, w.hp, u, w.dz, gu, 0, g.dr, gu)
		gemm(true, false, u, u, bt, w.rhp, u, w.dz[2*u:], gu, 0, g.dr[2*u:], gu)
	default:
		gemm(true, false, u, gu, bt, w.hp, u, w.dz, gu, 0, g.dr, gu)
	}
}

// sumRows writes the sums over the rows of the matrix m (rows × n) into dst, as the product
// of a row of ones with m: for the QA model's text LSTM (3,200 × 128) the BLAS takes 0.08-0.09
// ms with OpenBLAS and 0.17 ms with gonum, where colSums' loop took 0.43-0.73 ms.
func (w *rnnWork[T]) sumRows(dst, m []T, rows, n int) {
	if len(w.ones) < rows {
		w.ones = make([]T, rows)
		for i := range w.ones {
			w.ones[i] = 1
		}
	}
	gemm(false, false, 1, n, rows, w.ones, rows, m, n, 0, dst, n)
}

// colSums writes the column sums of the matrix m with n columns into dst.
func colSums[T float](dst, m []T, n int) {
	clear(dst)
	for r := 0; r+n <= len(m); r += n {
		for j, v := range m[r : r+n] {
			dst[j] += v
		}
	}
}

// addTo adds src into dst.
func addTo[T float](dst, src []T) {
	for j, v := range src {
		dst[j] += v
	}
}

// prevState returns state k of sample b before step st (nil, meaning zeros, at the start).
func prevState[T float](s *RNNSpec, a *seqData[T], k, b, st int) []T {
	if st == 0 {
		return nil
	}
	_, o := s.index(st-1, a.t)
	return a.outAt(k, b, o)
}

func at[T float](v []T, j int) float64 {
	if v == nil {
		return 0
	}
	return float64(v[j])
}

// backwardSteps is the backward skeleton every cell shares, the mirror of forwardSteps: the
// batch in two halves side by side, the steps last to first; for each step and half it adds
// the gradient reaching the step's outputs into the running state gradients (w.dh, w.dc),
// copies the previous hidden state of every sample the mask let through into its row of w.hp
// (for dU = H_prevᵀ·dz after the loop), then calls the cell's step, which writes the samples'
// rows of dz and carries the state gradients one step back.
func backwardSteps[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], dOut []T) {
	w.bwd = bwdJob[T]{s: s, a: a, w: w, dOut: dOut}
	batchHalves(&w.split, a.b, a.t*a.b*s.Gates()*a.u, &w.bwd)
	w.bwd.dOut = nil // the op's own memory, but not this job's to keep
}

// bwdJob is backwardSteps's work on a range of samples, kept in the op's rnnWork like
// fwdJob.
type bwdJob[T float] struct {
	s    *RNNSpec
	a    *seqData[T]
	w    *rnnWork[T]
	dOut []T
}

// run runs every step of the sequence, last to first, for samples lo … hi-1.
func (j *bwdJob[T]) run(_, lo, hi int) {
	s, a, w, dOut := j.s, j.a, j.w, j.dOut
	u := a.u
	for st := a.t - 1; st >= 0; st-- {
		t, o := s.index(st, a.t)
		for b := lo; b < hi; b++ {
			if dOut != nil {
				i := (b*a.t + o) * u
				addTo(w.dh[b*u:(b+1)*u], dOut[i:i+u])
				if s.Kind == KindLSTM {
					i += a.b * a.t * u
					addTo(w.dc[b*u:(b+1)*u], dOut[i:i+u])
				}
			}
			if !w.valid[st*a.b+b] {
				continue // a masked step passes the states, and their gradients, through
			}
			if hprev := prevState(s, a, 0, b, st); hprev != nil {
				row := b*a.t + t
				copy(w.hp[row*u:(row+1)*u], hprev)
			}
		}
		switch {
		case s.Kind == KindLSTM:
			lstmBackStep(s, a, w, st, t, lo, hi)
		case s.Kind == KindGRU && s.ResetAfter:
			gruBackStep(s, a, w, st, t, lo, hi)
		case s.Kind == KindGRU:
			gruBackStepResetBefore(s, a, w, st, t, lo, hi)
		default:
			simpleBackStep(s, a, w, st, t, lo, hi)
		}
	}
}

func lstmBackward[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], dOut []T) {
	backwardSteps(s, a, w, dOut)
}

// lstmBackStep computes dz for samples lo … hi-1 at step st from the gate values the forward
// pass kept, then dh_prev = dz·Uᵀ and dc_prev = dc∘f.
func lstmBackStep[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], st, t, lo, hi int) {
	u, gu := a.u, 4*a.u
	dh, dc := w.dh, w.dc
	fast := s.Act == ActTanh && s.RecAct == ActSigmoid // Keras's defaults, derivatives inline
	for b := lo; b < hi; b++ {
		if !w.valid[st*a.b+b] {
			continue
		}
		dhb, dcb := dh[b*u:(b+1)*u], dc[b*u:(b+1)*u]
		row := b*a.t + t
		cprev := prevState(s, a, 1, b, st)
		cv := w.cache[(st*a.b+b)*5*u : (st*a.b+b+1)*5*u]
		dz := w.dz[row*gu : (row+1)*gu]
		for j := 0; j < u; j++ {
			ig, fg, gg, og, tc := float64(cv[j]), float64(cv[u+j]), float64(cv[2*u+j]), float64(cv[3*u+j]), float64(cv[4*u+j])
			d := float64(dhb[j])
			var dtc, dig, dfg, dgg, dog float64
			if fast {
				dtc, dig, dfg, dgg, dog = 1-tc*tc, ig*(1-ig), fg*(1-fg), 1-gg*gg, og*(1-og)
			} else {
				dtc, dig, dfg, dgg, dog = s.Act.d(tc), s.RecAct.d(ig), s.RecAct.d(fg), s.Act.d(gg), s.RecAct.d(og)
			}
			dct := float64(dcb[j]) + d*og*dtc
			dz[j] = T(dct * gg * dig)
			dz[u+j] = T(dct * at(cprev, j) * dfg)
			dz[2*u+j] = T(dct * ig * dgg)
			dz[3*u+j] = T(d * tc * dog)
			dcb[j] = T(dct * fg)
		}
	}
	gemm(false, true, hi-lo, u, gu, w.dz[(lo*a.t+t)*gu:], a.t*gu, a.r, gu, 0, w.tmp[lo*u:], u)
	for b := lo; b < hi; b++ {
		if w.valid[st*a.b+b] {
			copy(dh[b*u:(b+1)*u], w.tmp[b*u:(b+1)*u])
		}
	}
}

func gruBackward[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], dOut []T) {
	w.dz2 = buf(w.dz2, a.b*a.t*3*a.u)
	backwardSteps(s, a, w, dOut)
}

// gruBackStep is the backward step of gruStep for samples lo … hi-1: dz (input side) and dz2
// (recurrent side, where the candidate's gradient is scaled by r), then dh_prev = dh∘z +
// dz2·Uᵀ.
func gruBackStep[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], st, t, lo, hi int) {
	u, gu := a.u, 3*a.u
	dh := w.dh
	for b := lo; b < hi; b++ {
		if !w.valid[st*a.b+b] {
			continue
		}
		dhb := dh[b*u : (b+1)*u]
		row := b*a.t + t
		hprev := prevState(s, a, 0, b, st)
		cv := w.cache[(st*a.b+b)*4*u : (st*a.b+b+1)*4*u]
		dzx, dzr := w.dz[row*gu:(row+1)*gu], w.dz2[row*gu:(row+1)*gu]
		for j := 0; j < u; j++ {
			zg, rg, hh, rh := float64(cv[j]), float64(cv[u+j]), float64(cv[2*u+j]), float64(cv[3*u+j])
			d := float64(dhb[j])
			dz := d * (at(hprev, j) - hh) * s.RecAct.d(zg)
			dah := d * (1 - zg) * s.Act.d(hh)
			dr := dah * rh * s.RecAct.d(rg)
			dzx[j], dzx[u+j], dzx[2*u+j] = T(dz), T(dr), T(dah)
			dzr[j], dzr[u+j], dzr[2*u+j] = T(dz), T(dr), T(dah*rg)
			dhb[j] = T(d * zg)
		}
	}
	gemm(false, true, hi-lo, u, gu, w.dz2[(lo*a.t+t)*gu:], a.t*gu, a.r, gu, 0, w.tmp[lo*u:], u)
	for b := lo; b < hi; b++ {
		if w.valid[st*a.b+b] {
			addTo(dh[b*u:(b+1)*u], w.tmp[b*u:(b+1)*u])
		}
	}
}

func gruBackwardResetBefore[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], dOut []T) {
	w.rhp = buf(w.rhp, a.b*a.t*a.u)
	backwardSteps(s, a, w, dOut)
}

// gruBackStepResetBefore is the backward step of gruStepResetBefore for samples lo … hi-1.
func gruBackStepResetBefore[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], st, t, lo, hi int) {
	u, gu := a.u, 3*a.u
	dh := w.dh
	for b := lo; b < hi; b++ {
		if !w.valid[st*a.b+b] {
			continue
		}
		dhb := dh[b*u : (b+1)*u]
		row := b*a.t + t
		hprev := prevState(s, a, 0, b, st)
		cv := w.cache[(st*a.b+b)*4*u : (st*a.b+b+1)*4*u]
		dzx := w.dz[row*gu : (row+1)*gu]
		for j := 0; j < u; j++ {
			zg, rg, hh := float64(cv[j]), float64(cv[u+j]), float64(cv[2*u+j])
			d, hp := float64(dhb[j]), at(hprev, j)
			dzx[j] = T(d * (hp - hh) * s.RecAct.d(zg))
			dzx[2*u+j] = T(d * (1 - zg) * s.Act.d(hh))
			dhb[j] = T(d * zg)
			w.rhp[row*u+j] = T(rg * hp)
		}
	}
	// Through the candidate: d(r∘h) = dã·U_hᵀ.
	gemm(false, true, hi-lo, u, u, w.dz[(lo*a.t+t)*gu+2*u:], a.t*gu, a.r[2*u:], gu, 0, w.tmp[lo*u:], u)
	for b := lo; b < hi; b++ {
		if !w.valid[st*a.b+b] {
			continue
		}
		row := b*a.t + t
		cv := w.cache[(st*a.b+b)*4*u : (st*a.b+b+1)*4*u]
		drh := w.tmp[b*u : (b+1)*u]
		for j := 0; j < u; j++ {
			rg, hp := float64(cv[u+j]), float64(w.hp[row*u+j])
			w.dz[row*gu+u+j] = T(float64(drh[j]) * hp * s.RecAct.d(rg))
			dh[b*u+j] += T(float64(drh[j]) * rg)
		}
	}
	// Through the gates: [dz, dr]·U_zrᵀ.
	gemm(false, true, hi-lo, u, 2*u, w.dz[(lo*a.t+t)*gu:], a.t*gu, a.r, gu, 0, w.tmp[lo*u:], u)
	for b := lo; b < hi; b++ {
		if w.valid[st*a.b+b] {
			addTo(dh[b*u:(b+1)*u], w.tmp[b*u:(b+1)*u])
		}
	}
}

func simpleBackward[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], dOut []T) {
	backwardSteps(s, a, w, dOut)
}

// simpleBackStep is the backward step of simpleStep for samples lo … hi-1.
func simpleBackStep[T float](s *RNNSpec, a *seqData[T], w *rnnWork[T], st, t, lo, hi int) {
	u := a.u
	dh := w.dh
	_, o := s.index(st, a.t)
	for b := lo; b < hi; b++ {
		if !w.valid[st*a.b+b] {
			continue
		}
		row := b*a.t + t
		hn := a.outAt(0, b, o)
		dz := w.dz[row*u : (row+1)*u]
		for j, d := range dh[b*u : (b+1)*u] {
			dz[j] = T(float64(d) * s.Act.d(float64(hn[j])))
		}
	}
	gemm(false, true, hi-lo, u, u, w.dz[(lo*a.t+t)*u:], a.t*u, a.r, u, 0, w.tmp[lo*u:], u)
	for b := lo; b < hi; b++ {
		if w.valid[st*a.b+b] {
			copy(dh[b*u:(b+1)*u], w.tmp[b*u:(b+1)*u])
		}
	}
}
