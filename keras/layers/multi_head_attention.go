package layers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// MultiHeadAttentionLayer is Keras's MultiHeadAttention: the query, key and value are each
// projected to numHeads heads (query and key of keyDim features, value of valueDim), every
// query position attends to every key position of its head with weights
// softmax(q·k/√keyDim), and the heads' weighted values are projected back to the query's
// last dimension (or OutputShape). Call it as Keras's layer(query, value) or
// layer(query, value, key); the key defaults to the value.
//
// The weights are Keras's, in its shapes and order: the query, key and value kernels
// (features, heads, keyDim or valueDim) each with its bias (heads, keyDim or valueDim), then
// the output kernel (heads, valueDim, output...) and bias (output...), saved under
// query_dense, key_dense, value_dense and output_dense as Keras saves its EinsumDense
// sublayers, so Keras's files load.
//
// Masks: the query's, the value's and a separate key's masks (from Embedding with MaskZero)
// keep masked positions out of the attention, as Keras's query_mask, value_mask and key_mask;
// the output carries the query's mask. An explicit attention mask, Keras's attention_mask call argument, is a
// fourth input (see [MultiHeadAttentionLayer.Call]); UseCausalMask adds the causal mask; all
// of them are combined (and), as Keras combines them. A query step masked whole attends
// uniformly to every key step on Keras's fused path (3-D inputs, no dropout, no returned
// scores) and to none elsewhere, as in Keras.
//
// ReturnAttentionScores adds Keras's second output, the attention weights (see
// [MultiHeadAttentionLayer.CallAll]). AttentionAxes, Keras's attention_axes (Keras's 2-D
// attention, (1, 2) on (batch, rows, columns, features), or (2,) to attend along the columns
// of each row) picks the steps axes attended over; the others count as batch axes. Keras's
// use_gate and sliding_window are not supported.
//
// # Input shape
//
// query (batch, steps..., features), value and key (batch, steps'..., features'). # Output
// shape: (batch, steps..., output features).
type MultiHeadAttentionLayer struct {
	keras.LayerBase
	numHeads, keyDim, valueDim int
	outputShape                []int
	attentionAxes              []int // as read from a config; nil for Keras's default
	dropout                    float64
	useBias, causal, scores    bool
	activation                 string // refused: MultiHeadAttention has none
	kernelInit, biasInit       initializers.Initializer

	qKernel, qBias, kKernel, kBias, vKernel, vBias, oKernel, oBias *keras.Variable
}

var (
	_ keras.Layer            = (*MultiHeadAttentionLayer)(nil)
	_ keras.WeightOwners     = (*MultiHeadAttentionLayer)(nil)
	_ keras.CallKeywords     = (*MultiHeadAttentionLayer)(nil)
	_ keras.PositionalInputs = (*MultiHeadAttentionLayer)(nil)
	_ keras.KeywordInputs    = (*MultiHeadAttentionLayer)(nil)
	_ keras.IntegerInputAt   = (*MultiHeadAttentionLayer)(nil)
)

// MultiHeadAttention returns a multi-head attention layer of numHeads heads whose query and
// key heads have keyDim features. Options: ValueDim (default keyDim), OutputShape (default
// the query's last dimension), AttentionDropout (default 0), UseCausalMask (default false),
// ReturnAttentionScores (default false), AttentionAxes (default every steps axis), UseBias
// (default true), KernelInitializer (default "glorot_uniform"), BiasInitializer
// (default "zeros"), Name, Trainable, DType.
func MultiHeadAttention(numHeads, keyDim int, opts ...MultiHeadAttentionOption) *MultiHeadAttentionLayer {
	o := newOptions(opts)
	l := &MultiHeadAttentionLayer{numHeads: numHeads, keyDim: keyDim, valueDim: o.attn.valueDim,
		outputShape: o.attn.outputShape, dropout: o.attn.dropout, causal: o.attn.causal,
		scores: o.attn.scores, attentionAxes: o.attn.axes, useBias: o.useBias, activation: o.activation}
	if l.valueDim == 0 && !o.set["ValueDim"] {
		l.valueDim = keyDim
	}
	l.kernelInit = resolveInit(&l.LayerBase, "KernelInitializer", o.kernelInitializer)
	l.biasInit = resolveInit(&l.LayerBase, "BiasInitializer", o.biasInitializer)
	return l.made(o)
}

