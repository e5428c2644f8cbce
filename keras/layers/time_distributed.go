package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// TimeDistributedLayer applies one layer to every time step of a sequence, as Keras's
// TimeDistributed: (batch, steps, …) is run through the wrapped layer as (batch·steps, …), so
// every step shares the wrapped layer's weights, and the result is (batch, steps, …) again.
// Any single-output layer can be wrapped: Dense, Conv2D over a sequence of images, Dropout …
// Masks are not passed to the wrapped layer.
//
// # Input shape
//
// (batch, steps, …), what the wrapped layer takes after the steps. # Output shape: (batch,
// steps, …) with the wrapped layer's output per step.
type TimeDistributedLayer struct {
	keras.LayerBase
	inner      keras.Layer
	inputShape keras.Shape // the shape built for, for the inner layer's build config
}

var _ keras.Layer = (*TimeDistributedLayer)(nil)

// TimeDistributed wraps layer (not yet called) to be applied to every time step. Options:
// Name, Trainable, DType.
func TimeDistributed(layer keras.Layer, opts ...Option) *TimeDistributedLayer {
	l := &TimeDistributedLayer{inner: layer}
	return l.made(newOptions(opts))
}

// timeDistributedKeys is TimeDistributed's Keras config: the wrapped layer, serialised as
// Keras serialises layers, its build config without the steps.
var timeDistributedKeys = configKeys[TimeDistributedLayer]{
	configKey[TimeDistributedLayer]{name: "layer", null: true, // a null layer is refused as not a dict
		write: func(l *TimeDistributedLayer) any { return l.serializeInner() },
		read: func(r *configReader, key string, l *TimeDistributedLayer) {
			entry, ok := r.cfg[key].(map[string]any)
			if !ok {
				r.failWith(fmt.Errorf("%w: TimeDistributed config has no \"layer\" dict", keras.ErrFileFormat))
				return
			}
			inner, err := keras.DeserializeLayer(entry)
			if err != nil {
				r.failWith(fmt.Errorf("wrapped layer: %w", err))
				return
			}
			l.inner = inner
		}}.req(),
}

func init() {
	registerLayer("TimeDistributed", timeDistributedKeys, func(l *TimeDistributedLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks the wrapped one, given to TimeDistributed or read from a
// saved config.
func (l *TimeDistributedLayer) made(o *options) *TimeDistributedLayer {
	initBase(&l.LayerBase, "TimeDistributed", o)
	if l.inner == nil {
		l.SetErr(fmt.Errorf("%w: TimeDistributed needs a layer to wrap", keras.ErrInvalidArgument))
		return l
	}
	if e, ok := l.inner.(interface{ Err() error }); ok {
		l.SetErr(e.Err())
	}
	if b, ok := l.inner.(interface{ Built() bool }); ok && b.Built() {
		l.SetErr(fmt.Errorf("%w: layer %s was already called; wrap a new layer", keras.ErrInvalidArgument, l.inner.Name()))
	}
	if _, ok := l.inner.(*keras.Model); ok {
		l.SetErr(fmt.Errorf("%w: TimeDistributed wraps a layer, not a model", keras.ErrInvalidArgument))
	}
	return l
}

// Layer returns the wrapped layer.
func (l *TimeDistributedLayer) Layer() keras.Layer { return l.inner }

// Call applies the layer to a sequence.
func (l *TimeDistributedLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "TimeDistributed".
func (l *TimeDistributedLayer) ClassName() string { return "TimeDistributed" }

// Variables returns the wrapped layer's weights.
func (l *TimeDistributedLayer) Variables() []*keras.Variable { return l.inner.Variables() }

// WeightOwners places every weight below "layer", as Keras saves a TimeDistributed's
// (layers/time_distributed/layer/vars/0).
func (l *TimeDistributedLayer) WeightOwners() []string {
	out := make([]string, len(l.inner.Variables()))
	for i := range out {
		out[i] = "layer"
	}
	return out
}

// stepShape is the shape the wrapped layer sees: the batch and steps as one unknown axis.
func stepShape(in []keras.Shape) (keras.Shape, error) {
	if err := checkOneInput(in, 3); err != nil {
		return nil, err
	}
	return append(keras.Shape{keras.None}, in[0][2:]...), nil
}

// Build builds the wrapped layer on one step's shape, with the wrapper's dtype.
func (l *TimeDistributedLayer) Build(in []keras.Shape) error {
	s, err := stepShape(in)
	if err != nil {
		return err
	}
	if d, ok := l.inner.(interface{ SetDType(string) }); ok {
		d.SetDType(l.DType())
	}
	if err := l.inner.Build([]keras.Shape{s}); err != nil {
		return fmt.Errorf("%s: %w", l.inner.Name(), err)
	}
	l.inputShape = s
	return nil
}

// OutputShapes is the wrapped layer's output per step, the steps put back after the batch.
func (l *TimeDistributedLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	s, err := stepShape(in)
	if err != nil {
		return nil, err
	}
	out, err := l.inner.OutputShapes([]keras.Shape{s})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l.inner.Name(), err)
	}
	if len(out) != 1 {
		return nil, keras.ShapeError("the wrapped layer %s has %d outputs; TimeDistributed takes one", l.inner.Name(), len(out))
	}
	return []keras.Shape{append(keras.Shape{in[0][0], in[0][1]}, out[0][1:]...)}, nil
}

// Forward folds the steps into the batch, runs the wrapped layer and unfolds its output.
func (l *TimeDistributedLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	x := in[0]
	s := x.Shape()
	b, t := s[0], s[1]
	folded := o.Reshape(x, append([]int{b * t}, s[2:]...)...)
	if err := o.Err(); err != nil {
		return nil, err
	}
	ys, err := l.inner.Forward(ctx, []*G.Node{folded})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l.inner.Name(), err)
	}
	if len(ys) != 1 {
		return nil, keras.ShapeError("the wrapped layer %s gave %d outputs; TimeDistributed takes one", l.inner.Name(), len(ys))
	}
	ys0 := ys[0].Shape()
	return o.Result(o.Reshape(ys[0], append([]int{b, t}, ys0[1:]...)...))
}

// Config returns Keras 3's TimeDistributed config.
func (l *TimeDistributedLayer) Config() map[string]any { return timeDistributedKeys.config(l) }

// serializeInner serialises the wrapped layer as Keras does, its build config the per-step
// input shape.
func (l *TimeDistributedLayer) serializeInner() map[string]any {
	entry := map[string]any{
		"module":          "keras.layers",
		"class_name":      l.inner.ClassName(),
		"config":          keras.LayerConfig(l.inner),
		"registered_name": nil,
	}
	if km, ok := l.inner.(keras.KerasModuler); ok {
		entry["module"], entry["registered_name"] = km.KerasModule()
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
