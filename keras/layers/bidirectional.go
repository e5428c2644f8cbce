package layers

import (
	"fmt"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	"strings"

	"github.com/kerago/kerago/keras"
	G "gorgonia.org/gorgonia"
)

// BidirectionalLayer runs a recurrent layer over a sequence in both directions and merges the
// two outputs, as Keras's Bidirectional wrapper does. It holds two copies of the wrapped
// layer, each with its own weights, named as Keras names them: forward_<name> (processing the
// steps in order) and backward_<name> (in reverse, its returned sequence flipped back to time
// order).
//
// # Weights
//
// The forward copy's weights, then the backward copy's, with paths
// bidirectional/forward_lstm/lstm_cell/kernel ...
//
// # Output shape
//
// The merged output: with merge mode "concat" (the default) the last axis holds both
// directions (2·units); "sum", "mul" and "ave" keep units; "none" returns the two outputs
// separately (see [BidirectionalLayer.CallAll]). With ReturnState on the wrapped layer, the
// forward copy's final states then the backward copy's follow.
type BidirectionalLayer struct {
	keras.LayerBase
	wrapped           keras.Layer // the layer given, which the two copies are made from
	forward, backward recurrentLayer
	mergeMode         string
	inputShape        keras.Shape
}

// recurrentLayer is a layer Bidirectional can wrap.
type recurrentLayer interface {
	keras.Layer
	rnn() *recurrent
}

var (
	_ keras.Layer    = (*BidirectionalLayer)(nil)
	_ recurrentLayer = (*LSTMLayer)(nil)
	_ recurrentLayer = (*GRULayer)(nil)
	_ recurrentLayer = (*SimpleRNNLayer)(nil)
)

var mergeModes = map[string]bool{"concat": true, "sum": true, "mul": true, "ave": true, "none": true}

// MergeMode sets how Bidirectional combines the two directions: "concat" (the default),
// "sum", "mul", "ave", or "none" to return both outputs.
func MergeMode(mode string) BidirectionalOption {
	return bidirectionalOnly{func(o *options) { o.mark("MergeMode"); o.mergeMode = mode }}
}

// Bidirectional wraps a recurrent layer (LSTM, GRU or SimpleRNN, not yet called) so that it
// runs over the sequence in both directions. The wrapped layer gives the configuration; the
// wrapper makes and trains two copies of it. Options: MergeMode ("concat"), Name, Trainable.
func Bidirectional(layer keras.Layer, opts ...BidirectionalOption) *BidirectionalLayer {
	o := newOptions(opts)
	l := &BidirectionalLayer{mergeMode: "concat", wrapped: layer}
	if o.set["MergeMode"] {
		l.mergeMode = o.mergeMode
	}
	return l.made(o)
}

// bidirectionalKeys is Bidirectional's Keras config: the merge mode (null for "none") and the
// two copies; the forward copy is the layer rebuilt and wrapped again on loading.
var bidirectionalKeys = configKeys[BidirectionalLayer]{
	{name: "merge_mode", null: true,
		write: func(l *BidirectionalLayer) any {
			if l.mergeMode == "none" {
				return nil
			}
			return l.mergeMode
		},
		read: func(r *configReader, key string, l *BidirectionalLayer) {
			switch m := r.cfg[key].(type) {
			case nil:
				l.mergeMode = "none"
			case string:
				l.mergeMode = m
			default:
				r.fail("merge_mode is %T", m)
			}
		},
		unset: func(l *BidirectionalLayer) { l.mergeMode = "concat" }},
	configKey[BidirectionalLayer]{name: "layer", null: true, // a null layer is refused as not a dict
		write: func(l *BidirectionalLayer) any { return l.serialize(l.forward) },
		read:  readWrapped}.req(),
	writeKey("backward_layer", func(l *BidirectionalLayer) any { return l.serialize(l.backward) }),
}

func init() {
	registerLayer("Bidirectional", bidirectionalKeys, func(l *BidirectionalLayer, o *options) keras.Layer { return l.made(o) })
}

