// Package losses holds Keras's losses as Gorgonia expressions, keyed by Keras's names.
//
// Every loss reduces as Keras 3 does under its Reduction field (Keras's reduction argument):
// by default "sum_over_batch_size", where the per-sample loss (averaged over the last axis
// for elementwise losses, summed over classes for cross-entropies) is averaged over every
// other axis; Sum, MeanWithSampleWeight and NoReduction as Keras's "sum",
// "mean_with_sample_weight" and None (see Reduction). Where the prediction is a softmax or a
// sigmoid and its logits are known, the cross-entropies are computed from the logits, so
// training stays finite at extreme values.
//
// The losses with arguments take Keras's constructor arguments as fields: FromLogits (the
// model's output is logits, with no activation), LabelSmoothing, Huber's Delta,
// CosineSimilarity's Axis, the focal cross-entropies' Alpha and Gamma, Dice's and Tversky's
// Axis, and so on. Their zero values are Keras's defaults, so the names
// ("categorical_crossentropy", "huber", ...) and the plain values stay what they were:
//
//	model.Compile("adam", losses.CategoricalCrossentropy{FromLogits: true, LabelSmoothing: 0.1})
//	model.Compile("sgd", losses.Huber{Delta: 2})
//	model.Compile("sgd", losses.MeanSquaredError{Reduction: losses.Sum})
//
// Compile configs in saved models write such values as Keras's loss objects, and FromConfig
// reads them back. docs/losses.md lists every loss with its names and arguments.
package losses
