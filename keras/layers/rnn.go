package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// recurrent is what LSTM, GRU and SimpleRNN share: options, weights, shapes and the op that
// runs the cell over a sequence (internal/ops.RNN).
//
// Sequences: the input is (batch, time steps, features) and the number of time steps may be
// None; each realisation of the model runs the op over the concrete length of its batches.
// Initial states are zeros. A mask on the input (from Embedding with MaskZero) skips padded
// steps: the states are carried over unchanged and the output repeats the previous one, as in
// Keras.
type recurrent struct {
	keras.LayerBase
	class, cell                         string // "LSTM", "lstm_cell"
	spec                                internalops.RNNSpec
	activation                          string // Keras names, for Config
	recActivation                       string
	useBias                             bool
	kernelInit, recurrentInit, biasInit initializers.Initializer
	unitForgetBias                      bool
	returnSequences, returnState        bool
	pen                                 penalties

	kernel, recurrentKernel, bias *keras.Variable
}

// newRecurrent reads the options every recurrent layer takes and checks them.
func newRecurrent(kind internalops.RNNKind, class, cell string, units int, o *options) recurrent {
	l := recurrent{
		class: class, cell: cell,
		spec:            internalops.RNNSpec{Kind: kind, Units: units, ResetAfter: o.resetAfter, GoBackwards: o.goBackwards},
		activation:      o.activation,
		recActivation:   o.recurrentActivation,
		useBias:         o.useBias,
		unitForgetBias:  o.unitForgetBias,
		returnSequences: o.returnSequences,
		returnState:     o.returnState,
	}
	l.kernelInit = resolveInit(&l.LayerBase, "KernelInitializer", o.kernelInitializer)
	l.recurrentInit = resolveInit(&l.LayerBase, "RecurrentInitializer", o.recurrentInitializer)
	l.biasInit = resolveInit(&l.LayerBase, "BiasInitializer", o.biasInitializer)
	var err error
	l.pen, err = penaltiesOf(o)
	l.SetErr(err)
	l.made(o)
	return l
}

// made names the layer and checks its values, given to its constructor or read from a saved
// config (kind, class and cell set).
func (l *recurrent) made(o *options) {
	if l.activation == "" {
		l.activation = "tanh"
	}
	if l.spec.Kind == internalops.KindSimple {
		l.recActivation = ""
	}
	initBase(&l.LayerBase, l.class, o)
	if l.spec.Units <= 0 {
		l.SetErr(fmt.Errorf("%w: units must be positive, got %d", keras.ErrInvalidArgument, l.spec.Units))
	}
	var err error
	if l.spec.Act, err = internalops.ParseRNNActivation(l.activation, internalops.ActTanh); err != nil {
		l.SetErr(err)
	}
	if l.spec.RecAct, err = internalops.ParseRNNActivation(l.recActivation, internalops.ActSigmoid); err != nil {
		l.SetErr(err)
	}
}

// recurrentKeys is the Keras config of a recurrent layer of the given kind: the keys all three
// write, and LSTM's and GRU's own.
func recurrentKeys(kind internalops.RNNKind) configKeys[recurrent] {
	ks := configKeys[recurrent]{
		boolKey("return_sequences", func(l *recurrent) *bool { return &l.returnSequences }, false),
		boolKey("return_state", func(l *recurrent) *bool { return &l.returnState }, false),
		boolKey("go_backwards", func(l *recurrent) *bool { return &l.spec.GoBackwards }, false),
		constKey[recurrent]("stateful", false),
		constKey[recurrent]("unroll", false),
		writeKey("zero_output_for_mask", func(l *recurrent) any { return l.spec.ZeroMasked }),
		intKey("units", func(l *recurrent) *int { return &l.spec.Units }, 0).req(),
		activationKey("activation", func(l *recurrent) *string { return &l.activation }),
		boolKey("use_bias", func(l *recurrent) *bool { return &l.useBias }, true),
		initializerKey("kernel_initializer", func(l *recurrent) *initializers.Initializer { return &l.kernelInit }, initializers.GlorotUniform),
		initializerKey("recurrent_initializer", func(l *recurrent) *initializers.Initializer { return &l.recurrentInit },
			func() initializers.Initializer { return initializers.Orthogonal(1) }),
		initializerKey("bias_initializer", func(l *recurrent) *initializers.Initializer { return &l.biasInit }, initializers.Zeros),
		zeroKey[recurrent]("dropout"),
		zeroKey[recurrent]("recurrent_dropout"),
	}
	ks = append(ks, recurrentPenaltyKeys(func(l *recurrent) *penalties { return &l.pen })...)
	if kind == internalops.KindSimple {
		return ks
	}
	ks = append(ks, configKey[recurrent]{name: "recurrent_activation",
		write: func(l *recurrent) any { return l.spec.RecAct.String() },
		read:  func(r *configReader, key string, l *recurrent) { l.recActivation = r.activation(key) },
		unset: func(l *recurrent) { l.recActivation = "" }},
		nullKey[recurrent]("seed"))
	if kind == internalops.KindLSTM {
		return append(ks, boolKey("unit_forget_bias", func(l *recurrent) *bool { return &l.unitForgetBias }, true))
	}
	return append(ks, boolKey("reset_after", func(l *recurrent) *bool { return &l.spec.ResetAfter }, true))
}

