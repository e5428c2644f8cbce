package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// EmbeddingLayer turns token ids into dense vectors: row id of the embeddings matrix, as
// Keras's Embedding does. Ids are integers in [0, inputDim); an id outside that range makes
// Fit, Evaluate and Predict return an error naming the layer and the id (wrapping
// keras.ErrData for ids the model feeds; ids another layer computes are checked in the graph,
// whose errors Gorgonia does not let errors.Is see through).
//
// With MaskZero(true), id 0 is padding: the layer also outputs a mask, 1 where the id is not 0,
// which recurrent layers downstream use to skip padded steps. Id 0 is still looked up, so
// inputDim must count it.
//
// # Weights
//
// embeddings (inputDim, outputDim).
//
// # Input shape
//
// Integer ids (batch, ...), usually (batch, time steps) from an Input with DType "int32".
// Float ids (an Input left at the default float32, as Keras's guide declares token inputs)
// are cast to integers toward zero, as Keras's Embedding casts them: 2.7 looks up row 2.
//
// # Output shape
//
// (batch, ..., outputDim).
type EmbeddingLayer struct {
	keras.LayerBase
	inputDim, outputDim int
	init                initializers.Initializer
	pen                 penalties // embeddings_regularizer, embeddings_constraint as the kernel's
	maskZero            bool
	embeddings          *keras.Variable
	maskTable           *tensor.Dense // 0 for id 0, 1 for the others; shared by every graph
}

var _ keras.Layer = (*EmbeddingLayer)(nil)

// Embedding returns an embedding layer for ids in [0, inputDim) and vectors of outputDim
// values. Options, with Keras's defaults: EmbeddingsInitializer ("uniform": ±0.05), MaskZero
// (false), Name, Trainable, DType (the embeddings' dtype, "float32" unless given).
func Embedding(inputDim, outputDim int, opts ...EmbeddingOption) *EmbeddingLayer {
	o := newOptions(opts)
	l := &EmbeddingLayer{inputDim: inputDim, outputDim: outputDim, maskZero: o.maskZero}
	l.init = resolveInit(&l.LayerBase, "EmbeddingsInitializer", o.embeddingsInit)
	var err error
	l.pen, err = penaltiesOf(o)
	l.SetErr(err)
	return l.made(o)
}

// embeddingKeys is Embedding's Keras config.
var embeddingKeys = append(configKeys[EmbeddingLayer]{
	intKey("input_dim", func(l *EmbeddingLayer) *int { return &l.inputDim }, 0).req(),
	intKey("output_dim", func(l *EmbeddingLayer) *int { return &l.outputDim }, 0).req(),
	initializerKey("embeddings_initializer", func(l *EmbeddingLayer) *initializers.Initializer { return &l.init },
		func() initializers.Initializer { return initializers.RandomUniform(-0.05, 0.05) }),
	boolKey("mask_zero", func(l *EmbeddingLayer) *bool { return &l.maskZero }, false),
	nullKey[EmbeddingLayer]("quantization_config"),
}, embeddingPenaltyKeys(func(l *EmbeddingLayer) *penalties { return &l.pen })...)

