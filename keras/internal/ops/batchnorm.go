package ops

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Batch normalisation over the last axis as three ops: Moments (the batch's mean and variance),
// BatchNorm (the normalisation, forward) and its backward op. Keras 3 (JAX backend) computes
//
//	mean = jnp.mean(x, axes), variance = jnp.var(x, axes)           (biased: Σ(x - mean)² / n)
//	inv = rsqrt(variance + epsilon) · gamma
//	y = x·inv + (beta - mean·inv)
//
// and these ops compute the same formulas, with the batch statistics kept in float64 from
// Moments to BatchNorm and its backward op. Keras rounds them to float32 in a float32 model;
// where a channel has few values (batch 2 on 1x1 maps: 2 per channel) and a small epsilon,
// the backward's dx = inv·(dy - mean(dy) - x̂·mean(dy·x̂)) cancels to a small fraction of dy
// (for 2 values, inv·(dy₁-dy₂)/2·(1 - x̂²) with 1 - x̂² = 4ε/((a-b)² + 4ε)), and x̂ from a
// rounded mean and variance loses most of its digits there.
//
// Written with Gorgonia's ops the same layer was ten ops (Mean, BroadcastSub, Square, Mean,
// Add, Sqrt, Inverse, two BroadcastHadamardProd, BroadcastAdd) and their gradients, each
// allocating its result, and each float32 reduction one running float32 sum over the batch.
// Here every sum (the mean, the variance, the backward's Σdy and Σdy·x̂) runs in float64, per
// channel, and each output is written once.

var batchNormOpCount atomic.Int64

// momentsOp is the batch mean (one input, x) or the biased batch variance (two inputs, x and
// its mean) of each channel of x (…, c): a float64 vector of c values. Its gradient is
// never taken: BatchNorm's backward op differentiates through the statistics itself, and
// BatchNorm declares them not differentiable.
type momentsOp struct {
	Base
	variance bool
	from     tensor.Shape
}

var _ G.SDOp = (*momentsOp)(nil)

// Moments returns the mean and the biased variance (Σ(x - mean)² / n, as jnp.var) of each
// channel of x (…, c) over every other axis, as two float64 vectors of c values, whatever x's
// dtype: the sums run in float64 and BatchNorm reads them unrounded. x must be a float32 or
// float64 tensor of rank ≥ 2.
func Moments(x *G.Node) (mean, variance *G.Node, err error) {
	if err := checkBatchNormInput("moments", x); err != nil {
		return nil, nil, err
	}
	s := x.Shape().Clone()
	id := batchNormOpCount.Add(1)
	params := fmt.Sprintf("from=%v #%d", []int(s), id)
	mop := &momentsOp{Base: Base{Name: "batch_mean", Params: params, Inputs: 1}, from: s}
	if mean, err = G.ApplyOp(mop, x); err != nil {
		return nil, nil, err
	}
	vop := &momentsOp{Base: Base{Name: "batch_variance", Params: params, Inputs: 2}, variance: true, from: s}
	if variance, err = G.ApplyOp(vop, x, mean); err != nil {
		return nil, nil, err
	}
	return mean, variance, nil
}

func checkBatchNormInput(name string, x *G.Node) error {
	if dt := x.Dtype(); x.Dims() < 2 || dt != tensor.Float32 && dt != tensor.Float64 {
		return fmt.Errorf("%s: want a float32 or float64 input of rank ≥ 2 (…, channels), got %v of shape %v", name, x.Dtype(), x.Shape())
	}
	if s := x.Shape(); s[len(s)-1] < 1 {
		return fmt.Errorf("%s: input of shape %v has no channels", name, s)
	}
	return nil
}

// Type returns x → c for the mean, x → c → c for the variance (c float64).
func (op *momentsOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x, v := G.TensorType{Dims: len(op.from), Of: a}, G.TensorType{Dims: 1, Of: tensor.Float64}
	if op.variance {
		return hm.NewFnType(x, v, v)
	}
	return hm.NewFnType(x, v)
}

// InferShape returns (c).
func (op *momentsOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.from[len(op.from)-1]}, nil
}

// DiffWRT: not differentiable (see momentsOp).
func (op *momentsOp) DiffWRT(n int) []bool { return make([]bool, n) }

// SymDiff is never called: no input is differentiable.
func (op *momentsOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v: the batch statistics are differentiated by BatchNorm's backward op", op)
}

// Do computes the statistics into a new tensor.
func (op *momentsOp) Do(in ...G.Value) (G.Value, error) { return op.do(nil, in) }

// UsePreallocDo computes the statistics into prealloc.
func (op *momentsOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return op.do(prealloc, in)
}

