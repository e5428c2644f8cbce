package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
)

// AdditiveAttention returns Keras's AdditiveAttention, Bahdanau-style attention: the score
// of query step t against key step s is Σ scale·tanh(q_t + k_s) over the features, scale a
// learned vector of the query's features (UseScale, default true; without it, 1). The rest
// is [AttentionLayer]'s: call it as Call(query, value) or Call(query, value, key), the
// masks, UseCausalMask and ReturnAttentionScores as there. Options: UseScale,
// AttentionDropout (default 0), UseCausalMask (default false), ReturnAttentionScores (default
// false), Name, Trainable, DType.
func AdditiveAttention(opts ...AttentionLayerOption) *AttentionLayer {
	o := newOptions(opts)
	l := &AttentionLayer{class: "AdditiveAttention", useScale: true, scoreMode: "concat",
		dropout: o.attn.dropout, causal: o.attn.causal, scores: o.attn.scores}
	if o.set["UseScale"] {
		l.useScale = o.attn.useScale
	}
	l.made(o)
	if o.set["ScoreMode"] {
		l.SetErr(fmt.Errorf("%w: AdditiveAttention takes no ScoreMode (its scores are additive)", keras.ErrInvalidArgument))
	}
	return l
}

// additiveAttentionKeys is AdditiveAttention's Keras config: Attention's without
// score_mode, use_scale true by default.
var additiveAttentionKeys = configKeys[AttentionLayer]{
	boolKey("use_scale", func(l *AttentionLayer) *bool { return &l.useScale }, true),
	floatKey("dropout", func(l *AttentionLayer) *float64 { return &l.dropout }, 0),
	{name: "seed", write: func(*AttentionLayer) any { return nil }, read: func(*configReader, string, *AttentionLayer) {}},
}

func init() {
	registerLayer("AdditiveAttention", additiveAttentionKeys, func(l *AttentionLayer, o *options) keras.Layer {
		l.class, l.scoreMode = "AdditiveAttention", "concat"
		return l.made(o)
	})
}
