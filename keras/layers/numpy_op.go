package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// NumpyOpLayer is one element-wise keras.ops call recorded in a functional model, as Keras 3
// records `x + 3`, `x * (1/6)`, `-x` or `keras.ops.maximum(x, 0)` on symbolic tensors: an
// operation node of module keras.src.ops.numpy (class Add, Subtract, Multiply, Divide,
// TrueDivide, Negative, Maximum or Minimum) whose call mixes tensors and, for binary
// operations, at most one number. Keras applications such as MobileNetV3 are built of them.
// Tensor operands broadcast as NumPy's do (a (N, 1, 1, C) gate times a (N, H, W, C) image);
// the maths is the kit's, so gradients flow through it. It has no weights.
//
// LoadModel rebuilds these nodes and Save writes them back as Keras does, the number in its
// place among the call's arguments, so that Keras loads the file.
type NumpyOpLayer struct {
	keras.LayerBase
	class      string
	constant   float64
	hasConst   bool
	constFirst bool // the number is the first argument (3 - x)
}

var _ keras.Layer = (*NumpyOpLayer)(nil)

// numpyOps are the supported classes and their number of operands.
var numpyOps = map[string]int{
	"Add": 2, "Subtract": 2, "Multiply": 2, "Divide": 2, "TrueDivide": 2,
	"Maximum": 2, "Minimum": 2, "Negative": 1,
}

// NumpyOpModule is the module Keras 3 writes for the operations of [NumpyOpLayer].
const NumpyOpModule = "keras.src.ops.numpy"

// NumpyOp returns the operation class (a Keras 3 keras.ops.numpy class name: "Add",
// "Subtract", "Multiply", "Divide", "TrueDivide", "Maximum", "Minimum" or "Negative") applied
// to its input tensors: two for a binary operation, one for Negative. Options: Name.
func NumpyOp(class string, opts ...Option) *NumpyOpLayer {
	l := &NumpyOpLayer{class: class}
	return l.made(newOptions(opts))
}

// NumpyOpConst returns the binary operation class applied to its one input tensor and the
// number c: op(x, c), or op(c, x) when constFirst is set (Subtract with constFirst is c − x).
// Options: Name.
func NumpyOpConst(class string, c float64, constFirst bool, opts ...Option) *NumpyOpLayer {
	l := &NumpyOpLayer{class: class, constant: c, hasConst: true, constFirst: constFirst}
	return l.made(newOptions(opts))
}

// made names the layer (after Keras's snake-case op names: "add", "true_divide") and checks
// its class and number.
func (l *NumpyOpLayer) made(o *options) *NumpyOpLayer {
	initBase(&l.LayerBase, opName(l.class), o)
	n, ok := numpyOps[l.class]
	switch {
	case !ok:
		known := make([]string, 0, len(numpyOps))
		for k := range numpyOps {
			known = append(known, k)
		}
		sort.Strings(known)
		l.SetErr(fmt.Errorf("%w: operation %q is not supported (known: %s)", keras.ErrUnknownName, l.class, strings.Join(known, ", ")))
	case l.hasConst && n != 2:
		l.SetErr(fmt.Errorf("%w: %s takes no number", keras.ErrInvalidArgument, l.class))
	case l.hasConst && (math.IsNaN(l.constant) || math.IsInf(l.constant, 0)):
		l.SetErr(fmt.Errorf("%w: %s: the number must be finite, got %v", keras.ErrInvalidArgument, l.class, l.constant))
	}
	return l
}

