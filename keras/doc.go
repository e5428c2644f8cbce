// Package keras is the functional API of kerago: Keras 3's way of defining, training and
// watching neural networks, in Go, running on Gorgonia's symbolic graph.
//
// A model is built from symbolic tensors. [Input] returns a [Tensor] with a static shape in
// which [None] marks an unknown dimension; calling a layer (package layers) on tensors records a
// node in the layer graph and returns new tensors; [NewModel] finds the graph between inputs
// and outputs:
//
//	in := keras.Input(keras.Shape{64})
//	x := layers.Dense(32, layers.Activation("relu")).Call(in)
//	out := layers.Dense(10, layers.Activation("softmax")).Call(x)
//	model, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
//
// Names work as Keras's name= does: [Name] names an input or a model (keras.Input(shape,
// keras.Name("pixels")), keras.NewModel(ins, outs, keras.Name("encoder"))), and layers.Name
// names a layer (layers.Dense(10, layers.Name("logits"))).
//
// [Model.Compile], [Model.Fit], [Model.Evaluate] and [Model.Predict] then train and run it. For
// each concrete input-shape signature (batch size, sequence lengths) the symbolic model is
// realised once as a Gorgonia ExprGraph whose weight nodes all bind the same *tensor.Dense
// values, cached and reused; see program.go.
//
// A model may be used from several goroutines: the steps of Fit, Evaluate and Predict, and
// SetWeights, LoadWeights and Save, take the model's lock in turn, batch by batch. Callbacks
// run between steps and may call any method of the model; see [Callback] for the calls that
// read weights and optimizer state safely while another goroutine trains.
//
// Mistakes never panic: a bad layer call stores its error in the returned tensor, and
// NewModel returns it naming the layer and the shapes; every public entry point recovers
// panics from Gorgonia and returns them as errors.
package keras
