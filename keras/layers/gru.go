package layers

import (
	"github.com/kerago/kerago/keras"
	internalops "github.com/kerago/kerago/keras/internal/ops"
)

// GRULayer is the Gated Recurrent Unit layer (Cho et al. 2014), as Keras 3's GRU. With
// ResetAfter (the default) at every step, σ the recurrent activation:
//
//	xz, xr, xh = split(x_t·kernel + bias[0]);  rz, rr, rh = split(h_{t-1}·recurrent_kernel + bias[1])
//	z = σ(xz + rz);  r = σ(xr + rr);  h̃ = tanh(xh + r∘rh);  h_t = z∘h_{t-1} + (1-z)∘h̃
//
// ResetAfter(false) applies the reset gate before the product: h̃ = tanh(xh + (r∘h_{t-1})·U_h)
// with one bias (3·units,) on the input side.
//
// # Weights
//
// kernel (features, 3·units), recurrent_kernel (units, 3·units), bias (2, 3·units) (input bias,
// recurrent bias; (3·units,) without ResetAfter), gates in Keras's order z, r, h; paths
// gru/gru_cell/kernel.
//
// # Input shape
//
// (batch, time steps, features); the number of time steps may be None.
//
// # Output shape
//
// (batch, units), or (batch, time steps, units) with ReturnSequences; with ReturnState also
// the final state (batch, units).
type GRULayer struct{ recurrent }

var _ keras.Layer = (*GRULayer)(nil)

// GRU returns a Gated Recurrent Unit layer of units outputs. Options, with Keras's defaults:
// Activation ("tanh"), RecurrentActivation ("sigmoid"), UseBias (true), KernelInitializer
// ("glorot_uniform"), RecurrentInitializer ("orthogonal"), BiasInitializer ("zeros"),
// ResetAfter (true), ReturnSequences (false), ReturnState (false), GoBackwards (false), Name,
// Trainable, DType.
func GRU(units int, opts ...GRUOption) *GRULayer {
	return &GRULayer{newRecurrent(internalops.KindGRU, "GRU", "gru_cell", units, newOptions(opts))}
}

// Call applies the layer to a sequence and returns its output.
func (l *GRULayer) Call(inputs ...*keras.Tensor) *keras.Tensor { return keras.CallOne(l, inputs...) }

// CallAll applies the layer and returns all its outputs: the output, then with ReturnState
// the final state.
func (l *GRULayer) CallAll(inputs ...*keras.Tensor) []*keras.Tensor {
	return keras.Call(l, inputs...)
}

// ClassName returns "GRU".
func (l *GRULayer) ClassName() string { return "GRU" }

// Config returns Keras 3's GRU config.
func (l *GRULayer) Config() map[string]any { return l.config() }

func init() {
	registerRecurrent(internalops.KindGRU, "GRU", "gru_cell", func(r recurrent) keras.Layer { return &GRULayer{r} })
}

// GRUOption is an option GRU takes: LSTM's, with ResetAfter for UnitForgetBias.
type GRUOption interface {
	applier
	gru()
}

// gruOnly carries the options only GRU takes.
type gruOnly struct{ setter }

func (gruOnly) gru() {}

// ResetAfter selects GRU's variant (default true, as in Keras 3).
func ResetAfter(b bool) GRUOption {
	return gruOnly{func(o *options) { o.mark("ResetAfter"); o.resetAfter = b }}
}
