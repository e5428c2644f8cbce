// Package layers holds kerago's layers: Keras 3's layers, each emitting Gorgonia nodes.
//
// Constructors take Keras's positional arguments, then options named after Keras's keyword
// arguments (Activation, UseBias, KernelInitializer, Strides, Padding ...). Every layer has
//
//	Call(inputs ...*keras.Tensor) *keras.Tensor
//
// which records a call in the model graph. A mistake (a bad option, an input of the wrong
// rank) does not panic: the returned tensor carries an error naming the layer, and
// keras.NewModel returns it. Calling one layer value twice shares its weights.
package layers
