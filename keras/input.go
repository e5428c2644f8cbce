package keras

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// InputOption configures Input and InputShape: [Name] or [DType].
type InputOption interface{ applyInput(*inputConfig) }

// inputOptionFunc is an InputOption that sets one field.
type inputOptionFunc func(*inputConfig)

func (f inputOptionFunc) applyInput(c *inputConfig) { f(c) }

type inputConfig struct {
	name  string
	dtype string
}

// DType sets the input's Keras dtype: "float32" (the default), "float64", "int32" or "int64".
func DType(dtype string) InputOption {
	return inputOptionFunc(func(c *inputConfig) { c.dtype = dtype })
}

// Input declares a model input of the given shape, batch dimension excluded; None marks an
// unknown dimension. It returns the symbolic tensor to call layers on.
func Input(shape Shape, opts ...InputOption) *Tensor {
	cfg := inputConfig{dtype: "float32"}
	for _, o := range opts {
		if o != nil {
			o.applyInput(&cfg)
		}
	}
	l := &InputLayer{}
	l.Init("InputLayer", cfg.name)
	switch cfg.dtype {
	case "float32", "float64", "int32", "int64":
	default:
		return errTensor(layerErr(l, fmt.Errorf("%w: %q is not an input dtype (float32, float64, int32, int64)", ErrDType, cfg.dtype)))
	}
	for _, d := range shape {
		if d < 0 && d != None || d == 0 {
			return errTensor(layerErr(l, ShapeError("input shape %v: dimensions must be positive or keras.None (-1)", []int(shape))))
		}
	}
	l.shape = append(Shape{None}, shape...)
	l.dtype = cfg.dtype
	l.built = true
	n := &Node{layer: l}
	t := &Tensor{shape: l.shape.Clone(), dtype: cfg.dtype, node: n}
	n.outputs = []*Tensor{t}
	l.nodes = []*Node{n}
	l.self = l
	return t
}

// InputLayer is the layer behind Input. It has no weights and is never called.
type InputLayer struct {
	LayerBase
	shape Shape // batch dimension included
}

var _ Layer = (*InputLayer)(nil)

// ClassName returns "InputLayer".
func (l *InputLayer) ClassName() string { return "InputLayer" }

// BatchShape returns the input's shape with the batch dimension (None) first.
func (l *InputLayer) BatchShape() Shape { return l.shape.Clone() }

// Build does nothing.
func (l *InputLayer) Build([]Shape) error { return nil }

// OutputShapes returns the declared shape.
func (l *InputLayer) OutputShapes([]Shape) ([]Shape, error) { return []Shape{l.shape.Clone()}, nil }

// Forward is never called: the model feeds input nodes itself.
func (l *InputLayer) Forward(_ *Context, in []*G.Node) ([]*G.Node, error) { return in, nil }

// Config returns Keras 3's InputLayer config.
func (l *InputLayer) Config() map[string]any {
	bs := make([]any, len(l.shape))
	for i, d := range l.shape {
		if d < 0 {
			bs[i] = nil
		} else {
			bs[i] = d
		}
	}
	return map[string]any{"batch_shape": bs, "dtype": l.dtype, "sparse": false, "ragged": false, "optional": false}
}
