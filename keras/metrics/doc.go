// Package metrics holds Keras's metrics, computed in Go from the predictions and targets of
// each batch and averaged over an epoch as Keras's stateful metrics are.
//
// "acc" and "accuracy" resolve as Keras resolves them at their first update: binary accuracy
// when the prediction's last dimension is 1, sparse categorical accuracy when the targets are
// class indices, categorical accuracy otherwise. A metric logs under the name the user gave.
package metrics
