package layers

import (
	"fmt"
	"slices"

	"github.com/kerago/kerago/keras"
)

// Call applies the layer and returns its output: Call(query, value), Call(query, value, key),
// or Call(query, value, key, attentionMask) for Keras's
// layer(query, value, key, attention_mask=attentionMask) (pass the value as the key when
// there is no separate key). The attention mask is (batch, T, S) for query steps T and key
// steps S: a query step attends to a key step where it is nonzero (Keras casts it to bool),
// combined with the inputs' masks and UseCausalMask. A dimension of 1 is broadcast, as in
// Keras: (batch, 1, S) masks key steps for every query step. With other attention axes it is
// (batch, other axes..., query's attention axes..., key's attention axes...).
func (l *MultiHeadAttentionLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// CallAll is Call returning all the layer's outputs: the output and, with
// ReturnAttentionScores, the attention weights after the softmax (before dropout), of shape
// (batch, heads, T, S), as Keras's return_attention_scores=True returns them.
func (l *MultiHeadAttentionLayer) CallAll(inputs ...*keras.Tensor) []*keras.Tensor {
	return keras.Call(l, inputs...)
}

// PositionalInputs reports that Keras takes query, value and key as separate arguments.
func (l *MultiHeadAttentionLayer) PositionalInputs() []string {
	return []string{"query", "value", "key"}
}

// SplitInputs returns a call's query, value and key (left out when it is the value) as
// Keras's positional arguments and its attention mask, if any, as the attention_mask keyword.
func (l *MultiHeadAttentionLayer) SplitInputs(in []*keras.Tensor) ([]*keras.Tensor, map[string]*keras.Tensor) {
	if len(in) != 4 {
		return in, nil
	}
	args := in[:3:3]
	if in[2] == in[1] {
		args = in[:2:2]
	}
	return args, map[string]*keras.Tensor{"attention_mask": in[3]}
}

// JoinInputs returns the inputs of a saved call: query, value, key and attention mask, each
// a positional argument or a keyword one (Keras writes layer(q, v, attention_mask=m) with the
// mask a keyword, and may write any of them as one).
func (l *MultiHeadAttentionLayer) JoinInputs(args []*keras.Tensor, kwargs map[string]*keras.Tensor) ([]*keras.Tensor, error) {
	names := []string{"query", "value", "key", "attention_mask"}
	if len(args) > 3 {
		return nil, fmt.Errorf("MultiHeadAttention takes up to 3 positional inputs (query, value, key), got %d", len(args))
	}
	in := make([]*keras.Tensor, 4)
	copy(in, args)
	for k, t := range kwargs {
		i := slices.Index(names, k)
		if i < 0 {
			return nil, fmt.Errorf("call argument %q is a tensor: MultiHeadAttention takes query, value, key and attention_mask", k)
		}
		if in[i] != nil {
			return nil, fmt.Errorf("call argument %q is given twice", k)
		}
		in[i] = t
	}
	if in[0] == nil || in[1] == nil {
		return nil, fmt.Errorf("MultiHeadAttention needs query and value, the call has %d positional inputs and keywords %v", len(args), keys(kwargs))
	}
	switch {
	case in[3] != nil && in[2] == nil:
		in[2] = in[1] // the key defaults to the value
	case in[3] == nil && in[2] == nil:
		in = in[:2]
	case in[3] == nil:
		in = in[:3]
	}
	return in, nil
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// CallKeywords returns use_causal_mask and return_attention_scores when they are set, as
// Keras records the call arguments.
func (l *MultiHeadAttentionLayer) CallKeywords() map[string]any {
	return attentionCallKeywords(l.causal, l.scores)
}

// SetCallKeyword takes use_causal_mask and return_attention_scores from a saved call; other
// keywords are not taken (query_mask, value_mask and key_mask come from the inputs' masks).
func (l *MultiHeadAttentionLayer) SetCallKeyword(name string, v any) (bool, error) {
	return setAttentionCallKeyword(l, name, v, &l.causal, &l.scores)
}

// mhaLayout is how a call's inputs are laid out: their shapes and the query's axes attended
// over (attn) and the other steps axes (other), which act as batch axes.
type mhaLayout struct {
	q, v, k, mask keras.Shape // mask nil without an attention mask input
	attn, other   []int
}

// perm returns the axes of a (batch, steps..., features) input in the order (batch, other
// axes..., attention axes..., features), or nil when that is their order already.
func (a mhaLayout) perm() []int {
	p := append(append(append([]int{0}, a.other...), a.attn...), a.q.Rank()-1)
	for i, x := range p {
		if x != i {
			return p
		}
	}
	return nil
}

// scores returns the attention weights' shape, as Keras's einsum lays them out: (batch,
// other axes..., heads, query's attention axes..., key's attention axes...).
func (a mhaLayout) scores(heads int) keras.Shape {
	s := keras.Shape{a.q[0]}
	for _, i := range a.other {
		s = append(s, a.q[i])
	}
	s = append(s, heads)
	for _, i := range a.attn {
		s = append(s, a.q[i])
	}
	for _, i := range a.attn {
		s = append(s, a.v[i])
	}
	return s
}

// inputs lays out query, value, key and the attention mask's shapes, checking there are two
// to four of them, the three of rank ≥ 3 with known features, value and key agreeing on their
// steps, the other axes agreeing between query and value, and the mask's shape.
func (l *MultiHeadAttentionLayer) inputs(in []keras.Shape) (mhaLayout, error) {
	var a mhaLayout
	if len(in) < 2 || len(in) > 4 {
		return a, keras.ShapeError("expects query and value, query, value and key, or query, value, key and attention mask: got %d inputs", len(in))
	}
	a.q, a.v, a.k = in[0], in[1], in[1]
	if len(in) >= 3 {
		a.k = in[2]
	}
	for i, s := range []keras.Shape{a.q, a.v, a.k} {
		if s.Rank() < 3 || s.Last() <= 0 {
			return a, keras.ShapeError("%s has shape %v, want (batch, steps..., features) with known features", [...]string{"query", "value", "key"}[i], s)
		}
	}
	if !keras.Shape(a.v[1 : a.v.Rank()-1]).Compatible(a.k[1 : a.k.Rank()-1]) {
		return a, keras.ShapeError("value %v and key %v must have the same steps", a.v, a.k)
	}
	if a.q.Rank() != a.v.Rank() {
		return a, keras.ShapeError("query %v and value %v must have one rank", a.q, a.v)
	}
	if l.causal && a.q.Rank() != 3 {
		// Keras builds its causal mask from the first steps axis only, which fails on
		// these inputs
		return a, keras.ShapeError("UseCausalMask takes a query of rank 3 (batch, steps, features), got %v", a.q)
	}
	var err error
	if a.attn, err = l.axes(a.q.Rank()); err != nil {
		return a, err
	}
	for i := 1; i < a.q.Rank()-1; i++ {
		if !slices.Contains(a.attn, i) {
			a.other = append(a.other, i)
			if !(keras.Shape{a.q[i]}).Compatible(keras.Shape{a.v[i]}) {
				return a, keras.ShapeError("query %v and value %v differ on axis %d, which is not an attention axis (attention_axes %v)", a.q, a.v, i, a.attn)
			}
		}
	}
	if len(in) == 4 {
		a.mask = in[3]
		want := a.maskShape(l.numHeads)
		ok := a.mask.Rank() == want.Rank()
		for i := 1; ok && i < want.Rank(); i++ {
			ok = a.mask[i] == 1 || (keras.Shape{a.mask[i]}).Compatible(keras.Shape{want[i]})
		}
		if !ok {
			return a, keras.ShapeError("attention mask has shape %v, want %v (batch, query steps, key steps), or 1 for steps it is the same for", a.mask, want)
		}
	}
	return a, nil
}

// maskShape returns the shape of a full attention mask: the scores' without the heads.
func (a mhaLayout) maskShape(heads int) keras.Shape {
	s := a.scores(heads)
	return append(s[:len(a.other)+1:len(a.other)+1], s[len(a.other)+2:]...)
}

// axes returns the query's axes attended over, between the batch and the features, for a
// query of the given rank: Keras's default, every one of them, or the config's
// attention_axes, a negative one counted as Keras counts it (from the end of the projected
// query, (batch, steps..., heads, key_dim)).
func (l *MultiHeadAttentionLayer) axes(rank int) ([]int, error) {
	if l.attentionAxes == nil {
		return axesRange(1, rank-1), nil
	}
	out := make([]int, len(l.attentionAxes))
	for i, a := range l.attentionAxes {
		if a < 0 {
			a += rank // Keras: (rank of the projected query − 1) + axis
		}
		if a < 1 || a > rank-2 || (i > 0 && a <= out[i-1]) {
			return nil, keras.ShapeError("attention_axes %v: want increasing axes between the batch and the features of the query, of rank %d (1 to %d)", l.attentionAxes, rank, rank-2)
		}
		out[i] = a
	}
	if len(out) == 0 {
		return nil, keras.ShapeError("attention_axes is empty")
	}
	return out, nil
}

func axesRange(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}