func init() {
	registerLayer("Embedding", embeddingKeys, func(l *EmbeddingLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its sizes, given to Embedding or read from a saved config.
func (l *EmbeddingLayer) made(o *options) *EmbeddingLayer {
	initBase(&l.LayerBase, "Embedding", o)
	if l.inputDim <= 0 || l.outputDim <= 0 {
		l.SetErr(fmt.Errorf("%w: input_dim and output_dim must be positive, got %d and %d", keras.ErrInvalidArgument, l.inputDim, l.outputDim))
	}
	return l
}

// Call applies the layer to a tensor of ids.
func (l *EmbeddingLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "Embedding".
func (l *EmbeddingLayer) ClassName() string { return "Embedding" }

// InputDim returns the size of the vocabulary.
func (l *EmbeddingLayer) InputDim() int { return l.inputDim }

// OutputDim returns the size of the vectors.
func (l *EmbeddingLayer) OutputDim() int { return l.outputDim }

// MaskZero reports whether id 0 is masked as padding.
func (l *EmbeddingLayer) MaskZero() bool { return l.maskZero }

// PaddingRole is PaddingMasked with MaskZero: padded batches may then be bucketed.
func (l *EmbeddingLayer) PaddingRole() keras.PaddingRole {
	if l.maskZero {
		return keras.PaddingMasked
	}
	return keras.PaddingUnknown
}

// TakesIntegerInputs reports that Embedding reads integer token ids.
func (l *EmbeddingLayer) TakesIntegerInputs() bool { return true }

// OutputDType returns the embeddings' dtype: the output is float even though the ids are not.
func (l *EmbeddingLayer) OutputDType([]string) string { return l.DType() }

// Build creates the embeddings.
func (l *EmbeddingLayer) Build(in []keras.Shape) error {
	if err := checkOneInput(in, 1); err != nil {
		return err
	}
	var err error
	if l.embeddings, err = l.AddWeightInit("embeddings", keras.Shape{l.inputDim, l.outputDim}, l.init, true); err != nil {
		return err
	}
	l.pen.attach(l.embeddings, nil)
	return nil
}

// OutputShapes appends outputDim to the input shape.
func (l *EmbeddingLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 1); err != nil {
		return nil, err
	}
	return []keras.Shape{append(in[0].Clone(), l.outputDim)}, nil
}

// Forward looks the ids up (internal/ops.Embed on float tables, ByIndices otherwise) and, with MaskZero, attaches the mask. Gorgonia
// would read an id outside [0, inputDim) out of bounds, so ids are checked first: ids the
// model feeds before every step, float ids (those another layer computes included) by the
// cast when the graph runs.
func (l *EmbeddingLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	fed := in[0]
	ids := fed
	switch ids.Dtype() {
	case tensor.Int:
	case tensor.Float32, tensor.Float64:
		// Float ids (an Input left at its default float32 dtype): cast as Keras does.
		var err error
		if ids, err = internalops.CastIDs(fed, l.inputDim, l.Name()); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: Embedding takes integer (or float) ids, got %v values", keras.ErrDType, ids.Dtype())
	}
	shape := ids.Shape()
	table := ctx.Var(l.embeddings)
	var y *G.Node
	var err error
	if dt := table.Dtype(); ids.Dims() >= 1 && (dt == tensor.Float32 || dt == tensor.Float64) {
		// One op and a gradient op that keep their memory (internal/ops.Embed).
		if y, err = internalops.Embed(table, ids); err != nil {
			return nil, err
		}
	} else {
		if y, err = l.byIndices(table, ids); err != nil {
			return nil, err
		}
	}
	if l.maskZero {
		flat := ids
		if ids.Dims() != 1 {
			// A view of the ids is safe: integer ids are only read, never written in place.
			if flat, err = G.Reshape(ids, tensor.Shape{shape.TotalSize()}); err != nil {
				return nil, err
			}
		}
		mask, err := l.mask(ctx, flat, shape)
		if err != nil {
			return nil, err
		}
		ctx.SetMask(y, mask)
	}
	if fed.Op() == nil {
		ctx.BeforeStep(func() error { return l.checkIDs(fed.Value()) })
	}
	return []*G.Node{y}, nil
}

// byIndices looks the ids up with Gorgonia's ByIndices on the flattened ids, for the tables
// Embed does not take.
func (l *EmbeddingLayer) byIndices(table, ids *G.Node) (*G.Node, error) {
	shape := ids.Shape()
	flat := ids
	var err error
	if ids.Dims() != 1 {
		// A view of the ids is safe: integer ids are only read, never written in place.
		if flat, err = G.Reshape(ids, tensor.Shape{shape.TotalSize()}); err != nil {
			return nil, err
		}
	}
	rows, err := G.ByIndices(table, flat, 0)
	if err != nil {
		return nil, err
	}
	// A view of the rows is safe: nothing else reads them (the lookup's gradient reads the
	// ids), so the view takes over their register and memory.
	return G.Reshape(rows, append(shape.Clone(), l.outputDim))
}

// mask returns ids != 0 as 1/0 floats of the ids' shape: a lookup in a constant table.
func (l *EmbeddingLayer) mask(ctx *keras.Context, flat *G.Node, shape tensor.Shape) (*G.Node, error) {
	dt := ctx.FloatDType()
	if l.maskTable == nil || l.maskTable.Dtype() != dt {
		l.maskTable = tensor.New(tensor.WithShape(l.inputDim), tensor.Of(dt))
		fillRange(l.maskTable, 1, l.inputDim, 1)
	}
	table := G.NewTensor(ctx.Graph(), dt, 1, G.WithShape(l.inputDim), G.WithValue(l.maskTable), G.WithName(l.Name()+"/mask_table"))
	m, err := G.ByIndices(table, flat, 0)
	if err != nil {
		return nil, err
	}
	if len(shape) == 1 {
		return m, nil
	}
	return G.Reshape(m, shape.Clone())
}

// checkIDs returns an error for an id outside [0, inputDim).
func (l *EmbeddingLayer) checkIDs(v G.Value) error {
	t, ok := v.(*tensor.Dense)
	if !ok {
		return nil // not fed yet: Gorgonia reports it
	}
	if t.IsScalar() {
		return nil
	}
	// The typed accessors, not Data, which allocates: this runs before every step.
	switch t.Dtype() {
	case tensor.Int:
		return checkIDRange(l, t.Shape(), t.Ints())
	case tensor.Float32:
		return checkIDRange(l, t.Shape(), t.Float32s())
	case tensor.Float64:
		return checkIDRange(l, t.Shape(), t.Float64s())
	}
	return nil
}

// checkIDRange returns an error naming the layer for an id that is not a number or, truncated
// toward zero as the lookup does, falls outside [0, inputDim).
func checkIDRange[T int | float32 | float64](l *EmbeddingLayer, shape tensor.Shape, ids []T) error {
	for i, v := range ids {
		x := float64(v)
		if !(x > -1 && x < float64(l.inputDim)) { // also NaN; -0.5 truncates to 0
			return &keras.LayerError{Layer: l.Name(), Class: l.ClassName(), Err: fmt.Errorf(
				"%w: token id %v at index %v of the batch (shape %v) is outside [0, %d); input_dim must be larger than every id",
				keras.ErrData, v, internalops.Unravel(i, shape), shape, l.inputDim)}
		}
	}
	return nil
}

// Config returns Keras 3's Embedding config.
func (l *EmbeddingLayer) Config() map[string]any { return embeddingKeys.config(l) }

// EmbeddingOption is an option Embedding takes: EmbeddingsInitializer, MaskZero,
// EmbeddingsRegularizer, EmbeddingsConstraint and the common options.
type EmbeddingOption interface {
	applier
	embedding()
}

// embeddingOnly carries the options only Embedding takes.
type embeddingOnly struct{ setter }

func (embeddingOnly) embedding() {}

// EmbeddingsInitializer names an Embedding's initializer (default "uniform": ±0.05).
func EmbeddingsInitializer(init any) EmbeddingOption {
	return embeddingOnly{func(o *options) { o.mark("EmbeddingsInitializer"); o.embeddingsInit = init }}
}

// MaskZero makes an Embedding treat index 0 as padding and pass a mask on (default false).
func MaskZero(b bool) EmbeddingOption {
	return embeddingOnly{func(o *options) { o.mark("MaskZero"); o.maskZero = b }}
}
