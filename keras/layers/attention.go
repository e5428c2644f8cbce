package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// AttentionLayer is Keras's Attention, dot-product (Luong-style) attention without
// projections: every query step's weights over the key steps are the softmax of its scores
// with them, and the output is the weighted sum of the value steps. Call it as Keras's
// layer([query, value]) or layer([query, value, key]): Call(query, value) or Call(query,
// value, key); the key defaults to the value.
//
// The scores are q·k ("dot", times a learned scalar scale with UseScale), or, with
// ScoreMode("concat"), concat_score_weight·Σ tanh(scale·(q + k)) over the features, as
// Keras computes them. The value's mask (from Embedding with MaskZero) keeps masked value
// steps out; the query's mask zeroes masked query steps of the output and is the output's
// mask; UseCausalMask lets step t attend to steps ≤ t only. ReturnAttentionScores adds
// Keras's second output, the attention weights (see [AttentionLayer.CallAll]).
//
// # Input shape
//
// query (batch, Tq, dim), value (batch, Tv, dim'), key (batch, Tv, dim). # Output shape:
// (batch, Tq, dim').
type AttentionLayer struct {
	keras.LayerBase
	class       string // "Attention" or "AdditiveAttention"
	useScale    bool
	scoreMode   string
	dropout     float64
	causal      bool
	scores      bool            // ReturnAttentionScores
	scale       *keras.Variable // () for Attention, (dim) for AdditiveAttention
	concatScore *keras.Variable // ()
}

var (
	_ keras.Layer        = (*AttentionLayer)(nil)
	_ keras.CallKeywords = (*AttentionLayer)(nil)
)

// AttentionLayerOption is an option Attention and AdditiveAttention take: UseScale,
// ScoreMode (Attention only), AttentionDropout, UseCausalMask, ReturnAttentionScores and the
// common options.
type AttentionLayerOption interface {
	applier
	attention()
}

func (AttentionOption) attention() {}
func (CommonOption) attention()    {}

// UseScale makes Attention learn a scalar that multiplies the scores (Keras's use_scale,
// default false), and AdditiveAttention a vector over the features (default true).
func UseScale(b bool) AttentionOption {
	return AttentionOption{func(o *options) { o.mark("UseScale"); o.attn.useScale = b }}
}

// ScoreMode sets how Attention scores a query step against a key step: "dot" (Keras's
// default) or "concat".
func ScoreMode(mode string) AttentionOption {
	return AttentionOption{func(o *options) { o.mark("ScoreMode"); o.attn.scoreMode = mode }}
}

// Attention returns a dot-product attention layer. Options: UseScale (default false),
// ScoreMode (default "dot"), AttentionDropout (default 0), UseCausalMask (default false),
// ReturnAttentionScores (default false), Name, Trainable, DType.
func Attention(opts ...AttentionLayerOption) *AttentionLayer {
	o := newOptions(opts)
	l := &AttentionLayer{class: "Attention", useScale: o.attn.useScale, scoreMode: o.attn.scoreMode,
		dropout: o.attn.dropout, causal: o.attn.causal, scores: o.attn.scores}
	if l.scoreMode == "" {
		l.scoreMode = "dot"
	}
	return l.made(o)
}

// attentionKeys is Attention's Keras config; seed is written as null and read and ignored
// (dropout draws from the fit loop's source, keras.SetRandomSeed).
var attentionKeys = configKeys[AttentionLayer]{
	boolKey("use_scale", func(l *AttentionLayer) *bool { return &l.useScale }, false),
	stringKey("score_mode", func(l *AttentionLayer) *string { return &l.scoreMode }, "dot"),
	floatKey("dropout", func(l *AttentionLayer) *float64 { return &l.dropout }, 0),
	{name: "seed", write: func(*AttentionLayer) any { return nil }, read: func(*configReader, string, *AttentionLayer) {}},
}

func init() {
	registerLayer("Attention", attentionKeys, func(l *AttentionLayer, o *options) keras.Layer {
		l.class = "Attention"
		return l.made(o)
	})
}

// made names the layer and checks its arguments, given to the constructor or read from a
// saved config.
func (l *AttentionLayer) made(o *options) *AttentionLayer {
	initBase(&l.LayerBase, l.class, o)
	for _, name := range []string{"ValueDim", "OutputShape", "AttentionAxes"} {
		if o.set[name] { // MultiHeadAttention's options
			l.SetErr(fmt.Errorf("%w: %s takes no %s (MultiHeadAttention does)", keras.ErrInvalidArgument, l.class, name))
		}
	}
	if l.scoreMode != "dot" && l.scoreMode != "concat" {
		l.SetErr(fmt.Errorf("%w: score_mode must be \"dot\" or \"concat\", got %q", keras.ErrInvalidArgument, l.scoreMode))
	}
	if !(l.dropout >= 0 && l.dropout < 1) {
		l.SetErr(fmt.Errorf("%w: dropout must be in [0, 1), got %v", keras.ErrInvalidArgument, l.dropout))
	}
	return l
}