// opName is Keras's auto name of an operation class: TrueDivide → true_divide.
func opName(class string) string {
	var b strings.Builder
	for i, r := range class {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// KerasModule returns keras.src.ops.numpy and the class, as Keras writes an operation.
func (l *NumpyOpLayer) KerasModule() (string, string) { return NumpyOpModule, l.class }

// Call applies the operation to its tensors.
func (l *NumpyOpLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns the operation's Keras class ("Add", "TrueDivide" ...).
func (l *NumpyOpLayer) ClassName() string { return l.class }

// tensors is how many input tensors the operation takes.
func (l *NumpyOpLayer) tensors() int {
	if l.hasConst {
		return 1
	}
	return numpyOps[l.class]
}

// Build checks the inputs; the operation has no weights.
func (l *NumpyOpLayer) Build(in []keras.Shape) error {
	_, err := l.OutputShapes(in)
	return err
}

// OutputShapes returns the broadcast shape of the tensor operands.
func (l *NumpyOpLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if len(in) != l.tensors() {
		return nil, keras.ShapeError("operation %s expects %d input tensors, got %d", l.class, l.tensors(), len(in))
	}
	if len(in) == 1 {
		return []keras.Shape{in[0].Clone()}, nil
	}
	s, err := broadcastShapes(in[0], in[1])
	if err != nil {
		return nil, err
	}
	return []keras.Shape{s}, nil
}

// broadcastShapes is NumPy's broadcast of two shapes (None stays None unless the other side
// knows the dimension).
func broadcastShapes(a, b keras.Shape) (keras.Shape, error) {
	n := max(a.Rank(), b.Rank())
	out := make(keras.Shape, n)
	for i := 0; i < n; i++ {
		da, db := 1, 1
		if j := i - (n - a.Rank()); j >= 0 {
			da = a[j]
		}
		if j := i - (n - b.Rank()); j >= 0 {
			db = b[j]
		}
		switch {
		case da == db:
			out[i] = da
		case da == 1:
			out[i] = db
		case db == 1:
			out[i] = da
		case da < 0:
			out[i] = db
		case db < 0:
			out[i] = da
		default:
			return nil, keras.ShapeError("operands of shapes %v and %v do not broadcast (axis %d: %d and %d)", a, b, i, da, db)
		}
	}
	return out, nil
}

// Forward computes the operation; a number operand is filled to the tensor's shape, so that
// every operation runs on operands of one shape through the kit.
func (l *NumpyOpLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	if l.class == "Negative" {
		return o.Result(o.Neg(in[0]))
	}
	var a, b *G.Node
	if l.hasConst {
		x := in[0]
		switch {
		case l.class == "Add":
			return o.Result(o.Shift(x, l.constant))
		case l.class == "Multiply":
			return o.Result(o.Scale(x, l.constant))
		case l.class == "Subtract" && !l.constFirst:
			return o.Result(o.Shift(x, -l.constant))
		}
		c := l.constant
		filled := ctx.Feed(l.Name()+"/constant", x.Dtype(), x.Shape(), func(t *tensor.Dense, _ *rand.Rand) { fillConstant(t, c) })
		a, b = x, filled
		if l.constFirst {
			a, b = filled, x
		}
	} else {
		a, b = broadcastPair(o, in[0], in[1])
	}
	var y *G.Node
	switch l.class {
	case "Add":
		y = o.Add(a, b)
	case "Subtract":
		y = o.Sub(a, b)
	case "Multiply":
		y = o.Mul(a, b)
	case "Divide", "TrueDivide":
		y = o.Div(a, b)
	case "Maximum":
		y = o.Maximum(a, b)
	case "Minimum":
		y = o.Minimum(a, b)
	}
	return o.Result(y)
}

// fillConstant writes c into every entry of a float32 or float64 tensor.
func fillConstant(t *tensor.Dense, c float64) {
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = float32(c)
		}
	case []float64:
		for i := range d {
			d[i] = c
		}
	}
}

// broadcastPair brings two nodes to their common shape with the kit's Reshape (leading axes
// of size 1) and Tile (along each axis of size 1 the other operand spans), never through
// Gorgonia's own broadcasting (docs/gorgonia.md).
func broadcastPair(o *ops.Builder, a, b *G.Node) (*G.Node, *G.Node) {
	if o.Err() != nil || a == nil || b == nil {
		return a, b
	}
	as, bs := a.Shape(), b.Shape()
	n := max(len(as), len(bs))
	lift := func(x *G.Node, s []int) (*G.Node, []int) {
		if len(s) == n {
			return x, s
		}
		full := make([]int, n)
		for i := range full {
			full[i] = 1
		}
		copy(full[n-len(s):], s)
		return o.Reshape(x, full...), full
	}
	a, as = lift(a, as)
	b, bs = lift(b, bs)
	for i := 0; i < n; i++ {
		switch {
		case as[i] == bs[i]:
		case as[i] == 1:
			a = o.Tile(a, i, bs[i])
		case bs[i] == 1:
			b = o.Tile(b, i, as[i])
		default:
			o.Fail(keras.ShapeError("operands of shapes %v and %v do not broadcast", a.Shape(), b.Shape()))
			return a, b
		}
	}
	return a, b
}

// Config returns the operation's config: Keras writes only its name (added by the model).
func (l *NumpyOpLayer) Config() map[string]any { return map[string]any{} }

// KerasCallArgs returns the call's positional arguments as Keras writes them: the tensors,
// with the number in its place for an operation on a tensor and a number.
func (l *NumpyOpLayer) KerasCallArgs(tensors []any) []any {
	if !l.hasConst || len(tensors) != 1 {
		return tensors
	}
	if l.constFirst {
		return []any{l.constant, tensors[0]}
	}
	return []any{tensors[0], l.constant}
}

// numpyOpFromConfig rebuilds an operation from its saved entry; the loader passes the call's
// arguments (tensors as nil) under "call_args".
func numpyOpFromConfig(class string) keras.LayerFromConfig {
	return func(cfg map[string]any) (keras.Layer, error) {
		name, _ := cfg["name"].(string)
		var opts []Option
		if name != "" {
			opts = append(opts, Name(name))
		}
		args, _ := cfg["call_args"].([]any)
		var nums []int
		for i, a := range args {
			if a != nil {
				nums = append(nums, i)
			}
		}
		switch {
		case len(nums) == 0:
			return NumpyOp(class, opts...), nil
		case len(nums) == 1 && len(args) == 2:
			c, ok := args[nums[0]].(float64)
			if !ok {
				return nil, fmt.Errorf("%w: operation %s %s: argument %d is %v, not a number", keras.ErrUnknownName, class, name, nums[0], args[nums[0]])
			}
			return NumpyOpConst(class, c, nums[0] == 0, opts...), nil
		}
		return nil, fmt.Errorf("%w: operation %s %s: call arguments %v: want tensors and at most one number", keras.ErrUnknownName, class, name, args)
	}
}

func init() {
	for class := range numpyOps {
		keras.RegisterLayer(NumpyOpModule+">"+class, numpyOpFromConfig(class))
	}
}