// mhaKeys is MultiHeadAttention's Keras config. use_gate and sliding_window must keep their
// defaults; seed is written as null and read and ignored (dropout draws from the fit loop's
// source, keras.SetRandomSeed).
var mhaKeys = configKeys[MultiHeadAttentionLayer]{
	intKey("num_heads", func(l *MultiHeadAttentionLayer) *int { return &l.numHeads }, 0).req(),
	intKey("key_dim", func(l *MultiHeadAttentionLayer) *int { return &l.keyDim }, 0).req(),
	{name: "value_dim",
		write: func(l *MultiHeadAttentionLayer) any { return l.valueDim },
		read:  func(r *configReader, key string, l *MultiHeadAttentionLayer) { l.valueDim = r.int(key, 0, false) },
		unset: func(l *MultiHeadAttentionLayer) { l.valueDim = -1 }}, // made: key_dim
	floatKey("dropout", func(l *MultiHeadAttentionLayer) *float64 { return &l.dropout }, 0),
	boolKey("use_bias", func(l *MultiHeadAttentionLayer) *bool { return &l.useBias }, true),
	{name: "use_gate",
		write: func(*MultiHeadAttentionLayer) any { return false },
		read: func(r *configReader, key string, _ *MultiHeadAttentionLayer) {
			if b, _ := r.cfg[key].(bool); b {
				r.fail("%s=true is not supported", key)
			}
		}},
	{name: "output_shape", // null, an int or a list
		write: func(l *MultiHeadAttentionLayer) any {
			if l.outputShape == nil {
				return nil
			}
			return intsKey("", func(l *MultiHeadAttentionLayer) *[]int { return &l.outputShape }).write(l)
		},
		read:  func(r *configReader, key string, l *MultiHeadAttentionLayer) { l.outputShape = r.ints(key, 0) },
		unset: func(l *MultiHeadAttentionLayer) { l.outputShape = nil }},
	{name: "attention_axes", // null, an int or a list; checked against the query in Build
		write: func(l *MultiHeadAttentionLayer) any {
			if l.attentionAxes == nil {
				return nil
			}
			return intsKey("", func(l *MultiHeadAttentionLayer) *[]int { return &l.attentionAxes }).write(l)
		},
		read:  func(r *configReader, key string, l *MultiHeadAttentionLayer) { l.attentionAxes = r.ints(key, 0) },
		unset: func(l *MultiHeadAttentionLayer) { l.attentionAxes = nil }},
	{name: "sliding_window",
		write: func(*MultiHeadAttentionLayer) any { return nil },
		read: func(r *configReader, key string, _ *MultiHeadAttentionLayer) {
			r.fail("%s=%v is not supported (only null)", key, r.cfg[key])
		}},
	initializerKey("kernel_initializer", func(l *MultiHeadAttentionLayer) *initializers.Initializer { return &l.kernelInit }, initializers.GlorotUniform),
	initializerKey("bias_initializer", func(l *MultiHeadAttentionLayer) *initializers.Initializer { return &l.biasInit }, initializers.Zeros),
	nullKey[MultiHeadAttentionLayer]("kernel_regularizer"),
	nullKey[MultiHeadAttentionLayer]("bias_regularizer"),
	nullKey[MultiHeadAttentionLayer]("activity_regularizer"),
	nullKey[MultiHeadAttentionLayer]("kernel_constraint"),
	nullKey[MultiHeadAttentionLayer]("bias_constraint"),
	{name: "seed",
		write: func(*MultiHeadAttentionLayer) any { return nil },
		read:  func(*configReader, string, *MultiHeadAttentionLayer) {}},
}

func init() {
	registerLayer("MultiHeadAttention", mhaKeys, func(l *MultiHeadAttentionLayer, o *options) keras.Layer {
		if l.valueDim < 0 {
			l.valueDim = l.keyDim // Keras: value_dim null or absent is key_dim
		}
		return l.made(o)
	})
}

// made names the layer and checks its arguments, given to MultiHeadAttention or read from a
// saved config.
func (l *MultiHeadAttentionLayer) made(o *options) *MultiHeadAttentionLayer {
	initBase(&l.LayerBase, "MultiHeadAttention", o)
	bad := func(format string, args ...any) {
		l.SetErr(fmt.Errorf("%w: "+format, append([]any{keras.ErrInvalidArgument}, args...)...))
	}
	if l.numHeads <= 0 || l.numHeads > MaxConfigInt {
		bad("num_heads must be a positive integer, got %d", l.numHeads)
	}
	if l.keyDim <= 0 || l.keyDim > MaxConfigInt {
		bad("key_dim must be a positive integer, got %d", l.keyDim)
	}
	if l.valueDim <= 0 || l.valueDim > MaxConfigInt {
		bad("value_dim must be a positive integer, got %d", l.valueDim)
	}
	for _, d := range l.outputShape {
		if d <= 0 || d > MaxConfigInt {
			bad("output_shape %v: every dimension must be positive", l.outputShape)
			break
		}
	}
	if o.set["AttentionAxes"] && len(l.attentionAxes) == 0 {
		bad("AttentionAxes needs at least one axis")
	}
	if o.set["OutputShape"] && len(l.outputShape) == 0 {
		bad("OutputShape needs at least one dimension")
	}
	if !(l.dropout >= 0 && l.dropout < 1) {
		bad("dropout must be in [0, 1), got %v", l.dropout)
	}
	if l.activation != "" && l.activation != "linear" {
		bad("MultiHeadAttention takes no activation, got Activation(%q)", l.activation)
	}
	return l
}

