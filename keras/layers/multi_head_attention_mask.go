package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// attentionMask returns the mask of the scores, 1 where query step t may attend to key step
// s and 0 elsewhere, or nil when every pair may: the query's mask qm on t, the value's vm on
// s, the explicit attention mask (its nonzero entries, as Keras casts it to bool) and, with
// UseCausalMask, s ≤ t, all of them combined. It is (batch', heads, T, S) when an input has a
// mask, and (T, S), the same for every example and head, when only the causal mask applies.
// The masks come with the attention axes already last (see Forward): qm (batch, other
// axes..., T...), vm likewise with S, explicit (batch, other axes..., T..., S...).
func (l *MultiHeadAttentionLayer) attentionMask(ctx *keras.Context, o *ops.Builder, qm, vm, explicit *G.Node, b, t, s int) (*G.Node, error) {
	var causal *G.Node
	if l.causal {
		vals := make([]float64, t*s)
		for i := 0; i < t; i++ {
			for j := 0; j <= i && j < s; j++ {
				vals[i*s+j] = 1
			}
		}
		causal = constantIn(ctx, fmt.Sprintf("%s/causal_mask_%dx%d", l.Name(), t, s), vals, t, s)
	}
	var mask *G.Node // (batch', 1, T, S)
	if qm != nil || vm != nil {
		// the outer product of the two masks, through the scores op on one head of one feature
		ones := func(n int) *G.Node {
			vals := make([]float64, b*n)
			for i := range vals {
				vals[i] = 1
			}
			return constantIn(ctx, fmt.Sprintf("%s/ones_%dx%d", l.Name(), b, n), vals, b, n, 1, 1)
		}
		col := func(m *G.Node, n int) *G.Node {
			if m == nil {
				return ones(n)
			}
			if m.Dtype() != ctx.FloatDType() {
				o.Fail(fmt.Errorf("%w: a mask of dtype %v", keras.ErrInternal, m.Dtype()))
				return nil
			}
			return o.Reshape(m, b, n, 1, 1)
		}
		qc, vc := col(qm, t), col(vm, s)
		if o.Err() != nil {
			return nil, o.Err()
		}
		pair, err := internalops.AttentionScores(qc, vc)
		if err != nil {
			return nil, err
		}
		mask = pair
	}
	if explicit != nil {
		if explicit.Dtype() != ctx.FloatDType() { // Forward converts integer masks
			return nil, fmt.Errorf("%w: the attention mask is %v, the layer computes in %v", keras.ErrInternal, explicit.Dtype(), ctx.FloatDType())
		}
		m := o.Reshape(explicit, b, 1, t, s)
		if o.Err() != nil {
			return nil, o.Err()
		}
		bin, err := internalops.NotZero(m)
		if err != nil {
			return nil, err
		}
		if mask == nil {
			mask = bin
		} else {
			mask = o.Mul(mask, bin)
		}
	}
	if mask == nil {
		return causal, nil
	}
	mask = o.Tile(mask, 1, l.numHeads)
	if causal != nil {
		mask = o.Mul(mask, causal)
	}
	return mask, o.Err()
}
