// Package kerastest holds test helpers for layers and models: a gradient check against
// central finite differences and a layer-conformance check, in the spirit of Keras's
// run_layer_test. Custom layers can use them in their own tests.
package kerastest
