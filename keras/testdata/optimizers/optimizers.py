"""Writes one small model per optimizer that kerago added after Adam, compiled and trained
two steps by Keras 3.15, saved as NAME.keras, and cases.json with the data and Keras's
weights after one more train_on_batch step.

Run from this directory: KERAS_BACKEND=jax python3 optimizers.py
"""
import json

import numpy as np
import keras

OPTIMIZERS = {
    "adamw": lambda: keras.optimizers.AdamW(learning_rate=0.01, weight_decay=0.1),
    "adamax": lambda: keras.optimizers.Adamax(learning_rate=0.01, weight_decay=0.05),
    "nadam": lambda: keras.optimizers.Nadam(learning_rate=0.01),
    "lion": lambda: keras.optimizers.Lion(learning_rate=0.001, weight_decay=0.1),
    "adadelta": lambda: keras.optimizers.Adadelta(learning_rate=1.0),
    "ftrl": lambda: keras.optimizers.Ftrl(
        learning_rate=0.1, l1_regularization_strength=0.01, l2_regularization_strength=0.01),
    "adamw_clipnorm": lambda: keras.optimizers.AdamW(learning_rate=0.01, clipnorm=0.1),
}


def flat(a):
    a = np.asarray(a, dtype="float64")
    return {"shape": list(a.shape), "data": a.ravel().tolist()}


rng = np.random.default_rng(7)
x = rng.standard_normal((8, 4)).astype("float32")
y = rng.standard_normal((8, 2)).astype("float32")
cases = []
for name, make in OPTIMIZERS.items():
    keras.utils.set_random_seed(1)
    inp = keras.Input((4,))
    out = keras.layers.Dense(2)(keras.layers.Dense(5, activation="tanh")(inp))
    m = keras.Model(inp, out)
    m.compile(optimizer=make(), loss="mse")
    m.train_on_batch(x, y)
    m.train_on_batch(x, y)
    m.save(name + ".keras")
    m.train_on_batch(x, y)
    cases.append({"name": name, "weights": [flat(w) for w in m.get_weights()]})
json.dump({"keras_version": keras.__version__, "x": flat(x), "y": flat(y), "cases": cases},
          open("cases.json", "w"), indent=1)
