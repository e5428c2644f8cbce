package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Batch normalisation under a mask. Keras 3's BatchNormalization, given a mask (Embedding with
// mask_zero=True, Masking), computes its training-mode statistics over the valid positions
// only (keras/src/layers/normalization/batch_normalization.py, _moments):
//
//	W = Σ m + backend.epsilon()                  (m: the mask as 0/1 per row; epsilon 1e-7)
//	mean = Σ m·x / W
//	variance = Σ where(m, x - mean, 0)² / W
//
// over every axis but the channels, and then normalises every position, masked ones included,
// with these statistics (ops.batch_normalization, unchanged). So a masked position's input
// never reaches the statistics, but its output is its own input normalised. The epsilon makes
// these statistics differ from the unmasked ones even under a mask of ones, so a layer given
// a mask always takes this path.
//
// The gradient is JAX's differentiation of those formulas: with s = 1/sqrt(variance + eps),
// inv = gamma·s, D = Σ m·(x - mean) (which is mean·1e-7, not 0, because of the epsilon) and
// the sums Σdy, Σdy·(x - mean) over every position,
//
//	dx = inv·(dy - (m/W)·Σdy - s²·(m/W)·Σdy·(x - mean)·((x - mean) - D/W))
//
// which is inv·dy at a masked position, and the unmasked formula when m = 1 and the epsilon is
// 0. dgamma and dbeta are the unmasked ones (every position's output depends on them).

// maskEpsilon is Keras's backend.epsilon() (1e-7 unless keras.config.set_epsilon changes it),
// added to the sum of the mask's weights.
const maskEpsilon = 1e-7

// maskedMomentsOp is the masked mean (inputs x, mask) or variance (x, mask, mean) of each
// channel of x (…, c), as float64 vectors of c values. Like momentsOp, its gradient is never
// taken: MaskedBatchNorm's backward op differentiates through the statistics.
type maskedMomentsOp struct {
	Base
	variance bool
	from     tensor.Shape
}

var _ G.SDOp = (*maskedMomentsOp)(nil)

// MaskedMoments returns Keras's masked mean and variance of each channel of x (…, c): the
// positions of the rows (every index but the channel's) whose mask value is 0 do not count,
// and the sums of the others are divided by the number of valid rows plus 1e-7 (see above).
// mask has x's shape without its last axis and x's dtype; a value other than 0 is valid. The
// statistics are float64 vectors of c values, summed in float64 whatever x's dtype.
func MaskedMoments(x, mask *G.Node) (mean, variance *G.Node, err error) {
	if err := checkBatchNormMask("masked_moments", x, mask); err != nil {
		return nil, nil, err
	}
	s := x.Shape().Clone()
	params := fmt.Sprintf("from=%v #%d", []int(s), batchNormOpCount.Add(1))
	mop := &maskedMomentsOp{Base: Base{Name: "masked_batch_mean", Params: params, Inputs: 2}, from: s}
	if mean, err = G.ApplyOp(mop, x, mask); err != nil {
		return nil, nil, err
	}
	vop := &maskedMomentsOp{Base: Base{Name: "masked_batch_variance", Params: params, Inputs: 3}, variance: true, from: s}
	if variance, err = G.ApplyOp(vop, x, mask, mean); err != nil {
		return nil, nil, err
	}
	return mean, variance, nil
}

// checkBatchNormMask checks x as the batch normalisation ops do, and that mask is x's shape
// without the channels, in x's dtype.
func checkBatchNormMask(name string, x, mask *G.Node) error {
	if err := checkBatchNormInput(name, x); err != nil {
		return err
	}
	if mask == nil {
		return fmt.Errorf("%s: no mask given", name)
	}
	s := x.Shape()
	want := s[:len(s)-1]
	if !mask.Shape().Eq(want) || mask.Dtype() != x.Dtype() {
		return fmt.Errorf("%s: mask is %v %v, want %v %v (the input %v without its channel axis)", name, mask.Dtype(), mask.Shape(), x.Dtype(), want, s)
	}
	return nil
}

// Type returns x → mask → c for the mean, x → mask → c → c for the variance (c float64).
func (op *maskedMomentsOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	n := len(op.from)
	x, m, v := G.TensorType{Dims: n, Of: a}, G.TensorType{Dims: n - 1, Of: a}, G.TensorType{Dims: 1, Of: tensor.Float64}
	if op.variance {
		return hm.NewFnType(x, m, v, v)
	}
	return hm.NewFnType(x, m, v)
}

// InferShape returns (c).
func (op *maskedMomentsOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.from[len(op.from)-1]}, nil
}

// DiffWRT: not differentiable (see maskedMomentsOp).
func (op *maskedMomentsOp) DiffWRT(n int) []bool { return make([]bool, n) }

// SymDiff is never called: no input is differentiable.
func (op *maskedMomentsOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v: the batch statistics are differentiated by BatchNorm's backward op", op)
}

// Do computes the statistics into a new tensor.
func (op *maskedMomentsOp) Do(in ...G.Value) (G.Value, error) { return op.do(nil, in) }

// UsePreallocDo computes the statistics into prealloc.
func (op *maskedMomentsOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return op.do(prealloc, in)
}

