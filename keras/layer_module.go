package keras

// KerasModuler is implemented by a layer whose Keras class lives outside keras.layers, such
// as ConvNeXt's LayerScale (module keras.src.applications.convnext): Keras finds a class by
// its module and registered name, so a saved config must carry them for Keras to load it.
// Layers that do not implement it are written with module "keras.layers" and a null
// registered name, as Keras writes its own layers.
type KerasModuler interface {
	// KerasModule returns the "module" and "registered_name" Keras writes for the layer.
	KerasModule() (module, registeredName string)
}

// KerasOperation is implemented by a layer that stands for a raw keras.ops call Keras 3
// records in a functional model (`x + 3` on a symbolic tensor becomes an operation node of
// module keras.src.ops.numpy, class Add), such as layers.NumpyOpLayer. Keras writes such a
// node differently from a layer: its config holds only its name, it has no build_config,
// and its call's arguments are the operation's positional arguments, numbers included.
type KerasOperation interface {
	KerasModuler
	// KerasCallArgs returns the positional arguments of one call as Keras writes them,
	// given the call's input tensors already serialised.
	KerasCallArgs(tensors []any) []any
}