// readWrapped rebuilds the wrapped layer from the forward copy Keras saved (named
// forward_<name>), under the original name so that the copies keep their names.
func readWrapped(r *configReader, key string, l *BidirectionalLayer) {
	entry, ok := r.cfg[key].(map[string]any)
	if !ok {
		r.failWith(fmt.Errorf("%w: Bidirectional config has no \"layer\" dict", keras.ErrFileFormat))
		return
	}
	inner := cloneMap(entry)
	if ic, ok := inner["config"].(map[string]any); ok {
		ic = cloneMap(ic)
		if n, ok := ic["name"].(string); ok {
			ic["name"] = strings.TrimPrefix(n, "forward_")
		}
		// Bidirectional sets zero_output_for_mask on its copies itself, as Keras does.
		delete(ic, "zero_output_for_mask")
		inner["config"] = ic
	}
	layer, err := keras.DeserializeLayer(inner)
	if err != nil {
		r.failWith(fmt.Errorf("wrapped layer: %w", err))
		return
	}
	l.wrapped = layer
}

// made names the layer, checks its merge mode and makes the two copies of the wrapped layer,
// given to Bidirectional or read from a saved config.
func (l *BidirectionalLayer) made(o *options) *BidirectionalLayer {
	layer := l.wrapped
	initBase(&l.LayerBase, "Bidirectional", o)
	if !mergeModes[l.mergeMode] {
		l.SetErr(fmt.Errorf("%w: merge mode %q (known: concat, sum, mul, ave, none)", keras.ErrInvalidArgument, l.mergeMode))
	}
	var inner *recurrent
	switch v := layer.(type) {
	case *LSTMLayer:
		if v != nil {
			inner = &v.recurrent
		}
	case *GRULayer:
		if v != nil {
			inner = &v.recurrent
		}
	case *SimpleRNNLayer:
		if v != nil {
			inner = &v.recurrent
		}
	}
	if inner == nil {
		l.SetErr(fmt.Errorf("%w: Bidirectional wraps an LSTM, GRU or SimpleRNN layer, got %T", keras.ErrInvalidArgument, layer))
		return l
	}
	l.SetErr(inner.Err())
	if inner.Built() {
		l.SetErr(fmt.Errorf("%w: layer %s was already called; wrap a new layer", keras.ErrInvalidArgument, inner.Name()))
	}
	fw := inner.clone("forward_" + inner.Name())
	bw := inner.clone("backward_" + inner.Name())
	bw.spec.GoBackwards = !bw.spec.GoBackwards
	bw.spec.FlipOut = true
	// As Keras does, masked steps of the returned sequences are zeros in both directions.
	fw.spec.ZeroMasked = fw.returnSequences
	bw.spec.ZeroMasked = bw.returnSequences
	switch layer.(type) {
	case *LSTMLayer:
		l.forward, l.backward = &LSTMLayer{fw}, &LSTMLayer{bw}
	case *GRULayer:
		l.forward, l.backward = &GRULayer{fw}, &GRULayer{bw}
	default:
		l.forward, l.backward = &SimpleRNNLayer{fw}, &SimpleRNNLayer{bw}
	}
	return l
}

