"""Generates golden.json: weights after each step of Keras 3 optimizers, float32.

Run from this directory: KERAS_BACKEND=jax python3 golden.py > golden.json
The weights and gradients are those of helpers_test.go (w0, steps), split into two
variables of shapes (3,) and (1, 1), as the Go tests split them.
"""
import json

import numpy as np
import keras

W0 = [1.0, -2.0, 3.0, 0.5]
STEPS = [
    [0.1, -0.2, 0.3, -0.4],
    [0.5, 0.25, -0.125, 1.0],
    [-0.3, 0.7, 0.0, 0.2],
]

CASES = {
    "adamw default": lambda: keras.optimizers.AdamW(),
    "adamw custom": lambda: keras.optimizers.AdamW(
        learning_rate=0.01, weight_decay=0.1, beta_1=0.8, beta_2=0.99, epsilon=1e-3),
    "adamw amsgrad": lambda: keras.optimizers.AdamW(
        learning_rate=0.01, weight_decay=0.5, amsgrad=True),
    "adamax default": lambda: keras.optimizers.Adamax(),
    "adamax custom": lambda: keras.optimizers.Adamax(
        learning_rate=0.05, beta_1=0.8, beta_2=0.9, epsilon=1e-3, weight_decay=0.1),
    "lion default": lambda: keras.optimizers.Lion(),
    "lion custom": lambda: keras.optimizers.Lion(
        learning_rate=0.05, beta_1=0.5, beta_2=0.8, weight_decay=0.1),
    "adadelta default": lambda: keras.optimizers.Adadelta(),
    "adadelta custom": lambda: keras.optimizers.Adadelta(
        learning_rate=1.0, rho=0.8, epsilon=1e-3, weight_decay=0.1),
    "nadam default": lambda: keras.optimizers.Nadam(),
    "nadam custom": lambda: keras.optimizers.Nadam(
        learning_rate=0.05, beta_1=0.8, beta_2=0.9, epsilon=1e-3, weight_decay=0.1),
    "adam clipnorm": lambda: keras.optimizers.Adam(learning_rate=0.01, clipnorm=0.3),
    "adamw clipvalue": lambda: keras.optimizers.AdamW(learning_rate=0.01, clipvalue=0.25),
    "sgd global_clipnorm": lambda: keras.optimizers.SGD(
        learning_rate=0.1, momentum=0.9, global_clipnorm=0.4),
    "rmsprop clipnorm weight_decay": lambda: keras.optimizers.RMSprop(
        learning_rate=0.01, clipnorm=0.2, weight_decay=0.3),
    "ftrl default": lambda: keras.optimizers.Ftrl(),
    "ftrl custom": lambda: keras.optimizers.Ftrl(
        learning_rate=0.1, learning_rate_power=-0.7, initial_accumulator_value=0.3,
        l1_regularization_strength=0.05, l2_regularization_strength=0.2,
        l2_shrinkage_regularization_strength=0.1, beta=0.5, weight_decay=0.1),
    "adam weight_decay": lambda: keras.optimizers.Adam(learning_rate=0.01, weight_decay=0.2),
    "sgd weight_decay": lambda: keras.optimizers.SGD(
        learning_rate=0.1, momentum=0.9, weight_decay=0.3),
    "rmsprop weight_decay": lambda: keras.optimizers.RMSprop(
        learning_rate=0.01, weight_decay=0.3),
    "adagrad weight_decay": lambda: keras.optimizers.Adagrad(
        learning_rate=0.1, weight_decay=0.3),
}


def split(vals):
    return [np.array(vals[:3], "float32"), np.array(vals[3:], "float32").reshape(1, 1)]


def run(make):
    opt = make()
    ws = [keras.Variable(a, dtype="float32") for a in split(W0)]
    opt.build(ws)
    out = []
    for g in STEPS:
        opt.apply(split(g), ws)
        out.append([float(x) for w in ws for x in np.ravel(keras.ops.convert_to_numpy(w))])
    return {"config": opt.get_config(), "class": type(opt).__name__, "steps": out,
            "variables": [v.path for v in opt.variables]}


print(json.dumps({name: run(make) for name, make in CASES.items()}, indent=1, default=str))
