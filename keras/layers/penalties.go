package layers

import (
	"errors"
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/regularizers"
)

// penalties are a layer's kernel and bias regularizers and constraints (Keras's
// kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint), set on the
// weights when the layer builds them: the model adds the penalties to the loss and applies
// the constraints after each optimizer step (keras/regularization.go).
type penalties struct {
	kernelReg, biasReg keras.Regularizer
	kernelCon, biasCon keras.Constraint
	// A recurrent layer's recurrent kernel (Keras's recurrent_regularizer,
	// recurrent_constraint).
	recurrentReg keras.Regularizer
	recurrentCon keras.Constraint
}

// KernelRegularizer sets the kernel's regularizer (default none): a keras/regularizers value
// (regularizers.L2{L2: 0.01}) or a Keras name ("l1", "l2", with factor 0.01). Dense, Conv1D
// and Conv2D take it.
func KernelRegularizer(r any) WeightsOption {
	return WeightsOption{func(o *options) { o.mark("KernelRegularizer"); o.kernelRegularizer = r }}
}

// BiasRegularizer sets the bias's regularizer (default none), as KernelRegularizer.
func BiasRegularizer(r any) WeightsOption {
	return WeightsOption{func(o *options) { o.mark("BiasRegularizer"); o.biasRegularizer = r }}
}

// KernelConstraint sets the kernel's constraint (default none): a keras/regularizers value
// (regularizers.MaxNorm{MaxValue: 3}) or a Keras name ("max_norm", "non_neg", "unit_norm",
// "min_max_norm", with Keras's default arguments). Dense, Conv1D and Conv2D take it.
func KernelConstraint(c any) WeightsOption {
	return WeightsOption{func(o *options) { o.mark("KernelConstraint"); o.kernelConstraint = c }}
}

// BiasConstraint sets the bias's constraint (default none), as KernelConstraint.
func BiasConstraint(c any) WeightsOption {
	return WeightsOption{func(o *options) { o.mark("BiasConstraint"); o.biasConstraint = c }}
}

// RecurrentRegularizer sets a recurrent layer's recurrent kernel regularizer (default none),
// as KernelRegularizer.
func RecurrentRegularizer(r any) RecurrentOption {
	return RecurrentOption{func(o *options) { o.mark("RecurrentRegularizer"); o.recurrentRegularizer = r }}
}

// RecurrentConstraint sets a recurrent layer's recurrent kernel constraint (default none), as
// KernelConstraint.
func RecurrentConstraint(c any) RecurrentOption {
	return RecurrentOption{func(o *options) { o.mark("RecurrentConstraint"); o.recurrentConstraint = c }}
}

// EmbeddingsRegularizer sets an Embedding's table regularizer (default none), as
// KernelRegularizer.
func EmbeddingsRegularizer(r any) EmbeddingOption {
	return embeddingOnly{func(o *options) { o.mark("EmbeddingsRegularizer"); o.kernelRegularizer = r }}
}

// EmbeddingsConstraint sets an Embedding's table constraint (default none), as
// KernelConstraint.
func EmbeddingsConstraint(c any) EmbeddingOption {
	return embeddingOnly{func(o *options) { o.mark("EmbeddingsConstraint"); o.kernelConstraint = c }}
}

// penaltiesOf resolves the options' regularizers and constraints.
func penaltiesOf(o *options) (penalties, error) {
	var p penalties
	errs := make([]error, 6)
	p.kernelReg, errs[0] = regularizerOf("KernelRegularizer", o.kernelRegularizer)
	p.biasReg, errs[1] = regularizerOf("BiasRegularizer", o.biasRegularizer)
	p.kernelCon, errs[2] = constraintOf("KernelConstraint", o.kernelConstraint)
	p.biasCon, errs[3] = constraintOf("BiasConstraint", o.biasConstraint)
	p.recurrentReg, errs[4] = regularizerOf("RecurrentRegularizer", o.recurrentRegularizer)
	p.recurrentCon, errs[5] = constraintOf("RecurrentConstraint", o.recurrentConstraint)
	return p, errors.Join(errs...)
}

// attach sets the penalties on the weights; bias may be nil (use_bias false).
func (p penalties) attach(kernel, bias *keras.Variable) {
	kernel.Regularizer, kernel.Constraint = p.kernelReg, p.kernelCon
	if bias != nil {
		bias.Regularizer, bias.Constraint = p.biasReg, p.biasCon
	}
}

