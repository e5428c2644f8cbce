package layers

// MultiHeadAttentionOption is an option MultiHeadAttention takes: ValueDim, OutputShape,
// AttentionDropout, UseCausalMask, UseBias, KernelInitializer, BiasInitializer and the common
// options. (Activation compiles, as every WeightsOption does, and is refused by the layer.)
type MultiHeadAttentionOption interface {
	applier
	multiHeadAttention()
}

// AttentionOption is an option the attention layers take.
type AttentionOption struct{ setter }

func (AttentionOption) multiHeadAttention() {}

func (CommonOption) multiHeadAttention()  {}
func (WeightsOption) multiHeadAttention() {}

// attentionOptions holds the attention layers' options; Keras's defaults are the zero values.
type attentionOptions struct {
	valueDim    int   // 0: key_dim
	outputShape []int // nil: the query's last dimension
	dropout     float64
	causal      bool
	useScale    bool   // Attention, AdditiveAttention
	scoreMode   string // Attention
}

// ValueDim sets MultiHeadAttention's size of each head for the value (Keras's value_dim;
// default key_dim).
func ValueDim(n int) AttentionOption {
	return AttentionOption{func(o *options) { o.mark("ValueDim"); o.attn.valueDim = n }}
}

// OutputShape sets the shape of each output position of MultiHeadAttention, batch and steps
// excluded (Keras's output_shape; default the query's last dimension).
func OutputShape(dims ...int) AttentionOption {
	return AttentionOption{func(o *options) { o.mark("OutputShape"); o.attn.outputShape = append([]int(nil), dims...) }}
}

// AttentionDropout sets the fraction of attention weights dropped in training (Keras's
// dropout argument of the attention layers; default 0).
func AttentionDropout(rate float64) AttentionOption {
	return AttentionOption{func(o *options) { o.mark("AttentionDropout"); o.attn.dropout = rate }}
}

// UseCausalMask makes every query position attend only to key positions at or before it, as
// Keras's use_causal_mask=True call argument (default false): kerago records it on the layer
// and writes it as the keyword argument of each of the layer's calls in a saved model.
func UseCausalMask(b bool) AttentionOption {
	return AttentionOption{func(o *options) { o.mark("UseCausalMask"); o.attn.causal = b }}
}