func (op *maskedMomentsOp) do(prealloc G.Value, in []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(in) != op.Arity() {
		return nil, fmt.Errorf("%v takes %d inputs, got %d", op, op.Arity(), len(in))
	}
	if !in[0].Shape().Eq(op.from) {
		return nil, fmt.Errorf("%v: input of shape %v, want %v", op, in[0].Shape(), op.from)
	}
	c := op.from[len(op.from)-1]
	out, err := output(op, prealloc, tensor.Float64, tensor.Shape{c})
	if err != nil {
		return nil, err
	}
	switch in[0].Dtype() {
	case tensor.Float32:
		err = maskedMomentsDo[float32](op, in, data[float64](out), c)
	case tensor.Float64:
		err = maskedMomentsDo[float64](op, in, data[float64](out), c)
	default:
		err = fmt.Errorf("%v: %v inputs are not supported (float32, float64)", op, in[0].Dtype())
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func maskedMomentsDo[T float](op *maskedMomentsOp, in []G.Value, out []float64, c int) error {
	x, err := dataOf[T](in[0])
	if err != nil {
		return fmt.Errorf("%v, x: %w", op, err)
	}
	m, err := rowMask[T](op, in[1], len(x)/c)
	if err != nil {
		return err
	}
	if !op.variance {
		maskedChannelMeans(x, m, c, out)
		return nil
	}
	mean, err := channelVector[float64](op, in[2], "mean", c)
	if err != nil {
		return err
	}
	maskedChannelVariances(x, m, mean, c, out)
	return nil
}

// rowMask returns the mask input, one value per row of c channels.
func rowMask[T float](op fmt.Stringer, v G.Value, rows int) ([]T, error) {
	m, err := dataOf[T](v)
	if err != nil {
		return nil, fmt.Errorf("%v, mask: %w", op, err)
	}
	if len(m) != rows {
		return nil, fmt.Errorf("%v: mask has %d values, want one per row (%d)", op, len(m), rows)
	}
	return m, nil
}

// maskWeights returns W = the number of valid rows (mask ≠ 0, as Keras's cast to bool) + 1e-7.
func maskWeights[T float](m []T) float64 {
	n := 0
	for _, v := range m {
		if v != 0 {
			n++
		}
	}
	return float64(n) + maskEpsilon
}

// maskedChannelMeans writes Σ m·x / W of each of the c columns of x into mean, in float64.
func maskedChannelMeans[T float](x, m []T, c int, mean []float64) {
	mean = mean[:c]
	clear(mean)
	for r, mv := range m {
		if mv == 0 {
			continue
		}
		for j, v := range x[r*c : r*c+c] {
			mean[j] += float64(v)
		}
	}
	w := maskWeights(m)
	for j := range mean {
		mean[j] /= w
	}
}

// maskedChannelVariances writes Σ m·(x - mean)² / W of each column into v, in float64.
func maskedChannelVariances[T float](x, m []T, mean []float64, c int, v []float64) {
	v = v[:c]
	clear(v)
	for r, mv := range m {
		if mv == 0 {
			continue
		}
		for j, xv := range x[r*c : r*c+c] {
			d := float64(xv) - mean[j]
			v[j] += d * d
		}
	}
	w := maskWeights(m)
	for j := range v {
		v[j] /= w
	}
}

// MaskedBatchNorm is BatchNorm in training under a mask: y is the same formula over every
// position (masked ones included), with mean and variance from MaskedMoments(x, mask); the
// backward op differentiates through the masked statistics (see above). mask is the one given
// to MaskedMoments.
func MaskedBatchNorm(x, mask, mean, variance, gamma, beta *G.Node, eps float64) (*G.Node, error) {
	if err := checkBatchNormMask("batch_norm", x, mask); err != nil {
		return nil, err
	}
	return batchNorm(x, mask, mean, variance, gamma, beta, eps, true)
}

// maskedBatchNormDx writes the masked backward's dx (see above). sdy and sdyx hold, per
// channel, Σdy and s·Σdy·(x - mean) over every position; s and inv as in the unmasked op. d is
// c values of scratch.
func maskedBatchNormDx[T float](a bnArgs[T], mask []T, dy, dx []T, s, inv, sdy, sdyx, d []float64) {
	c, m := a.c, a.mean
	w := maskWeights(mask)
	clear(d)
	for r, mv := range mask {
		if mv == 0 {
			continue
		}
		for j, v := range a.x[r*c : r*c+c] {
			d[j] += float64(v) - m[j]
		}
	}
	for j := range c {
		sdy[j] /= w
		sdyx[j] *= s[j] / w
		d[j] /= w
	}
	for r, mv := range mask {
		xr, dr, gr := a.x[r*c:r*c+c], dy[r*c:r*c+c], dx[r*c:r*c+c]
		if mv == 0 {
			for j, dv := range dr {
				gr[j] = T(inv[j] * float64(dv))
			}
			continue
		}
		for j, v := range xr {
			gr[j] = T(inv[j] * (float64(dr[j]) - sdy[j] - sdyx[j]*((float64(v)-m[j])-d[j])))
		}
	}
}
