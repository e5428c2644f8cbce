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
	scores      bool   // ReturnAttentionScores
	axes        []int  // MultiHeadAttention's attention_axes; nil: Keras's default
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

// ReturnAttentionScores gives the attention layers a second output, their attention weights,
// as Keras's return_attention_scores=True call argument (default false): MultiHeadAttention's
// are (batch, heads, T, S) (with other attention axes, (batch, other axes..., heads,
// query's attention axes..., key's attention axes...)), Attention's and
// AdditiveAttention's (batch, Tq, Tv). Take both outputs with the layer's CallAll. As
// with UseCausalMask, kerago records it on the layer and writes it with each call in a saved
// model.
func ReturnAttentionScores(b bool) AttentionOption {
	return AttentionOption{func(o *options) { o.mark("ReturnAttentionScores"); o.attn.scores = b }}
}

// AttentionAxes sets the axes of the query MultiHeadAttention attends over (Keras's
// attention_axes; default every axis between the batch and the features): on
// (batch, rows, columns, features), AttentionAxes(1, 2) is Keras's 2-D attention over all
// positions, and AttentionAxes(2) attends along the columns of each row separately. A
// negative axis counts as Keras counts it, from the end of the projected query (batch,
// steps..., heads, key_dim).
func AttentionAxes(axes ...int) AttentionOption {
	return AttentionOption{func(o *options) { o.mark("AttentionAxes"); o.attn.axes = append([]int{}, axes...) }}
}
