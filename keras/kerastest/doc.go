// Package kerastest holds test helpers for layers and models, usable by custom layers in their
// own tests: [RunLayerTest], Keras's run_layer_test in Go (output and weight shapes, a
// save/LoadModel round trip, bad inputs, golden values from Keras 3, gradients), and
// [CheckGradients], a gradient check against central finite differences.
package kerastest
