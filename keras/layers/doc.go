// Package layers holds kerago's layers: Keras 3's layers, each emitting Gorgonia nodes.
//
// Constructors take Keras's positional arguments, then options named after Keras's keyword
// arguments (Activation, UseBias, KernelInitializer, Strides, Padding ...). Every layer has
//
//	Call(inputs ...*keras.Tensor) *keras.Tensor
//
// which records a call in the model graph. Options are typed per layer (DenseOption,
// Conv2DOption, LSTMOption, ...), so an option a layer does not take fails to compile. A bad
// value or an input of the wrong rank does not panic: the returned tensor carries an error
// naming the layer (every bad value, joined), and keras.NewModel returns it. Calling one layer
// value twice shares its weights.
//
// Each layer's file holds its constructor, its Keras config as one table of keys (from which
// Config and the from-config function keras.LoadModel uses are derived) and its registration.
package layers