// ClassName returns "MultiHeadAttention".
func (l *MultiHeadAttentionLayer) ClassName() string { return "MultiHeadAttention" }

// SupportsMasking reports that the layer reads its inputs' masks (see
// [MultiHeadAttentionLayer]).
func (l *MultiHeadAttentionLayer) SupportsMasking() bool { return true }

// TakesIntegerInput reports that the attention mask, input 3 of 4, may be integers (Keras
// models declare it int32 or bool); the query, value and key may not.
func (l *MultiHeadAttentionLayer) TakesIntegerInput(i, n int) bool { return n == 4 && i == 3 }

// WeightOwners reports that Keras saves the weights under the layer's four EinsumDense
// sublayers.
func (l *MultiHeadAttentionLayer) WeightOwners() []string {
	var out []string
	for _, w := range []struct {
		v     *keras.Variable
		owner string
	}{{l.qKernel, "query_dense"}, {l.qBias, "query_dense"}, {l.kKernel, "key_dense"}, {l.kBias, "key_dense"},
		{l.vKernel, "value_dense"}, {l.vBias, "value_dense"}, {l.oKernel, "output_dense"}, {l.oBias, "output_dense"}} {
		if w.v != nil {
			out = append(out, w.owner)
		}
	}
	return out
}

// outDims returns each output position's shape: OutputShape, or the query's features.
func (l *MultiHeadAttentionLayer) outDims(q keras.Shape) keras.Shape {
	if l.outputShape != nil {
		return keras.Shape(l.outputShape).Clone()
	}
	return keras.Shape{q.Last()}
}

