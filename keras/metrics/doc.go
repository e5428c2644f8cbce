// Package metrics holds Keras 3's metrics, computed in Go from the predictions and targets of
// each batch and accumulated over an epoch as Keras's stateful metrics are, with Keras's
// numerics (checked against Keras 3.15 in testdata/metrics_golden.py).
//
// Get takes every identifier keras.metrics.get takes: class names ("Precision", "AUC"),
// their snake_case forms ("precision", "auc", "top_k_categorical_accuracy",
// "binary_crossentropy") and Keras's aliases ("bce", "mse", "mae", "mape", "msle"). Losses
// are metrics too ("binary_crossentropy", "categorical_crossentropy", "kl_divergence",
// "poisson", "hinge" ...). Names Keras 3 refuses are refused ("kld", "logcosh"). "acc" and
// "accuracy" resolve as Keras's compile resolves them at their first update: binary accuracy
// when the prediction's last dimension is 1, sparse categorical accuracy when the targets are
// class indices, categorical accuracy otherwise. A metric logs under the name the user gave.
//
// Metrics with arguments are built with constructors and options named after Keras's
// arguments: NewPrecision(Thresholds(0.3)), NewAUC(NumThresholds(50), Curve("PR")),
// NewF1Score(Average("macro")), NewMeanIoU(NumClasses(4)), NewTopKCategoricalAccuracy(K(2)),
// NewAUC(MultiLabel(true)), NewPrecisionAtRecall(0.8), NewIoU(NumClasses(4),
// TargetClassIDs(0, 2)), NewR2Score(NumRegressors(2)). A metric whose Keras result is one value
// per class (F1Score's default average=None) gives it through [Vector.Results]; Compile refuses
// it, since logs hold scalars.
// Every metric here is a WeightedMetric: UpdateWeighted takes Keras's sample_weight, one
// weight per sample (the result is then Σ w·v / Σ w for means, weighted counts for the
// confusion metrics).
package metrics
