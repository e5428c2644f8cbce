package keras

import (
	"errors"
	"fmt"

	"github.com/kerago/kerago/keras/initializers"
	G "gorgonia.org/gorgonia"
)

// Layer is the contract every layer implements, in the spirit of Keras 3's Layer:
//
//   - Build creates the layer's weights with [LayerBase.AddWeight], once, from the input
//     shapes of the first call (batch dimension included, as None). The model calls it; a
//     shared layer is built once. Build must not emit Gorgonia nodes.
//   - OutputShapes is static shape inference. It is called for every call of the layer and
//     must return an error (naming the shapes) for inputs the layer cannot take. Unknown
//     dimensions are None.
//   - Forward emits the Gorgonia nodes of one call for one realisation of the model: it gets
//     the input nodes (concrete shapes) and returns the output nodes. It may not create
//     weights; it binds them with [Context.Var], so every realisation shares one set.
//   - Config returns the layer's Keras 3 config (for saving and the TensorBoard graph),
//     without the name, trainable and dtype keys, which the model adds.
//
// Implementations embed [LayerBase], which supplies the name, the weights, the trainable flag
// and the layer's calls; the unexported method makes embedding it the only way to implement
// Layer. A layer's Call method is usually one line: return keras.Call(l, inputs...).
type Layer interface {
	Name() string
	ClassName() string
	Build(inputShapes []Shape) error
	OutputShapes(inputShapes []Shape) ([]Shape, error)
	Forward(ctx *Context, inputs []*G.Node) ([]*G.Node, error)
	Config() map[string]any
	Variables() []*Variable
	base() *LayerBase
}

// LayerBase holds what every layer has: its name, weights, trainable flag, dtype and the
// record of its calls. Embed it in a layer and call Init from the constructor.
type LayerBase struct {
	name      string
	trainable bool
	dtype     string // "" until the first call decides it
	built     bool
	vars      []*Variable
	err       error
	nodes     []*Node
	self      Layer
	// group is the lock over the weights this layer shares with the models it is part of
	// (lock_group.go); guarded by groupsMu.
	group *lockGroup
}

func (b *LayerBase) base() *LayerBase { return b }

// Init names the layer (a unique default from the class name when name is "") and makes it
// trainable. Constructors call it first.
func (b *LayerBase) Init(class, name string) {
	if name == "" {
		name = UniqueName(SnakeCase(class))
	}
	b.name = name
	b.trainable = true
}

// Name returns the layer's name.
func (b *LayerBase) Name() string { return b.name }

// SetName renames the layer; only before it is used in a model.
func (b *LayerBase) SetName(name string) { b.name = name }

// Trainable reports whether the layer's weights are trained.
func (b *LayerBase) Trainable() bool { return b.trainable }

// SetTrainable freezes (false) or unfreezes (true) the layer's weights. The next Compile
// takes the change into account, as in Keras.
func (b *LayerBase) SetTrainable(t bool) { b.trainable = t }

// DType returns the dtype of the layer's weights: "float32" (the default) or "float64".
func (b *LayerBase) DType() string {
	if b.dtype == "" {
		return "float32"
	}
	return b.dtype
}

// SetDType fixes the dtype of the layer's weights before it is built.
func (b *LayerBase) SetDType(dtype string) { b.dtype = dtype }

// Built reports whether Build has run.
func (b *LayerBase) Built() bool { return b.built }

// SetErr records a construction error (a bad option); the layer's first call returns it,
// joined with any others recorded (errors.Join), so one run names every bad option.
func (b *LayerBase) SetErr(err error) {
	switch {
	case err == nil:
	case b.err == nil:
		b.err = err
	default:
		// Every problem of a construction is reported at once, not one per fix.
		b.err = errors.Join(b.err, err)
	}
}

// Err returns the construction error recorded with SetErr.
func (b *LayerBase) Err() error { return b.err }

// Variables returns the layer's weights in Keras's order (trainable ones first, in creation
// order, then the non-trainable ones), as layer.weights does.
func (b *LayerBase) Variables() []*Variable {
	out := make([]*Variable, 0, len(b.vars))
	for _, v := range b.vars {
		if v.Trainable {
			out = append(out, v)
		}
	}
	for _, v := range b.vars {
		if !v.Trainable {
			out = append(out, v)
		}
	}
	return out
}

// InboundNodes returns the layer's calls, in order.
func (b *LayerBase) InboundNodes() []*Node { return b.nodes }