// Build creates the query, key, value and output kernels and biases in Keras's order, named
// by their Keras paths below the layer ("mha/query/kernel").
func (l *MultiHeadAttentionLayer) Build(in []keras.Shape) error {
	lay, err := l.inputs(in)
	if err != nil {
		return err
	}
	q, v, k := lay.q, lay.v, lay.k
	h, out := l.numHeads, l.outDims(q)
	add := func(name string, shape keras.Shape, in int, init initializers.Initializer) (*keras.Variable, error) {
		if in > 0 { // Keras's EinsumDense gives glorot the fans of the contraction
			init = einsumInit{init: init, in: in}
		}
		return l.AddWeightInit(name, shape, init, true)
	}
	type weight struct {
		dst    **keras.Variable
		name   string
		shape  keras.Shape
		in     int
		isBias bool
	}
	ws := []weight{
		{dst: &l.qKernel, name: "query/kernel", shape: keras.Shape{q.Last(), h, l.keyDim}, in: q.Last()},
		{dst: &l.qBias, name: "query/bias", shape: keras.Shape{h, l.keyDim}, isBias: true},
		{dst: &l.kKernel, name: "key/kernel", shape: keras.Shape{k.Last(), h, l.keyDim}, in: k.Last()},
		{dst: &l.kBias, name: "key/bias", shape: keras.Shape{h, l.keyDim}, isBias: true},
		{dst: &l.vKernel, name: "value/kernel", shape: keras.Shape{v.Last(), h, l.valueDim}, in: v.Last()},
		{dst: &l.vBias, name: "value/bias", shape: keras.Shape{h, l.valueDim}, isBias: true},
		{dst: &l.oKernel, name: "attention_output/kernel", shape: append(keras.Shape{h, l.valueDim}, out...), in: h * l.valueDim},
		{dst: &l.oBias, name: "attention_output/bias", shape: out, isBias: true},
	}
	for _, w := range ws {
		if w.isBias {
			if !l.useBias {
				continue
			}
			*w.dst, err = add(w.name, w.shape, 0, l.biasInit)
		} else {
			*w.dst, err = add(w.name, w.shape, w.in, l.kernelInit)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// OutputShapes returns the query's shape with its features replaced by the output's, then
// with ReturnAttentionScores the attention weights' shape (see
// [MultiHeadAttentionLayer.CallAll]).
func (l *MultiHeadAttentionLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	lay, err := l.inputs(in)
	if err != nil {
		return nil, err
	}
	if l.qKernel != nil {
		for i, c := range []struct {
			s keras.Shape
			w *keras.Variable
		}{{lay.q, l.qKernel}, {lay.v, l.vKernel}, {lay.k, l.kKernel}} {
			if c.s.Last() != c.w.Shape()[0] {
				return nil, keras.ShapeError("%s has %d features, the layer was built for %d", [...]string{"query", "value", "key"}[i], c.s.Last(), c.w.Shape()[0])
			}
		}
	}
	q := lay.q
	out := []keras.Shape{append(q[:q.Rank()-1].Clone(), l.outDims(q)...)}
	if l.scores {
		out = append(out, lay.scores(l.numHeads))
	}
	return out, nil
}

// Forward projects the heads, attends and projects back (see [MultiHeadAttentionLayer]).
// The steps axes that are not attended over are moved next to the batch and folded into it,
// so the attention itself is always over (batch', T, S); the output is moved back.
func (l *MultiHeadAttentionLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	shapes := make([]keras.Shape, len(in))
	for i, x := range in {
		shapes[i] = keras.Shape(x.Shape().Clone())
	}
	lay, err := l.inputs(shapes)
	if err != nil {
		return nil, err
	}
	query, value, key := in[0], in[1], in[1]
	if len(in) >= 3 {
		key = in[2]
	}
	for i, x := range in[:min(len(in), 3)] {
		if x.Dtype() != ctx.FloatDType() {
			return nil, fmt.Errorf("%w: %s is %v, the layer computes in %v", // call() refuses integers
				keras.ErrDType, [...]string{"query", "value", "key"}[i], x.Dtype(), ctx.FloatDType())
		}
	}
	var explicit *G.Node
	if len(in) == 4 {
		// a mask of 1 along some steps holds for all of them: copied to the full shape
		explicit = in[3]
		if dt := explicit.Dtype(); dt != ctx.FloatDType() {
			if dt == tensor.Float32 || dt == tensor.Float64 {
				return nil, fmt.Errorf("%w: the attention mask is %v, the layer computes in %v: give the mask input the layer's dtype", keras.ErrDType, dt, ctx.FloatDType())
			}
			if explicit, err = internalops.IntMask(explicit, ctx.FloatDType()); err != nil {
				return nil, fmt.Errorf("%w: the attention mask: %w", keras.ErrDType, err)
			}
		}
		full := lay.maskShape(l.numHeads)
		for i, d := range explicit.Shape() {
			if d == 1 && full[i] != 1 {
				explicit = o.Tile(explicit, i, full[i])
			}
		}
	}
	qm, vm := ctx.Mask(query), ctx.Mask(value)
	if km := ctx.Mask(key); km != nil && key != value {
		// Keras's key_mask, ignored when the key is the value, keeps key steps out as the
		// value's mask does: the two combine
		if vm == nil {
			vm = km
		} else {
			vm = o.Mul(vm, km)
		}
	}
	if perm := lay.perm(); perm != nil {
		if key == value {
			key = nil
		} else {
			key = o.Transpose(key, perm...)
		}
		query, value = o.Transpose(query, perm...), o.Transpose(value, perm...)
		if key == nil {
			key = value
		}
		if qm != nil {
			qm = o.Transpose(qm, perm[:len(perm)-1]...)
		}
		if vm != nil {
			vm = o.Transpose(vm, perm[:len(perm)-1]...)
		}
	}
	qs, vs := lay.q, lay.v
	b := qs[0]
	for _, i := range lay.other {
		b *= qs[i]
	}
	t, s := 1, 1 // query and key steps, the attention axes flattened
	for _, i := range lay.attn {
		t, s = t*qs[i], s*vs[i]
	}
	h := l.numHeads
	// project x (batch, steps..., features) to (batch', n, heads, dim)
	project := func(x *G.Node, n int, kernel, bias *keras.Variable, dim int) *G.Node {
		if x == nil {
			return nil
		}
		f := x.Shape()[x.Dims()-1]
		y := o.MatMul(o.Reshape(x, b, n, f), o.Reshape(o.Var(kernel), f, h*dim))
		if bias != nil {
			y = o.Add(y, o.Reshape(o.Var(bias), h*dim))
		}
		return o.Reshape(y, b, n, h, dim)
	}
	q := o.Scale(project(query, t, l.qKernel, l.qBias, l.keyDim), 1/math.Sqrt(float64(l.keyDim)))
	k := project(key, s, l.kKernel, l.kBias, l.keyDim)
	v := project(value, s, l.vKernel, l.vBias, l.valueDim)
	if o.Err() != nil {
		return nil, o.Err()
	}
	scores, err := internalops.AttentionScores(q, k)
	if err != nil {
		return nil, err
	}
	mask, err := l.attentionMask(ctx, o, qm, vm, explicit, b, t, s)
	if err != nil {
		return nil, err
	}
	var weights *G.Node
	if mask == nil {
		weights = o.Softmax(scores)
	} else {
		// Masked scores become −1e9. A row masked whole (a padded query step) then has
		// uniform weights, as on Keras's fused path (the backend's dot_product_attention,
		// taken for 3-D inputs without dropout or returned scores); elsewhere Keras takes
		// its einsum path, whose masked Softmax sets that row's weights to 0.
		masked := o.Add(o.Mul(scores, mask), o.Scale(o.Shift(mask, -1), 1e9))
		weights = o.Softmax(masked)
		if l.dropout > 0 || l.scores || lay.q.Rank() != 3 {
			weights = o.Mul(weights, mask)
		}
	}
	dropped := o.Dropout(weights, l.dropout, l.Name()+"/attention_dropout")
	if o.Err() != nil {
		return nil, o.Err()
	}
	heads, err := internalops.AttentionCombine(dropped, v)
	if err != nil {
		return nil, err
	}
	outDims := keras.Shape(l.oKernel.Shape()[2:])
	y := o.MatMul(o.Reshape(heads, b, t, h*l.valueDim), o.Reshape(o.Var(l.oKernel), h*l.valueDim, outDims.Size()))
	if l.oBias != nil {
		y = o.Add(y, o.Reshape(o.Var(l.oBias), outDims.Size()))
	}
	// (batch, other axes..., attention axes..., output...), then in the query's order
	moved := []int{qs[0]}
	for _, i := range append(append([]int{}, lay.other...), lay.attn...) {
		moved = append(moved, qs[i])
	}
	y = o.Reshape(y, append(moved, outDims...)...)
	if perm := lay.perm(); perm != nil {
		back := make([]int, len(perm)-1+outDims.Rank())
		for i, p := range perm[:len(perm)-1] {
			back[p] = i
		}
		for i := len(perm) - 1; i < len(back); i++ {
			back[i] = i
		}
		y = o.Transpose(y, back...)
	}
	outs := []*G.Node{y}
	if l.scores {
		outs = append(outs, o.Reshape(weights, lay.scores(h)...))
	}
	if o.Err() != nil {
		return nil, o.Err()
	}
	if m := ctx.Mask(in[0]); m != nil {
		ctx.SetMask(y, m)
	}
	return outs, nil
}

// einsumInit initialises a kernel of shape (in..., out...) as the matrix (in, out) it
// contracts: Keras's EinsumDense gives a variance-scaling initializer (glorot_uniform) the
// fans of the contraction, fan_in the input axes and fan_out the output axes, where a plain
// kernel of rank 3 would be taken for a convolution's.
type einsumInit struct {
	init initializers.Initializer
	in   int // the product of the input axes
}

// Initialize fills t through a matrix view of its values.
func (e einsumInit) Initialize(t *tensor.Dense, rng *rand.Rand) error {
	n := t.Shape().TotalSize()
	if e.in <= 0 || n%e.in != 0 {
		return fmt.Errorf("%w: kernel %v does not contract %d input values", keras.ErrInternal, t.Shape(), e.in)
	}
	view := tensor.New(tensor.WithShape(e.in, n/e.in), tensor.WithBacking(t.Data()))
	return e.init.Initialize(view, rng)
}

// constantIn returns vals, of the given shape, as a node of ctx's graph in its float dtype
// holding the values: an input no gradient is taken of.
func constantIn(ctx *keras.Context, name string, vals []float64, shape ...int) *G.Node {
	var t *tensor.Dense
	if ctx.FloatDType() == tensor.Float32 {
		f := make([]float32, len(vals))
		for i, v := range vals {
			f[i] = float32(v)
		}
		t = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	} else {
		t = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(vals))
	}
	return G.NewTensor(ctx.Graph(), ctx.FloatDType(), len(shape), G.WithShape(shape...), G.WithValue(t), G.WithName(name))
}

// Config returns Keras 3's MultiHeadAttention config.
func (l *MultiHeadAttentionLayer) Config() map[string]any { return mhaKeys.config(l) }
