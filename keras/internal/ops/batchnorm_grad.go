package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// batchNormGradOp computes the gradients of one BatchNorm op. Inputs: the forward op's inputs,
// its output y (unused: x̂ is recomputed from x, as gamma may be 0) and dy. Output: the
// gradients of x, gamma and beta (those the op has), one after the other in memory the op
// keeps between runs.
//
// With x̂ = (x - mean)·s, s = 1/sqrt(variance + eps), inv = gamma·s and n values per channel:
//
//	dbeta = Σ dy, dgamma = Σ dy·x̂
//	dx = inv·(dy - Σdy/n - x̂·Σ(dy·x̂)/n)    (batch statistics: the mean and variance depend on x)
//	dx = inv·dy                              (constant statistics)
//
// which is what JAX's differentiation of Keras's formulas gives, up to rounding (jnp.var's
// own gradient through the mean vanishes because Σ(x - mean) = 0). Both sums run in float64.
type batchNormGradOp struct {
	Base
	fwd   *batchNormOp
	parts []tensor.Shape // per forward input: the gradient's shape, nil if none
	grad  scratch        // the flat [dx | dgamma | dbeta]
	coef  scratch        // per channel, float64: the statistics, s, inv, Σdy, Σdy·x̂ (and Σm·(x - mean) under a mask)
}

func (op *batchNormGradOp) size() int {
	n := 0
	for _, s := range op.parts {
		if s != nil {
			n += s.TotalSize()
		}
	}
	return n
}

// Type returns inputs → y → dy → flat gradients.
func (op *batchNormGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	y := G.TensorType{Dims: len(op.fwd.from), Of: a}
	ts := append(op.fwd.inputTypes(a), y, y, G.TensorType{Dims: 1, Of: a})
	return hm.NewFnType(ts...)
}

// InferShape returns the flat length.
func (op *batchNormGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.size()}, nil
}

// Do computes the gradients into the op's memory.
func (op *batchNormGradOp) Do(vals ...G.Value) (G.Value, error) { return op.do(nil, vals) }

// UsePreallocDo computes the gradients into prealloc.
func (op *batchNormGradOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (G.Value, error) {
	return op.do(prealloc, vals)
}

func (op *batchNormGradOp) do(prealloc G.Value, vals []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(vals) != op.Arity() {
		return nil, fmt.Errorf("%v takes %d inputs, got %d", op, op.Arity(), len(vals))
	}
	switch vals[0].Dtype() {
	case tensor.Float32:
		return batchNormGradDo[float32](op, prealloc, vals)
	case tensor.Float64:
		return batchNormGradDo[float64](op, prealloc, vals)
	}
	return nil, fmt.Errorf("%v: %v inputs are not supported (float32, float64)", op, vals[0].Dtype())
}

func batchNormGradDo[T float](op *batchNormGradOp, prealloc G.Value, vals []G.Value) (G.Value, error) {
	fwd := op.fwd
	n := fwd.Arity()
	c := fwd.from[len(fwd.from)-1]
	coefs := 6 * c
	if fwd.masked {
		coefs += c // Σm·(x - mean)
	}
	coef := scratchSlice[float64](&op.coef, coefs)
	a, err := bnArgsOf[T](fwd, vals[:n], coef[:2*c])
	if err != nil {
		return nil, err
	}
	dy, err := dataOf[T](vals[n+1])
	if err != nil {
		return nil, fmt.Errorf("%v, output gradient: %w", op, err)
	}
	if len(dy) != len(a.x) {
		return nil, fmt.Errorf("%v: output gradient holds %d values, want %d", op, len(dy), len(a.x))
	}
	dt := vals[0].Dtype()
	var flat *tensor.Dense
	if prealloc != nil {
		if flat, err = outputSized(op, prealloc, dt, op.size()); err != nil {
			return nil, err
		}
	} else {
		flat = op.grad.dense(dt, false, op.size())
	}
	g := data[T](flat)
	dx, off := g[:len(a.x)], len(a.x)
	var dgamma, dbeta []T
	if fwd.hasGamma {
		dgamma, off = g[off:off+c], off+c
	}
	if fwd.hasBeta {
		dbeta = g[off : off+c]
	}

	s, inv, sdy, sdyx := coef[2*c:3*c], coef[3*c:4*c], coef[4*c:5*c], coef[5*c:6*c]
	m := a.mean
	a.rsqrt(fwd.eps, s, inv)
	clear(sdy)
	clear(sdyx)
	for r := 0; r+c <= len(a.x); r += c {
		xr, dr := a.x[r:r+c], dy[r:r+c]
		for j, v := range xr {
			d := float64(dr[j])
			sdy[j] += d
			sdyx[j] += d * (float64(v) - m[j])
		}
	}
	for j := range c {
		sdyx[j] *= s[j] // Σ dy·x̂
		if dgamma != nil {
			dgamma[j] = T(sdyx[j])
		}
		if dbeta != nil {
			dbeta[j] = T(sdy[j])
		}
	}
	if !fwd.batchStats {
		for r := 0; r+c <= len(a.x); r += c {
			dr, gr := dy[r:r+c], dx[r:r+c]
			for j, d := range dr {
				gr[j] = T(float64(d) * inv[j])
			}
		}
		return flat, nil
	}
	if fwd.masked {
		mask, err := rowMask[T](op, vals[n-1], len(a.x)/c)
		if err != nil {
			return nil, err
		}
		maskedBatchNormDx(a, mask, dy, dx, s, inv, sdy, sdyx, coef[6*c:7*c])
		return flat, nil
	}
	// dx = inv·(dy - Σdy/n - (x - mean)·s·Σ(dy·x̂)/n): fold the per-channel constants first.
	rows := float64(len(a.x) / c)
	for j := range c {
		sdy[j] /= rows
		sdyx[j] *= s[j] / rows
	}
	for r := 0; r+c <= len(a.x); r += c {
		xr, dr, gr := a.x[r:r+c], dy[r:r+c], dx[r:r+c]
		for j, v := range xr {
			gr[j] = T(inv[j] * (float64(dr[j]) - sdy[j] - (float64(v)-m[j])*sdyx[j]))
		}
	}
	return flat, nil
}