// rnnKeys holds each recurrent kind's config table.
var rnnKeys = map[internalops.RNNKind]configKeys[recurrent]{
	internalops.KindLSTM: recurrentKeys(internalops.KindLSTM), internalops.KindGRU: recurrentKeys(internalops.KindGRU), internalops.KindSimple: recurrentKeys(internalops.KindSimple),
}

// registerRecurrent registers a recurrent class: a saved config is read through its kind's
// table, and wrap makes the class's layer of the result.
func registerRecurrent(kind internalops.RNNKind, class, cell string, wrap func(recurrent) keras.Layer) {
	registerLayer(class, rnnKeys[kind], func(l *recurrent, o *options) keras.Layer {
		l.spec.Kind, l.class, l.cell = kind, class, cell
		l.made(o)
		return wrap(*l)
	})
}

// clone returns a fresh, unbuilt copy of the layer's configuration under a new name.
func (l *recurrent) clone(name string) recurrent {
	c := *l
	c.LayerBase = keras.LayerBase{}
	c.Init(l.class, name)
	c.SetTrainable(l.Trainable())
	c.kernel, c.recurrentKernel, c.bias = nil, nil, nil
	return c
}

func (l *recurrent) rnn() *recurrent { return l }

// Units returns the dimensionality of the output space.
func (l *recurrent) Units() int { return l.spec.Units }

// PaddingRole reports how padded steps affect the layer, for length bucketing: a layer that
// returns only its last output ignores masked steps; one that returns sequences keeps them
// apart and passes the mask on (unless GoBackwards reverses the sequence but not the mask, as
// Keras does).
func (l *recurrent) PaddingRole() keras.PaddingRole {
	switch {
	case !l.returnSequences:
		return keras.PaddingReduced
	case l.spec.GoBackwards:
		return keras.PaddingUnknown
	}
	return keras.PaddingStepwise
}

func (l *recurrent) checkInput(in []keras.Shape) error {
	if len(in) != 1 {
		return keras.ShapeError("expects 1 input, got %d", len(in))
	}
	if in[0].Rank() != 3 {
		return keras.ShapeError("expects an input of rank 3 (batch, time steps, features), got shape %v", in[0])
	}
	if in[0].Last() < 0 {
		return keras.ShapeError("the number of features (last dimension) must be known, got shape %v", in[0])
	}
	return nil
}

// Build creates kernel (features, gates·units), recurrent_kernel (units, gates·units) and
// bias, as Keras's cells do; paths are layer/cell/name, as Keras 3's.
func (l *recurrent) Build(in []keras.Shape) error {
	if err := l.checkInput(in); err != nil {
		return err
	}
	u := l.spec.Units
	gu := l.spec.Gates() * u
	var err error
	if l.kernel, err = l.AddWeightInit("kernel", keras.Shape{in[0].Last(), gu}, l.kernelInit, true); err != nil {
		return err
	}
	if l.recurrentKernel, err = l.AddWeightInit("recurrent_kernel", keras.Shape{u, gu}, l.recurrentInit, true); err != nil {
		return err
	}
	if l.useBias {
		shape := keras.Shape{gu}
		if l.spec.Kind == internalops.KindGRU && l.spec.ResetAfter {
			shape = keras.Shape{2, gu}
		}
		if l.bias, err = l.AddWeightInit("bias", shape, l.biasInit, true); err != nil {
			return err
		}
		if l.spec.Kind == internalops.KindLSTM && l.unitForgetBias {
			fillRange(l.bias.Value, u, 2*u, 1) // the forget gate starts at 1, whatever the initializer
		}
	}
	l.pen.attach(l.kernel, l.bias)
	l.recurrentKernel.Regularizer, l.recurrentKernel.Constraint = l.pen.recurrentReg, l.pen.recurrentCon
	l.setPaths(l.Name() + "/" + l.cell + "/")
	return nil
}

