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
// realised as a Gorgonia ExprGraph whose weight nodes all read the same numbers, cached and
// reused; see program.go and pool.go.
//
// A model may be used from several goroutines. The steps of Predict and Evaluate run at the
// same time, each on a realisation of its own; a training step (Fit, TrainOnBatch, Gradients),
// SetWeights, LoadWeights and Save hold the model's lock for writing and exclude them only
// while the weights change. Models that share layers (a model nested in another, one layer
// called in two models, a model over part of another's graph) share that lock, so an encoder's
// Predict never reads the weights its outer model's Fit is writing; models that share nothing
// never wait for each other. Callbacks run between steps and may call any method of the model
// (or of a model sharing its layers); see [Callback] for the calls that read weights and
// optimizer state safely while another goroutine trains.
//
// Mistakes never panic: a bad layer call stores its error in the returned tensor, and
// NewModel returns it naming the layer and the shapes; every public entry point recovers
// panics from Gorgonia and returns them as errors.
//
// # Options
//
// Each call takes the options Keras's method of the same name takes, and no others: [Model.Fit]
// takes [FitOption]s, [Model.Evaluate] [EvaluateOption]s, [Model.Predict] [PredictOption]s.
// [BatchSize], [Verbose] and [Callbacks] serve all three (they return a [LoopOption]); [Epochs],
// [InitialEpoch], [Shuffle], [ValidationData] and [ValidationSplit] only Fit, so
// model.Predict(x, keras.Epochs(10)) is a compile error rather than an option silently
// ignored. An option only records its value: the call checks them all and returns every
// problem at once, joined with errors.Join, one line each.
//
// # Errors
//
// Every error names the call and what was wrong with what, in one style:
//
//	keras: Fit: batch_size: must be positive, got 0
//	keras: Fit: input "pixels": incompatible shape: expected data of shape (None, 784), got (60000, 28, 28)
//	keras: Compile: loss of output "dense_1": unknown loss "msee" (known: ...)
//	keras: dense_2 (Dense): input has 5 features, the layer was built for 4
//
// and is of one kind, which errors.Is tests. The kinds are one set shared by every package of
// the module: [ErrShape], [ErrDType], [ErrUnknownName], [ErrGraph], [ErrNotCompiled],
// [ErrData], [ErrInvalidArgument], [ErrFileFormat] and [ErrInternal] (a panic recovered from
// Gorgonia). A sub-package's own sentinels refine them: losses.ErrUnknownLoss,
// metrics.ErrUnknownMetric, optimizers.ErrUnknownOptimizer and
// initializers.ErrUnknownInitializer are each an ErrUnknownName, so
//
//	errors.Is(err, keras.ErrUnknownName)  // any unknown name: loss, metric, optimizer,
//	                                      // initializer, activation, layer class, input, ...
//	errors.Is(err, losses.ErrUnknownLoss) // an unknown loss only
//
// both hold for an unknown loss. The options and arguments of Compile, Fit, Evaluate and
// Predict are reported as [*ArgumentError] (errors.As gives the call and Keras's argument
// name), a layer's mistakes as [*LayerError] (the layer's name and class); the sub-packages
// have error types of their own (optimizers.Error, callbacks.Error, tensorboard.Error, ...).
package keras
