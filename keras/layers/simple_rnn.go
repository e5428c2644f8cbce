package layers

import (
	"github.com/kerago/kerago/keras"
	internalops "github.com/kerago/kerago/keras/internal/ops"
)

// SimpleRNNLayer is the fully connected recurrent layer of Keras 3's SimpleRNN:
// h_t = activation(x_t·kernel + h_{t-1}·recurrent_kernel + bias), and the output is h_t.
//
// # Weights
//
// kernel (features, units), recurrent_kernel (units, units), bias (units,); paths
// simple_rnn/simple_rnn_cell/kernel.
//
// # Input shape
//
// (batch, time steps, features); the number of time steps may be None.
//
// # Output shape
//
// (batch, units), or (batch, time steps, units) with ReturnSequences; with ReturnState also
// the final state (batch, units).
type SimpleRNNLayer struct{ recurrent }

var _ keras.Layer = (*SimpleRNNLayer)(nil)

// SimpleRNN returns a fully connected recurrent layer of units outputs. Options, with Keras's
// defaults: Activation ("tanh"), UseBias (true), KernelInitializer ("glorot_uniform"),
// RecurrentInitializer ("orthogonal"), BiasInitializer ("zeros"), ReturnSequences (false),
// ReturnState (false), GoBackwards (false), Name, Trainable, DType.
func SimpleRNN(units int, opts ...SimpleRNNOption) *SimpleRNNLayer {
	return &SimpleRNNLayer{newRecurrent(internalops.KindSimple, "SimpleRNN", "simple_rnn_cell", units, newOptions(opts))}
}

// Call applies the layer to a sequence and returns its output.
func (l *SimpleRNNLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// CallAll applies the layer and returns all its outputs: the output, then with ReturnState
// the final state.
func (l *SimpleRNNLayer) CallAll(inputs ...*keras.Tensor) []*keras.Tensor {
	return keras.Call(l, inputs...)
}

// ClassName returns "SimpleRNN".
func (l *SimpleRNNLayer) ClassName() string { return "SimpleRNN" }

// Config returns Keras 3's SimpleRNN config.
func (l *SimpleRNNLayer) Config() map[string]any { return l.config() }

func init() {
	registerRecurrent(internalops.KindSimple, "SimpleRNN", "simple_rnn_cell", func(r recurrent) keras.Layer { return &SimpleRNNLayer{r} })
}

// SimpleRNNOption is an option SimpleRNN takes: LSTM's but RecurrentActivation and
// UnitForgetBias.
type SimpleRNNOption interface {
	applier
	simpleRNN()
}