// Call applies the layer to a sequence and returns the merged output.
func (l *BidirectionalLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// CallAll applies the layer and returns all its outputs: the merged output (or with merge
// mode "none" the forward then the backward output), then with ReturnState the forward
// copy's final states and the backward copy's.
func (l *BidirectionalLayer) CallAll(inputs ...*keras.Tensor) []*keras.Tensor {
	return keras.Call(l, inputs...)
}

// ClassName returns "Bidirectional".
func (l *BidirectionalLayer) ClassName() string { return "Bidirectional" }

// ForwardLayer returns the copy that processes the steps in order (Keras's forward_layer).
func (l *BidirectionalLayer) ForwardLayer() keras.Layer { return l.forward }

// BackwardLayer returns the copy that processes the steps in reverse (Keras's backward_layer).
func (l *BidirectionalLayer) BackwardLayer() keras.Layer { return l.backward }

// Variables returns the forward copy's weights, then the backward copy's.
func (l *BidirectionalLayer) Variables() []*keras.Variable {
	if l.forward == nil {
		return nil
	}
	return append(l.forward.Variables(), l.backward.Variables()...)
}

// PaddingRole follows the wrapped layer: both directions skip masked steps.
func (l *BidirectionalLayer) PaddingRole() keras.PaddingRole {
	if l.forward.rnn().returnSequences {
		return keras.PaddingStepwise
	}
	return keras.PaddingReduced
}

// Build builds both copies, with the wrapper's dtype.
func (l *BidirectionalLayer) Build(in []keras.Shape) error {
	for _, c := range []recurrentLayer{l.forward, l.backward} {
		r := c.rnn()
		r.SetDType(l.DType())
		if err := c.Build(in); err != nil {
			return fmt.Errorf("%s: %w", r.Name(), err)
		}
		r.setPaths(l.Name() + "/" + r.Name() + "/" + r.cell + "/")
	}
	l.inputShape = in[0].Clone()
	return nil
}

// OutputShapes merges the copies' outputs.
func (l *BidirectionalLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	fw, err := l.forward.OutputShapes(in)
	if err != nil {
		return nil, err
	}
	bw, err := l.backward.OutputShapes(in)
	if err != nil {
		return nil, err
	}
	var out []keras.Shape
	switch l.mergeMode {
	case "none":
		out = []keras.Shape{fw[0], bw[0]}
	case "concat":
		y := fw[0].Clone()
		y[len(y)-1] += bw[0].Last()
		out = []keras.Shape{y}
	default:
		out = []keras.Shape{fw[0]}
	}
	return append(append(out, fw[1:]...), bw[1:]...), nil
}

// Forward runs both copies and merges their outputs.
func (l *BidirectionalLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	fw, err := l.forward.Forward(ctx, in)
	if err != nil {
		return nil, err
	}
	bw, err := l.backward.Forward(ctx, in)
	if err != nil {
		return nil, err
	}
	var out []*G.Node
	if l.mergeMode == "none" {
		out = []*G.Node{fw[0], bw[0]}
	} else {
		y, err := merge(ctx, l.mergeMode, fw[0], bw[0])
		if err != nil {
			return nil, err
		}
		if l.forward.rnn().returnSequences {
			ctx.SetMask(y, ctx.Mask(in[0]))
		}
		out = []*G.Node{y}
	}
	return append(append(out, fw[1:]...), bw[1:]...), nil
}

// merge combines the two directions' outputs.
func merge(ctx *keras.Context, mode string, a, b *G.Node) (*G.Node, error) {
	switch mode {
	case "concat":
		return internalops.Concat(a.Dims()-1, a, b)
	case "sum":
		return G.Add(a, b)
	case "mul":
		return G.HadamardProd(a, b)
	}
	s, err := G.Add(a, b)
	if err != nil {
		return nil, err
	}
	return G.HadamardProd(s, ctx.Constant(0.5))
}

// Config returns Keras 3's Bidirectional config: the merge mode and both copies, serialised
// as Keras serialises layers.
func (l *BidirectionalLayer) Config() map[string]any { return bidirectionalKeys.config(l) }

func (l *BidirectionalLayer) serialize(c recurrentLayer) map[string]any {
	entry := map[string]any{
		"module":          "keras.layers",
		"class_name":      c.ClassName(),
		"config":          keras.LayerConfig(c),
		"registered_name": nil,
	}
	if l.inputShape != nil {
		shape := make([]any, len(l.inputShape))
		for i, d := range l.inputShape {
			if d >= 0 {
				shape[i] = d
			}
		}
		entry["build_config"] = map[string]any{"input_shape": shape}
	}
	return entry
}

// BidirectionalOption is an option Bidirectional takes: MergeMode and the common options.
type BidirectionalOption interface {
	applier
	bidirectional()
}

// bidirectionalOnly carries the options only Bidirectional takes.
type bidirectionalOnly struct{ setter }

func (bidirectionalOnly) bidirectional() {}
