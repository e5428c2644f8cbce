// Package regularizers holds Keras's weight regularizers (L1, L2, L1L2) and weight
// constraints (MaxNorm, MinMaxNorm, NonNeg, UnitNorm), with Keras's names, arguments, configs
// and numerics.
//
// Layers take them as options (layers.KernelRegularizer(regularizers.L2{L2: 0.01}),
// layers.KernelConstraint(regularizers.MaxNorm{MaxValue: 3}), or the Keras names "l2",
// "max_norm"), and save and load them as Keras writes them:
// {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}, ...}.
// A regularizer's penalty is added to the training loss (and so to the logged "loss") as
// Keras adds layer.losses; a constraint projects its weight after each optimizer step, as
// Keras's optimizer applies variable.constraint.
package regularizers