// setPaths sets the weights' paths to prefix + name.
func (l *recurrent) setPaths(prefix string) {
	for _, v := range []*keras.Variable{l.kernel, l.recurrentKernel, l.bias} {
		if v != nil {
			v.Path = prefix + v.Name
		}
	}
}

// fillRange sets elements [from, to) of t to v.
func fillRange(t *tensor.Dense, from, to int, v float64) {
	switch d := t.Data().(type) {
	case []float32:
		for i := from; i < to; i++ {
			d[i] = float32(v)
		}
	case []float64:
		for i := from; i < to; i++ {
			d[i] = v
		}
	}
}

// OutputShapes returns the output, (batch, units) or with ReturnSequences (batch, time steps,
// units), then with ReturnState the final states (batch, units): h (and c for LSTM).
func (l *recurrent) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := l.checkInput(in); err != nil {
		return nil, err
	}
	if f := l.kernel.Shape()[0]; in[0].Last() != f {
		return nil, keras.ShapeError("input has %d features, the layer was built for %d (input shape %v)", in[0].Last(), f, in[0])
	}
	b, u := in[0][0], l.spec.Units
	y := keras.Shape{b, u}
	if l.returnSequences {
		y = keras.Shape{b, in[0][1], u}
	}
	out := []keras.Shape{y}
	if l.returnState {
		for range l.spec.States() {
			out = append(out, keras.Shape{b, u})
		}
	}
	return out, nil
}

// Forward emits the op over the concrete sequence and picks the outputs from its states.
func (l *recurrent) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	x := in[0]
	s := x.Shape()
	if len(s) != 3 || s[1] < 1 {
		return nil, keras.ShapeError("input of shape %v: want (batch, time steps ≥ 1, features)", s)
	}
	mask := ctx.Mask(x)
	if mask != nil && !mask.Shape().Eq(tensor.Shape{s[0], s[1]}) {
		return nil, keras.ShapeError("the input's mask has shape %v, want (%d, %d)", mask.Shape(), s[0], s[1])
	}
	var bias *G.Node
	if l.bias != nil {
		bias = ctx.Var(l.bias)
	}
	// Without return_sequences only the final states leave the op.
	spec := l.spec
	spec.FinalOnly = !l.returnSequences
	out, err := internalops.RNN(spec, x, ctx.Var(l.kernel), ctx.Var(l.recurrentKernel), bias, mask, ctx.Training())
	if err != nil {
		return nil, err
	}
	b, t, u := s[0], s[1], l.spec.Units
	final := b * t * u // where the final states start in each state's row of out
	if spec.FinalOnly {
		final = 0
	}
	// part returns the values of state k's row of out from offset from, as the given shape,
	// in memory of their own.
	part := func(k, from int, shape ...int) (*G.Node, error) {
		// kerago's own slice op, not Gorgonia's Slice, whose hash keeps one byte of each
		// bound: two parts of equal width at offsets equal modulo 256 were merged.
		return internalops.SliceFlat(out, k*out.Shape()[1]+from, shape...)
	}
	last, err := part(0, final, b, u)
	if err != nil {
		return nil, err
	}
	y := last
	if l.returnSequences {
		if y, err = part(0, 0, b, t, u); err != nil {
			return nil, err
		}
		ctx.SetMask(y, mask)
	}
	outs := []*G.Node{y}
	if l.returnState {
		outs = append(outs, last)
		if l.spec.Kind == internalops.KindLSTM {
			c, err := part(1, final, b, u)
			if err != nil {
				return nil, err
			}
			outs = append(outs, c)
		}
	}
	return outs, nil
}

// config returns the layer's Keras 3 config, from its kind's table.
func (l *recurrent) config() map[string]any { return rnnKeys[l.spec.Kind].config(l) }
