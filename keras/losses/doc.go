// Package losses holds Keras's losses as Gorgonia expressions, keyed by Keras's names.
//
// Every loss reduces as Keras 3's default "sum_over_batch_size" does: the per-sample loss
// (averaged over the last axis for elementwise losses, summed over classes for
// cross-entropies) is averaged over every other axis. Where the prediction is a softmax or a
// sigmoid and its logits are known, the cross-entropies are computed from the logits, so
// training stays finite at extreme values.
package losses