// AddWeight creates a weight of the given shape and dtype of the layer, filled by the named
// initializer (a Keras name such as "glorot_uniform"). Only Build may call it.
func (b *LayerBase) AddWeight(name string, shape Shape, initializer string, trainable bool) (*Variable, error) {
	init, err := initializers.Get(initializer)
	if err != nil {
		return nil, fmt.Errorf("weight %q: %w", name, err)
	}
	return b.AddWeightInit(name, shape, init, trainable)
}

// AddWeightInit is AddWeight with an initializer value, which keeps its arguments
// (initializers.RandomNormal(0, 0.2) rather than the name "random_normal").
func (b *LayerBase) AddWeightInit(name string, shape Shape, init initializers.Initializer, trainable bool) (*Variable, error) {
	if err := chargeLoad(b, name, shape); err != nil {
		return nil, err
	}
	v, err := newVariable(b.name, name, shape, b.DType(), init, trainable)
	if err != nil {
		return nil, err
	}
	b.vars = append(b.vars, v)
	return v, nil
}

// Call calls layer l on inputs: it checks them, builds the layer on its first call, infers
// the output shapes and records the call. It returns the output tensors; on a mistake each
// carries the error, named after the layer. Layers' Call methods forward here.
func Call(l Layer, inputs ...*Tensor) []*Tensor {
	outs, err := call(l, inputs)
	if err != nil {
		return []*Tensor{errTensor(err)}
	}
	return outs
}

// CallOne is Call for layers with a single output.
func CallOne(l Layer, inputs ...*Tensor) *Tensor { return Call(l, inputs...)[0] }

func call(l Layer, inputs []*Tensor) (outs []*Tensor, err error) {
	if l == nil || l.base() == nil {
		return nil, fmt.Errorf("keras: %w: nil layer", ErrGraph)
	}
	defer recoverCall(l, &err)
	b := l.base()
	if b.err != nil {
		return nil, layerErr(l, b.err)
	}
	if len(inputs) == 0 {
		return nil, layerErr(l, fmt.Errorf("%w: called with no inputs", ErrGraph))
	}
	shapes := make([]Shape, len(inputs))
	ii, ok := l.(IntegerInputs)
	takesIDs := ok && ii.TakesIntegerInputs()
	ia, byIndex := l.(IntegerInputAt)
	for i, t := range inputs {
		if t == nil {
			return nil, layerErr(l, fmt.Errorf("%w: input %d is nil", ErrGraph, i))
		}
		if t.err != nil {
			return nil, t.err
		}
		if (t.dtype == "int32" || t.dtype == "int64") && !takesIDs && !(byIndex && ia.TakesIntegerInput(i, len(inputs))) {
			return nil, layerErr(l, fmt.Errorf("%w: input %d is %s (integer ids); only layers such as Embedding take integer inputs", ErrDType, i, t.dtype))
		}
		shapes[i] = t.shape.Clone()
	}
	if b.dtype == "" {
		b.dtype = "float32"
		for _, t := range inputs {
			if t.dtype == "float64" {
				b.dtype = "float64"
				break
			}
		}
	}
	if !b.built {
		if err := l.Build(shapes); err != nil {
			b.vars = nil
			return nil, layerErr(l, err)
		}
		b.built = true
	}
	outShapes, err := l.OutputShapes(shapes)
	if err != nil {
		return nil, layerErr(l, err)
	}
	n := &Node{layer: l, index: len(b.nodes), inputs: inputs}
	outDType := b.DType()
	if odt, ok := l.(interface{ OutputDType([]string) string }); ok {
		in := make([]string, len(inputs))
		for i, t := range inputs {
			in[i] = t.dtype
		}
		outDType = odt.OutputDType(in)
	}
	for i, s := range outShapes {
		n.outputs = append(n.outputs, &Tensor{shape: s, dtype: outDType, node: n, index: i})
	}
	b.nodes = append(b.nodes, n)
	b.self = l
	return n.outputs, nil
}

// IntegerInputs is implemented by layers that take integer tensors (token ids), such as
// Embedding. Calling any other layer on an integer tensor is an error naming the layer.
type IntegerInputs interface{ TakesIntegerInputs() bool }

// IntegerInputAt is implemented by layers that take an integer tensor as some of their inputs
// only, such as MultiHeadAttention's attention mask: TakesIntegerInput reports whether input
// i of a call with n inputs may be integers. Calling the layer with integers elsewhere is an
// error naming the layer, as for IntegerInputs.
type IntegerInputAt interface {
	TakesIntegerInput(i, n int) bool
}

// ShapeError returns an error wrapping ErrShape with a formatted message, for layers'
// OutputShapes and Build.
func ShapeError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrShape, fmt.Sprintf(format, args...))
}

// firstErr returns the first error of the tensors.
func firstErr(ts []*Tensor) error {
	var errs []error
	for _, t := range ts {
		if err := t.Err(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
