package layers

import (
	"github.com/kerago/kerago/keras"
	internalops "github.com/kerago/kerago/keras/internal/ops"
)

// LSTMLayer is the Long Short-Term Memory layer (Hochreiter 1997), as Keras 3's LSTM: at
// every step, with σ the recurrent activation and tanh the activation,
//
//	z = x_t·kernel + h_{t-1}·recurrent_kernel + bias;  i, f, g, o = split(z, 4)
//	c_t = σ(f)∘c_{t-1} + σ(i)∘tanh(g);  h_t = σ(o)∘tanh(c_t)
//
// # Weights
//
// kernel (features, 4·units), recurrent_kernel (units, 4·units), bias (4·units,), gates in
// Keras's order i, f, c, o; paths lstm/lstm_cell/kernel, as Keras 3 saves them.
//
// # Input shape
//
// (batch, time steps, features); the number of time steps may be None.
//
// # Output shape
//
// (batch, units), or (batch, time steps, units) with ReturnSequences; with ReturnState also
// the final h and c, each (batch, units) (see [LSTMLayer.CallAll]).
type LSTMLayer struct{ recurrent }

var _ keras.Layer = (*LSTMLayer)(nil)

// LSTM returns a Long Short-Term Memory layer of units outputs. Options, with Keras's
// defaults: Activation ("tanh"), RecurrentActivation ("sigmoid"), UseBias (true),
// KernelInitializer ("glorot_uniform"), RecurrentInitializer ("orthogonal"),
// BiasInitializer ("zeros"), UnitForgetBias (true: the forget gate's bias starts at 1),
// ReturnSequences (false), ReturnState (false), GoBackwards (false), Name, Trainable, DType.
// Activations: "tanh", "sigmoid", "hard_sigmoid", "relu", "softsign", "linear".
func LSTM(units int, opts ...LSTMOption) *LSTMLayer {
	return &LSTMLayer{newRecurrent(internalops.KindLSTM, "LSTM", "lstm_cell", units, newOptions(opts))}
}

// Call applies the layer to a sequence and returns its output (the first output when
// ReturnState is set).
func (l *LSTMLayer) Call(inputs ...*keras.Tensor) *keras.Tensor { return keras.CallOne(l, inputs...) }

// CallAll applies the layer and returns all its outputs: the output, then with ReturnState
// the final h and c.
func (l *LSTMLayer) CallAll(inputs ...*keras.Tensor) []*keras.Tensor {
	return keras.Call(l, inputs...)
}

// ClassName returns "LSTM".
func (l *LSTMLayer) ClassName() string { return "LSTM" }

// Config returns Keras 3's LSTM config.
func (l *LSTMLayer) Config() map[string]any { return l.config() }

func init() {
	registerRecurrent(internalops.KindLSTM, "LSTM", "lstm_cell", func(r recurrent) keras.Layer { return &LSTMLayer{r} })
}

// LSTMOption is an option LSTM takes: Activation, RecurrentActivation, UseBias, the three
// initializers, ReturnSequences, ReturnState, GoBackwards, UnitForgetBias and the common
// options.
type LSTMOption interface {
	applier
	lstm()
}

// lstmOnly carries the options only LSTM takes.
type lstmOnly struct{ setter }

func (lstmOnly) lstm() {}

// UnitForgetBias sets an LSTM's forget-gate bias to 1 at initialisation (default true).
func UnitForgetBias(b bool) LSTMOption {
	return lstmOnly{func(o *options) { o.mark("UnitForgetBias"); o.unitForgetBias = b }}
}
