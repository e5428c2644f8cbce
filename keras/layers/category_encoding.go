package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
)

// CategoryEncodingLayer encodes integer token ids as vectors of numTokens entries, as Keras's
// CategoryEncoding: "one_hot" gives each id its own vector (a last axis of 1 is replaced by
// the vector, any other gains one), "multi_hot" gives each sample of ids (batch, ids) one
// vector with 1 at every id it holds, "count" the number of times each id occurs. An id
// outside [0, numTokens), or a float id that is not whole, sets no entry, as Keras on JAX.
// The output has no gradient with respect to the ids, as in Keras.
//
// # Input shape
//
// Token ids, integer or float: (batch, …) for one_hot, (batch, ids) for multi_hot and count.
// # Output shape: (…, numTokens), or (batch, numTokens).
type CategoryEncodingLayer struct {
	keras.LayerBase
	numTokens  int
	outputMode string
}

var _ keras.Layer = (*CategoryEncodingLayer)(nil)

// CategoryEncoding returns an encoding of ids below numTokens; outputMode is "one_hot",
// "multi_hot" (Keras's default; "binary" is its older name) or "count". Options: Name,
// Trainable, DType (the output's).
func CategoryEncoding(numTokens int, outputMode string, opts ...Option) *CategoryEncodingLayer {
	l := &CategoryEncodingLayer{numTokens: numTokens, outputMode: outputMode}
	return l.made(newOptions(opts))
}

// categoryEncodingKeys is CategoryEncoding's Keras config; sparse=true is refused by the
// config reader.
var categoryEncodingKeys = configKeys[CategoryEncodingLayer]{
	intKey("num_tokens", func(l *CategoryEncodingLayer) *int { return &l.numTokens }, 0).req(),
	stringKey("output_mode", func(l *CategoryEncodingLayer) *string { return &l.outputMode }, "multi_hot"),
	constKey[CategoryEncodingLayer]("sparse", false),
}

func init() {
	registerLayer("CategoryEncoding", categoryEncodingKeys, func(l *CategoryEncodingLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its values, given to CategoryEncoding or read from a saved
// config.
func (l *CategoryEncodingLayer) made(o *options) *CategoryEncodingLayer {
	initBase(&l.LayerBase, "CategoryEncoding", o)
	if l.outputMode == "binary" {
		l.outputMode = "multi_hot"
	}
	switch l.outputMode {
	case "one_hot", "multi_hot", "count":
	default:
		l.SetErr(fmt.Errorf("%w: output_mode %q (want one_hot, multi_hot or count)", keras.ErrInvalidArgument, l.outputMode))
	}
	if l.numTokens < 1 {
		l.SetErr(fmt.Errorf("%w: num_tokens must be ≥ 1, got %d", keras.ErrInvalidArgument, l.numTokens))
	}
	return l
}

// Call applies the layer to the ids.
func (l *CategoryEncodingLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "CategoryEncoding".
func (l *CategoryEncodingLayer) ClassName() string { return "CategoryEncoding" }

// TakesIntegerInputs reports that the layer reads integer token ids.
func (l *CategoryEncodingLayer) TakesIntegerInputs() bool { return true }

// OutputDType returns the layer's dtype: the output is float even though the ids are not.
func (l *CategoryEncodingLayer) OutputDType([]string) string { return l.DType() }

// Build checks the input: the layer has no weights.
func (l *CategoryEncodingLayer) Build(in []keras.Shape) error {
	_, err := l.OutputShapes(in)
	return err
}

// OutputShapes returns the encoded shape, as Keras's compute_output_shape.
func (l *CategoryEncodingLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 1); err != nil {
		return nil, err
	}
	s := in[0]
	if l.outputMode != "one_hot" {
		if s.Rank() != 2 {
			return nil, keras.ShapeError("%s takes ids of shape (batch, ids), got %v", l.outputMode, s)
		}
		return []keras.Shape{{s[0], l.numTokens}}, nil
	}
	out := s.Clone()
	if s.Rank() > 1 && s.Last() == 1 {
		out = out[:len(out)-1]
	}
	return []keras.Shape{append(out, l.numTokens)}, nil
}

// Forward encodes the ids with one op (internal/ops.CategoryEncoding).
func (l *CategoryEncodingLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	y, err := internalops.CategoryEncoding(in[0], l.outputMode, l.numTokens, ctx.FloatDType())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", keras.ErrShape, err)
	}
	return []*G.Node{y}, nil
}

// Config returns Keras 3's CategoryEncoding config.
func (l *CategoryEncodingLayer) Config() map[string]any { return categoryEncodingKeys.config(l) }
