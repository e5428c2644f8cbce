package ops

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// CircleLoss returns Keras 3's Circle loss of each sample of a batch of embeddings emb
// (batch, dims) with class labels (batch,), against the batch itself (Keras's default
// ref_labels and ref_embeddings): with cosine distances D = max(1 - emb·embᵀ, 0),
//
//	pᵢ = logsumexp_{j same class} -γ·max(m + Dᵢⱼ, 0)·(m - Dᵢⱼ)
//	nᵢ = logsumexp_{j other class} γ·max(1 + m - Dᵢⱼ, 0)·(1 - m - Dᵢⱼ)
//	lossᵢ = softplus(pᵢ + nᵢ)
//
// (j ≠ i among the same class when removeDiagonal). A sample without a positive or a
// negative pair has loss 0, and Keras masks it out of the mean: the batch loss is Σ lossᵢ
// over the V samples with a loss > 0, divided by V. So that a plain mean over the batch (and
// a sample-weighted one) gives Keras's value, each returned loss is already scaled by
// batch/V. The gradient with respect to emb is hand-written: the label masks depend on the
// labels' values, which Gorgonia's ops cannot compare.
func CircleLoss(labels, emb *G.Node, gamma, margin float64, removeDiagonal bool) (*G.Node, error) {
	return applyKernel("circle_loss", fmt.Sprintf("gamma=%v,margin=%v,remove_diagonal=%v", gamma, margin, removeDiagonal),
		circle{gamma, margin, removeDiagonal}, 1, labels, emb)
}

type circle struct {
	gamma, margin float64
	removeDiag    bool
}

func (circle) outShape(in []tensor.Shape) (tensor.Shape, error) {
	if len(in) != 2 || len(in[0]) != 1 || len(in[1]) != 2 || in[0][0] != in[1][0] {
		return nil, fmt.Errorf("want labels (batch,) and embeddings (batch, dims) of one batch size, got %v", in)
	}
	return tensor.Shape{in[0][0]}, nil
}

// pairs returns, for sample i, the weighted distances of its positive and negative pairs
// and their derivatives with respect to Dᵢⱼ (0 where the clamp of D or of the weight is
// flat), with -Inf for pairs outside the set.
func (k circle) pairs(lab []int, d [][]float64, i int) (pos, neg, dPos, dNeg []float64) {
	b := len(lab)
	pos, neg, dPos, dNeg = make([]float64, b), make([]float64, b), make([]float64, b), make([]float64, b)
	m, g := k.margin, k.gamma
	for j := 0; j < b; j++ {
		pos[j], neg[j] = math.Inf(-1), math.Inf(-1)
		if lab[i] == lab[j] {
			if k.removeDiag && i == j {
				continue
			}
			w := m + d[i][j]
			dw := 1.0
			if w < 0 {
				w, dw = 0, 0
			}
			pos[j] = -g * w * (m - d[i][j])
			dPos[j] = -g * (dw*(m-d[i][j]) - w)
		} else {
			w := 1 + m - d[i][j]
			dw := -1.0
			if w < 0 {
				w, dw = 0, 0
			}
			neg[j] = g * w * (1 - m - d[i][j])
			dNeg[j] = g * (dw*(1-m-d[i][j]) - w)
		}
	}
	return pos, neg, dPos, dNeg
}

// logSumExp returns log Σ e^v and the softmax weights of v (-Inf for an empty set).
func logSumExp(v []float64) (float64, []float64) {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	p := make([]float64, len(v))
	if math.IsInf(m, -1) {
		return m, p
	}
	s := 0.0
	for j, x := range v {
		p[j] = math.Exp(x - m)
		s += p[j]
	}
	for j := range p {
		p[j] /= s
	}
	return m + math.Log(s), p
}

// setup reads the labels and the distances (with whether each one's clamp at 0 is active).
func (k circle) setup(in [][]float64, s []tensor.Shape) ([]int, [][]float64, [][]bool, error) {
	b, dims := s[1][0], s[1][1]
	lab := make([]int, b)
	for i, v := range in[0] {
		if v != math.Trunc(v) {
			return nil, nil, nil, fmt.Errorf("label %d is %v, not a class", i, v)
		}
		lab[i] = int(v)
	}
	e := in[1]
	d, clamped := make([][]float64, b), make([][]bool, b)
	for i := range d {
		d[i], clamped[i] = make([]float64, b), make([]bool, b)
		for j := range d[i] {
			dot := 0.0
			for t := 0; t < dims; t++ {
				dot += e[i*dims+t] * e[j*dims+t]
			}
			d[i][j] = 1 - dot
			if d[i][j] < 0 {
				d[i][j], clamped[i][j] = 0, true
			}
		}
	}
	return lab, d, clamped, nil
}

// losses returns each sample's unscaled loss, its derivative with respect to each Dᵢⱼ, and
// the scale batch/V.
func (k circle) losses(lab []int, d [][]float64) ([]float64, [][]float64, float64) {
	b := len(lab)
	loss, dD := make([]float64, b), make([][]float64, b)
	valid := 0
	for i := range lab {
		pos, neg, dPos, dNeg := k.pairs(lab, d, i)
		p, wp := logSumExp(pos)
		n, wn := logSumExp(neg)
		z := p + n
		dD[i] = make([]float64, b)
		if math.IsInf(z, -1) || math.IsNaN(z) {
			continue // no positive or no negative pair: softplus(-inf) = 0, masked out
		}
		loss[i] = softplus(z)
		sig := 1 / (1 + math.Exp(-z))
		for j := range dD[i] {
			dD[i][j] = sig * (wp[j]*dPos[j] + wn[j]*dNeg[j])
		}
		if loss[i] > 0 {
			valid++
		}
	}
	scale := 0.0
	if valid > 0 {
		scale = float64(b) / float64(valid)
	}
	return loss, dD, scale
}

func softplus(x float64) float64 {
	if x > 30 {
		return x
	}
	return math.Log1p(math.Exp(x))
}

func (k circle) forward(in [][]float64, s []tensor.Shape) ([]float64, error) {
	lab, d, _, err := k.setup(in, s)
	if err != nil {
		return nil, err
	}
	loss, _, scale := k.losses(lab, d)
	for i := range loss {
		loss[i] *= scale
	}
	return loss, nil
}

// backward: Dᵢⱼ = 1 - eᵢ·eⱼ (unclamped) moves both eᵢ and eⱼ: ∂Dᵢⱼ/∂eᵢ = -eⱼ, ∂Dᵢⱼ/∂eⱼ = -eᵢ.
// The scale batch/V is constant almost everywhere.
func (k circle) backward(in [][]float64, s []tensor.Shape, dOut []float64) ([]float64, error) {
	lab, d, clamped, err := k.setup(in, s)
	if err != nil {
		return nil, err
	}
	_, dD, scale := k.losses(lab, d)
	dims := s[1][1]
	e := in[1]
	de := make([]float64, len(e))
	for i := range dD {
		for j, g := range dD[i] {
			if g == 0 || clamped[i][j] {
				continue
			}
			g *= dOut[i] * scale
			for t := 0; t < dims; t++ {
				de[i*dims+t] -= g * e[j*dims+t]
				de[j*dims+t] -= g * e[i*dims+t]
			}
		}
	}
	return de, nil
}