func regularizerOf(option string, v any) (keras.Regularizer, error) {
	switch r := v.(type) {
	case nil:
		return nil, nil
	case string:
		got, err := regularizers.Get(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", option, err)
		}
		if reg, ok := got.(keras.Regularizer); ok {
			return reg, nil
		}
		return nil, fmt.Errorf("%s: %w: %q is a constraint, not a regularizer", option, keras.ErrInvalidArgument, r)
	case keras.Regularizer:
		return r, nil
	}
	return nil, fmt.Errorf("%s: %w: want a name or a regularizer, got %T", option, keras.ErrInvalidArgument, v)
}

func constraintOf(option string, v any) (keras.Constraint, error) {
	switch c := v.(type) {
	case nil:
		return nil, nil
	case string:
		got, err := regularizers.Get(c)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", option, err)
		}
		if con, ok := got.(keras.Constraint); ok {
			return con, nil
		}
		return nil, fmt.Errorf("%s: %w: %q is a regularizer, not a constraint", option, keras.ErrInvalidArgument, c)
	case keras.Constraint:
		if v, ok := c.(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				return nil, fmt.Errorf("%s: %w: %w", option, keras.ErrInvalidArgument, err)
			}
		}
		return c, nil
	}
	return nil, fmt.Errorf("%s: %w: want a name or a constraint, got %T", option, keras.ErrInvalidArgument, v)
}

// penaltyKeys are the config keys of a layer's kernel and bias regularizers and constraints,
// written and read as Keras writes them; activity_regularizer stays null.
func penaltyKeys[L any](pen func(*L) *penalties) []configKey[L] {
	return []configKey[L]{
		objectKey("kernel_regularizer", func(l *L) *keras.Regularizer { return &pen(l).kernelReg }),
		objectKey("bias_regularizer", func(l *L) *keras.Regularizer { return &pen(l).biasReg }),
		nullKey[L]("activity_regularizer"),
		objectKey("kernel_constraint", func(l *L) *keras.Constraint { return &pen(l).kernelCon }),
		objectKey("bias_constraint", func(l *L) *keras.Constraint { return &pen(l).biasCon }),
	}
}

// recurrentPenaltyKeys are penaltyKeys with the recurrent kernel's, as LSTM, GRU and
// SimpleRNN write them.
func recurrentPenaltyKeys[L any](pen func(*L) *penalties) []configKey[L] {
	return append(penaltyKeys(pen),
		objectKey("recurrent_regularizer", func(l *L) *keras.Regularizer { return &pen(l).recurrentReg }),
		objectKey("recurrent_constraint", func(l *L) *keras.Constraint { return &pen(l).recurrentCon }))
}

// embeddingPenaltyKeys are an Embedding's embeddings_regularizer and embeddings_constraint
// (kept as the kernel's); activity_regularizer stays null.
func embeddingPenaltyKeys[L any](pen func(*L) *penalties) []configKey[L] {
	return []configKey[L]{
		objectKey("embeddings_regularizer", func(l *L) *keras.Regularizer { return &pen(l).kernelReg }),
		nullKey[L]("activity_regularizer"),
		objectKey("embeddings_constraint", func(l *L) *keras.Constraint { return &pen(l).kernelCon }),
	}
}

// objectKey is a regularizer or constraint key: written as Keras's object ({"module",
// "class_name", "config", ...}, null for none) and read from one or from a Keras name.
// checkUnsupported, which refuses every other non-null *_regularizer and *_constraint, lets
// these through (configKey.own).
func objectKey[L any, T any](name string, field func(*L) *T) configKey[L] {
	return configKey[L]{name: name, own: true,
		write: func(l *L) any { return regularizers.Serialize(*field(l)) },
		read: func(r *configReader, key string, l *L) {
			var got any
			var err error
			switch v := r.cfg[key].(type) {
			case string:
				got, err = regularizers.Get(v)
			case map[string]any:
				class, _ := v["class_name"].(string)
				cfg, _ := v["config"].(map[string]any)
				got, err = regularizers.FromConfig(class, cfg)
			default:
				err = fmt.Errorf("%v is not a name or an object", v)
			}
			if err != nil {
				r.fail("%s: %v", key, err)
				return
			}
			t, ok := got.(T)
			if !ok {
				r.fail("%s: %T does not fit here", key, got)
				return
			}
			*field(l) = t
		},
		unset: func(l *L) { var zero T; *field(l) = zero }}
}

// withoutOwn returns a copy of cfg without the keys the table reads itself (configKey.own),
// for checkUnsupported.
func withoutOwn[L any](ks configKeys[L], cfg map[string]any) map[string]any {
	out := cloneMap(cfg)
	for _, k := range ks {
		if k.own {
			delete(out, k.name)
		}
	}
	return out
}
