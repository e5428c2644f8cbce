// Package saving holds Keras 3's file formats as kerago writes and reads them, apart from the
// models they carry: the .keras zip archive (metadata.json, config.json, model.weights.h5)
// and the bounds that keep a hostile archive from expanding without limit, the layout of
// HDF5 weights files (Keras's snake-cased, uniquified object keys, datasets read into tensors,
// optimizer variables, legacy string-list attributes), the JSON encoding of configs with
// Python-style floats, and atomic writes with the cleanup of temporary files that
// interrupted saves leave behind.
//
// It knows nothing of keras.Model: package keras maps models to configs and weight trees and
// calls this package for the bytes. That keeps the formats testable on their own, and lets
// keras keep Model.Save and LoadModel without an import cycle.
package saving
