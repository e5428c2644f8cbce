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