// Call applies the layer to query and value, or to query, value and key, and returns its
// output.
func (l *AttentionLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// CallAll is Call returning all the layer's outputs: the output and, with
// ReturnAttentionScores, the attention weights (batch, Tq, Tv) after the softmax and
// dropout, as Keras's return_attention_scores=True returns them.
func (l *AttentionLayer) CallAll(inputs ...*keras.Tensor) []*keras.Tensor {
	return keras.Call(l, inputs...)
}

// ClassName returns "Attention" or "AdditiveAttention".
func (l *AttentionLayer) ClassName() string { return l.class }

// SupportsMasking reports that the layer reads its inputs' masks (see [AttentionLayer]).
func (l *AttentionLayer) SupportsMasking() bool { return true }

// CallKeywords returns use_causal_mask and return_attention_scores when they are set, as
// Keras records the call arguments.
func (l *AttentionLayer) CallKeywords() map[string]any {
	return attentionCallKeywords(l.causal, l.scores)
}

// SetCallKeyword takes use_causal_mask and return_attention_scores from a saved call.
func (l *AttentionLayer) SetCallKeyword(name string, v any) (bool, error) {
	return setAttentionCallKeyword(l, name, v, &l.causal, &l.scores)
}

// check checks for query, value and optionally key, each (batch, steps, features) with
// known features, the key of the query's features and the value's steps.
func (l *AttentionLayer) check(in []keras.Shape) error {
	if len(in) != 2 && len(in) != 3 {
		return keras.ShapeError("expects query and value, or query, value and key: got %d inputs", len(in))
	}
	for i, s := range in {
		if s.Rank() != 3 || s.Last() <= 0 {
			return keras.ShapeError("%s has shape %v, want (batch, steps, features) with known features", [...]string{"query", "value", "key"}[i], s)
		}
	}
	q, v, k := in[0], in[1], in[1]
	if len(in) == 3 {
		k = in[2]
	}
	if k.Last() != q.Last() {
		return keras.ShapeError("the key has %d features, the query %d: they must be equal", k.Last(), q.Last())
	}
	if !(keras.Shape{k[1]}).Compatible(keras.Shape{v[1]}) {
		return keras.ShapeError("the key has %d steps, the value %d: they must be equal", k[1], v[1])
	}
	if l.scale != nil && l.scale.Shape().Rank() == 1 && l.scale.Shape()[0] != q.Last() {
		return keras.ShapeError("the query has %d features, the layer was built for %d", q.Last(), l.scale.Shape()[0])
	}
	return nil
}

// Build creates Keras's weights: Attention's scalar scale (UseScale) and, in "concat" mode,
// concat_score_weight; AdditiveAttention's scale of the query's features (UseScale).
func (l *AttentionLayer) Build(in []keras.Shape) error {
	if err := l.check(in); err != nil {
		return err
	}
	var err error
	if l.useScale {
		if l.class == "AdditiveAttention" {
			l.scale, err = l.AddWeightInit("scale", keras.Shape{in[0].Last()}, initializers.GlorotUniform(), true)
		} else {
			l.scale, err = l.AddWeightInit("scale", keras.Shape{}, initializers.Ones(), true)
		}
		if err != nil {
			return err
		}
	}
	if l.class == "Attention" && l.scoreMode == "concat" {
		l.concatScore, err = l.AddWeightInit("concat_score_weight", keras.Shape{}, initializers.Ones(), true)
	}
	return err
}

// OutputShapes returns (batch, Tq, the value's features), then with ReturnAttentionScores
// the weights' shape (batch, Tq, Tv).
func (l *AttentionLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := l.check(in); err != nil {
		return nil, err
	}
	out := []keras.Shape{{in[0][0], in[0][1], in[1].Last()}}
	if l.scores {
		out = append(out, keras.Shape{in[0][0], in[0][1], in[1][1]})
	}
	return out, nil
}

// Forward scores, masks, weighs and sums (see [AttentionLayer]).
func (l *AttentionLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	query, value, key := in[0], in[1], in[1]
	if len(in) == 3 {
		key = in[2]
	}
	b, tq, tv := query.Shape()[0], query.Shape()[1], value.Shape()[1]
	d, dv := query.Shape()[2], value.Shape()[2]
	var scores *G.Node // (batch, 1, Tq, Tv): one head, for the attention ops
	if l.class == "Attention" && l.scoreMode == "dot" {
		q4, k4 := o.Reshape(query, b, tq, 1, d), o.Reshape(key, b, tv, 1, d)
		if o.Err() != nil {
			return nil, o.Err()
		}
		s, err := internalops.AttentionScores(q4, k4)
		if err != nil {
			return nil, err
		}
		scores = l.times(o, s, l.scale)
	} else {
		// q + k for every pair of steps, (batch, Tq, Tv, dim)
		sum := o.Add(o.Tile(o.Reshape(query, b, tq, 1, d), 2, tv), o.Tile(o.Reshape(key, b, 1, tv, d), 1, tq))
		switch {
		case l.class == "AdditiveAttention" && l.scale != nil:
			sum = o.Mul(o.Tanh(sum), o.Var(l.scale)) // Σ scale·tanh(q + k)
		case l.scale != nil:
			sum = o.Tanh(l.times(o, sum, l.scale)) // Σ tanh(scale·(q + k))
		default:
			sum = o.Tanh(sum)
		}
		scores = o.Reshape(l.times(o, o.SumLast(sum), l.concatScore), b, 1, tq, tv)
	}
	if o.Err() != nil {
		return nil, o.Err()
	}
	vm, qm := ctx.Mask(value), ctx.Mask(query)
	if mask, err := l.scoresMask(ctx, o, vm, b, tq, tv); err != nil {
		return nil, err
	} else if mask != nil {
		scores = o.Add(scores, o.Scale(o.Shift(mask, -1), 1e9)) // Keras: scores − 1e9 where masked
	}
	weights := o.Dropout(o.Softmax(scores), l.dropout, l.Name()+"/attention_dropout")
	if o.Err() != nil {
		return nil, o.Err()
	}
	v4 := o.Reshape(value, b, tv, 1, dv)
	if o.Err() != nil {
		return nil, o.Err()
	}
	out, err := internalops.AttentionCombine(weights, v4)
	if err != nil {
		return nil, err
	}
	y := o.Reshape(out, b, tq, dv)
	if qm != nil {
		y = o.Mul(y, o.BroadcastLast(o.Reshape(qm, b, tq, 1), dv))
	}
	if o.Err() != nil {
		return nil, o.Err()
	}
	outs := []*G.Node{y}
	if l.scores {
		outs = append(outs, o.Reshape(weights, b, tq, tv))
	}
	if o.Err() != nil {
		return nil, o.Err()
	}
	if qm != nil {
		ctx.SetMask(y, qm)
	}
	return outs, nil
}

// times returns x times the scalar weight w, or x when w is nil.
func (l *AttentionLayer) times(o *ops.Builder, x *G.Node, w *keras.Variable) *G.Node {
	if w == nil || x == nil {
		return x
	}
	s := x.Shape().Clone()
	return o.Reshape(o.MatMul(o.Reshape(x, s.TotalSize(), 1), o.Reshape(o.Var(w), 1, 1)), s...)
}

// scoresMask returns the (batch, 1, Tq, Tv) or (Tq, Tv) mask of the scores, 1 where a query
// step may attend to a value step: the value's mask and, with UseCausalMask, steps ≤ the
// query's; nil when every pair may.
func (l *AttentionLayer) scoresMask(ctx *keras.Context, o *ops.Builder, vm *G.Node, b, tq, tv int) (*G.Node, error) {
	var causal *G.Node
	if l.causal {
		vals := make([]float64, tq*tv)
		for i := 0; i < tq; i++ {
			for j := 0; j <= i && j < tv; j++ {
				vals[i*tv+j] = 1
			}
		}
		causal = constantIn(ctx, fmt.Sprintf("%s/causal_mask_%dx%d", l.Name(), tq, tv), vals, tq, tv)
	}
	if vm == nil {
		return causal, nil
	}
	ones := make([]float64, b*tq)
	for i := range ones {
		ones[i] = 1
	}
	// every query step's copy of the value's mask, through the scores op
	if vm.Dtype() != ctx.FloatDType() {
		return nil, fmt.Errorf("%w: a mask of dtype %v", keras.ErrInternal, vm.Dtype())
	}
	v4 := o.Reshape(vm, b, tv, 1, 1)
	if o.Err() != nil {
		return nil, o.Err()
	}
	m, err := internalops.AttentionScores(constantIn(ctx, fmt.Sprintf("%s/ones_%dx%d", l.Name(), b, tq), ones, b, tq, 1, 1), v4)
	if err != nil {
		return nil, err
	}
	if causal != nil {
		m = o.Mul(m, causal)
	}
	return m, o.Err()
}

// Config returns Keras 3's Attention or AdditiveAttention config.
func (l *AttentionLayer) Config() map[string]any {
	if l.class == "AdditiveAttention" {
		return additiveAttentionKeys.config(l)
	}
	return attentionKeys.config(l)
}