func (op *momentsOp) do(prealloc G.Value, in []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(in) != op.Arity() {
		return nil, fmt.Errorf("%v takes %d inputs, got %d", op, op.Arity(), len(in))
	}
	x, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	if !x.Shape().Eq(op.from) {
		return nil, fmt.Errorf("%v: input of shape %v, want %v", op, x.Shape(), op.from)
	}
	c := op.from[len(op.from)-1]
	out, err := output(op, prealloc, tensor.Float64, tensor.Shape{c})
	if err != nil {
		return nil, err
	}
	if x.Dtype() == tensor.Float32 {
		err = momentsDo[float32](op, x, in, out, c)
	} else {
		err = momentsDo[float64](op, x, in, out, c)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func momentsDo[T float](op *momentsOp, x *tensor.Dense, in []G.Value, out *tensor.Dense, c int) error {
	xs, o := data[T](x), data[float64](out)
	if !op.variance {
		channelMeans(xs, c, o)
		return nil
	}
	m, err := channelVector[float64](op, in[1], "mean", c)
	if err != nil {
		return err
	}
	channelVariances(xs, m, c, o)
	return nil
}

// channelVector returns an input that holds one value per channel.
func channelVector[T float](op fmt.Stringer, v G.Value, what string, c int) ([]T, error) {
	s, err := dataOf[T](v)
	if err != nil {
		return nil, fmt.Errorf("%v, %s: %w", op, what, err)
	}
	if len(s) != c {
		return nil, fmt.Errorf("%v: %s has %d values, want one per channel (%d)", op, what, len(s), c)
	}
	return s, nil
}

// channelMeans writes the mean of each of the c columns of x (rows of c) into mean, summing
// in float64 there.
func channelMeans[T float](x []T, c int, mean []float64) {
	n := len(x) / c
	mean = mean[:c]
	clear(mean)
	for r := 0; r+c <= len(x); r += c {
		for j, v := range x[r : r+c] {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
}

// channelVariances writes Σ(x - mean)² / n of each column into v, in float64.
func channelVariances[T float](x []T, mean []float64, c int, v []float64) {
	n := len(x) / c
	v = v[:c]
	clear(v)
	for r := 0; r+c <= len(x); r += c {
		for j, xv := range x[r : r+c] {
			d := float64(xv) - mean[j]
			v[j] += d * d
		}
	}
	for j := range v {
		v[j] /= float64(n)
	}
}

// batchNormOp is y = x·inv + (beta - mean·inv), inv = gamma / sqrt(variance + eps), per
// channel of x (…, c). Inputs: x, mean (c), variance (c), then gamma (c) and beta (c) when
// the layer has them. The statistics are in x's dtype or float64 (Moments). With batchStats
// the mean and variance are Moments(x), and the backward op differentiates through them;
// otherwise they are constants (the moving statistics).
type batchNormOp struct {
	Base
	from              tensor.Shape
	eps               float64
	batchStats        bool
	hasGamma, hasBeta bool
	masked            bool         // the last input is the mask of MaskedBatchNorm
	stats             tensor.Dtype // the statistics' dtype
	coef              scratch      // per channel: float64 statistics, s, inv, offset; float32 inv, res of float32 inference
}

var (
	_ G.SDOp = (*batchNormOp)(nil)
	_ G.Op   = (*batchNormGradOp)(nil)
)

// BatchNorm returns Keras's batch normalisation of x (…, c) over its last axis: y = x·inv +
// (beta - mean·inv) with inv = gamma / sqrt(variance + eps), as keras.ops.batch_normalization
// computes it. mean and variance are vectors of c values, in x's dtype or float64: Moments(x)
// when batchStats is set (training; the gradient then flows through them to x), else
// constants such as the moving statistics. gamma and beta are vectors of c values or nil
// (Keras's scale=False, center=False). The per-channel coefficients and every sum run in
// float64; the output is in x's dtype. The op never writes into its inputs.
func BatchNorm(x, mean, variance, gamma, beta *G.Node, eps float64, batchStats bool) (*G.Node, error) {
	if err := checkBatchNormInput("batch_norm", x); err != nil {
		return nil, err
	}
	return batchNorm(x, nil, mean, variance, gamma, beta, eps, batchStats)
}

// batchNorm is BatchNorm, or MaskedBatchNorm when mask is not nil (batchnorm_mask.go): the
// mask is then the op's last input, read by the backward op only.
func batchNorm(x, mask, mean, variance, gamma, beta *G.Node, eps float64, batchStats bool) (*G.Node, error) {
	s := x.Shape().Clone()
	c := s[len(s)-1]
	args := G.Nodes{x, mean, variance}
	for i, v := range []*G.Node{mean, variance, gamma, beta} {
		if v == nil {
			if i < 2 {
				return nil, fmt.Errorf("batch_norm: no %s given", [...]string{"mean", "variance"}[i])
			}
			continue
		}
		if dt := v.Dtype(); v.Dims() != 1 || v.Shape()[0] != c || dt != x.Dtype() && (i >= 2 || dt != tensor.Float64) {
			return nil, fmt.Errorf("batch_norm: %s is %v %v, want %v (%d) for input %v", [...]string{"mean", "variance", "gamma", "beta"}[i], v.Dtype(), v.Shape(), x.Dtype(), c, s)
		}
		if i >= 2 {
			args = append(args, v)
		}
	}
	if mean.Dtype() != variance.Dtype() {
		return nil, fmt.Errorf("batch_norm: mean is %v, variance %v: want one dtype", mean.Dtype(), variance.Dtype())
	}
	if !(eps >= 0) || math.IsInf(eps, 0) {
		return nil, fmt.Errorf("batch_norm: epsilon %v, want a finite value ≥ 0", eps)
	}
	op := &batchNormOp{from: s, eps: eps, batchStats: batchStats, hasGamma: gamma != nil, hasBeta: beta != nil, stats: mean.Dtype()}
	params := fmt.Sprintf("from=%v,eps=%v,batch=%v,gamma=%v,beta=%v", []int(s), eps, batchStats, op.hasGamma, op.hasBeta)
	if mask != nil {
		op.masked = true
		args = append(args, mask)
		params += ",mask"
	}
	op.Base = Base{Name: "batch_norm", Params: fmt.Sprintf("%s #%d", params, batchNormOpCount.Add(1)), Inputs: len(args)}
	return G.ApplyOp(op, args...)
}

// inputTypes are the types of x, mean, variance, the optional gamma and beta, and the mask.
func (op *batchNormOp) inputTypes(a hm.Type) []hm.Type {
	v, st := G.TensorType{Dims: 1, Of: a}, G.TensorType{Dims: 1, Of: a}
	if op.stats == tensor.Float64 {
		st.Of = tensor.Float64
	}
	ts := []hm.Type{G.TensorType{Dims: len(op.from), Of: a}, st, st}
	affine := op.Inputs - 3
	if op.masked {
		affine--
	}
	for range affine {
		ts = append(ts, v)
	}
	if op.masked {
		ts = append(ts, G.TensorType{Dims: len(op.from) - 1, Of: a})
	}
	return ts
}

// Type returns x → mean → variance [→ gamma] [→ beta] → y.
func (op *batchNormOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(append(op.inputTypes(a), G.TensorType{Dims: len(op.from), Of: a})...)
}

// InferShape returns x's shape.
func (op *batchNormOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.from.Clone(), nil }

// DiffWRT: differentiable with respect to x, gamma and beta; the statistics are either x's
// own (differentiated through x by the backward op) or constants, and a mask is constant.
func (op *batchNormOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = i == 0 || i >= 3 && !(op.masked && i == n-1)
	}
	return d
}

// bnArgs are one run's operands as slices: x has rows of c values.
type bnArgs[T float] struct {
	c              int
	x, gamma, beta []T
	mean, vr       []float64
}

// bnArgsOf checks and unpacks the forward op's inputs; statistics in x's dtype float32 are
// converted into buf (2c values).
func bnArgsOf[T float](op *batchNormOp, in []G.Value, buf []float64) (bnArgs[T], error) {
	var a bnArgs[T]
	if len(in) != op.Arity() {
		return a, fmt.Errorf("%v takes %d inputs, got %d", op, op.Arity(), len(in))
	}
	if !in[0].Shape().Eq(op.from) {
		return a, fmt.Errorf("%v: input of shape %v, want %v", op, in[0].Shape(), op.from)
	}
	a.c = op.from[len(op.from)-1]
	var err error
	if a.x, err = dataOf[T](in[0]); err != nil {
		return a, fmt.Errorf("%v, x: %w", op, err)
	}
	if a.mean, err = channelStats(op, in[1], "mean", a.c, buf[:a.c]); err != nil {
		return a, err
	}
	if a.vr, err = channelStats(op, in[2], "variance", a.c, buf[a.c:2*a.c]); err != nil {
		return a, err
	}
	i := 3
	if op.hasGamma {
		if a.gamma, err = channelVector[T](op, in[i], "gamma", a.c); err != nil {
			return a, err
		}
		i++
	}
	if op.hasBeta {
		if a.beta, err = channelVector[T](op, in[i], "beta", a.c); err != nil {
			return a, err
		}
	}
	return a, nil
}

// channelStats returns statistics (one value per channel) as float64 values, converting
// float32 ones into buf.
func channelStats(op fmt.Stringer, v G.Value, what string, c int, buf []float64) ([]float64, error) {
	if v.Dtype() == tensor.Float64 {
		return channelVector[float64](op, v, what, c)
	}
	s, err := channelVector[float32](op, v, what, c)
	if err != nil {
		return nil, err
	}
	for j, x := range s {
		buf[j] = float64(x)
	}
	return buf, nil
}

// rsqrt returns 1/sqrt(variance + eps) per channel into s, and inv = s·gamma into inv
// (gamma nil: 1), in float64.
func (a bnArgs[T]) rsqrt(eps float64, s, inv []float64) {
	for j := range a.c {
		s[j] = 1 / math.Sqrt(a.vr[j]+eps)
		inv[j] = s[j]
		if a.gamma != nil {
			inv[j] *= float64(a.gamma[j])
		}
	}
}

// Do normalises x into a new tensor.
func (op *batchNormOp) Do(in ...G.Value) (G.Value, error) { return op.do(nil, in) }

// UsePreallocDo normalises x into prealloc.
func (op *batchNormOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return op.do(prealloc, in)
}

func (op *batchNormOp) do(prealloc G.Value, in []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(in) == 0 {
		return nil, fmt.Errorf("%v: no inputs", op)
	}
	out, err := output(op, prealloc, in[0].Dtype(), op.from)
	if err != nil {
		return nil, err
	}
	switch in[0].Dtype() {
	case tensor.Float32:
		err = batchNormDo[float32](op, in, out)
	case tensor.Float64:
		err = batchNormDo[float64](op, in, out)
	default:
		err = fmt.Errorf("%v: %v inputs are not supported (float32, float64)", op, in[0].Dtype())
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func batchNormDo[T float](op *batchNormOp, in []G.Value, out *tensor.Dense) error {
	c := op.from[len(op.from)-1]
	coef := scratchSlice[float64](&op.coef, 5*c)
	a, err := bnArgsOf[T](op, in, coef[:2*c])
	if err != nil {
		return err
	}
	if x32, ok := any(a.x).([]float32); ok && !op.batchStats {
		batchNormKeras32(any(a).(bnArgs[float32]), x32, op.eps, data[float32](out), scratchSlice[float32](&op.coef, 2*c))
		return nil
	}
	s, inv, res := coef[2*c:3*c], coef[3*c:4*c], coef[4*c:5*c]
	a.rsqrt(op.eps, s, inv)
	for j := range c {
		// Keras: res = -mean·inv, then + beta.
		res[j] = -a.mean[j] * inv[j]
		if a.beta != nil {
			res[j] += float64(a.beta[j])
		}
	}
	y := data[T](out)
	for r := 0; r+c <= len(a.x); r += c {
		xr, yr := a.x[r:r+c], y[r:r+c]
		for j, v := range xr {
			yr[j] = T(float64(v)*inv[j] + res[j])
		}
	}
	return nil
}

// batchNormKeras32 is float32 inference (moving statistics) in Keras's own float32 order: its
// jax backend computes inv = rsqrt(variance + ε)·γ, res = β − mean·inv and x·inv + res, each
// step rounded to float32. Computing the constants and the sum in float64 (as training does,
// where the batch statistics and the gradients need it) is more accurate, but it moves the
// predictions away from Keras's by Keras's own rounding, which the cancellation in x·inv −
// mean·inv makes large for outputs near zero: MobileNet's float32 predictions went from 5.8e-5
// to 1.3e-4 relative of Keras's, over the applications suite's 1e-4. Inference is what users
// compare with Keras, so it rounds as Keras does.
//
// buf holds 2c float32 values of the op's scratch memory (the per-channel constants), so a
// step allocates nothing whatever the channel count.
func batchNormKeras32(a bnArgs[float32], x []float32, eps float64, y, buf []float32) {
	c := a.c
	inv, res := buf[:0:c], buf[c:c:2*c]
	e := float32(eps)
	for j := range c {
		v := float32(1 / math.Sqrt(float64(float32(a.vr[j])+e)))
		if a.gamma != nil {
			v *= a.gamma[j]
		}
		r := float32(-float32(a.mean[j]) * v) // the conversions keep each product rounded: no FMA
		if a.beta != nil {
			r += a.beta[j]
		}
		inv, res = append(inv, v), append(res, r)
	}
	for o := 0; o+c <= len(x); o += c {
		xr, yr := x[o:o+c], y[o:o+c]
		for j, v := range xr {
			yr[j] = float32(v*inv[j]) + res[j]
		}
	}
}

// SymDiff adds the backward op, which computes the gradients of x, gamma and beta at once into
// one flat vector, and a view of it per input.
func (op *batchNormOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	gop := &batchNormGradOp{Base: Base{Name: "∂batch_norm", Params: op.Params, Inputs: op.Inputs + 2}, fwd: op}
	gop.parts = gradShapes(inputs, op.DiffWRT(len(inputs)))
	return flatGradients(gop, gop.parts, inputs, output, grad, func(i, off int, s tensor.Shape) G.Op {
		return newPartOp("∂batch_norm_part", fmt.Sprintf("%d %s", i, op.Params), off, s)
	})
}
