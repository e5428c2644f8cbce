"""Keras 3.15 models compiled with non-default loss reductions, and what Keras makes of them
(keras/loss_reduction_test.go).

Run from the repository root:

    KERAS_BACKEND=jax python3 keras/testdata/reduction/reduction_fit.py

It writes, beside this script, before any training:

- sum.keras: Dense(5, tanh) -> Dense(2) compiled with SGD(0.05) and
  MeanSquaredError(reduction="sum");
- mean_sw.keras: the same model compiled with Huber(reduction="mean_with_sample_weight");
- none.keras: the same model compiled with MeanAbsoluteError(reduction=None);
- log_cosh.keras and squared_hinge_sum.keras: the same model compiled with LogCosh() and
  SquaredHinge(reduction="sum"), losses whose sample weights kerago once refused;
- shared.keras: one Dense layer called twice, two outputs, compiled with ["mse", "mae"];

and reduction_fit.json: the data (10 samples, batch size 4, so the last batch is short),
evaluate() of each file, and the History of 2 epochs of fit (shuffle=False) without and with
sample weights, each from the saved weights (and with class weights {0: 0.5, 1: 2} for
log_cosh and squared_hinge_sum).
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

DIR = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)
X = rng.normal(size=(10, 3)).astype("float32")
Y = rng.normal(size=(10, 2)).astype("float32")
SW = rng.uniform(0, 2, size=(10,)).astype("float32")
CLASS_WEIGHT = {0: 0.5, 1: 2.0}


def model():
    keras.utils.set_random_seed(3)
    i = keras.Input((3,), name="x")
    h = layers.Dense(5, activation="tanh", name="hidden")(i)
    return keras.Model(i, layers.Dense(2, name="out")(h))


def shared():
    keras.utils.set_random_seed(4)
    i = keras.Input((3,), name="x")
    d = layers.Dense(2, name="shared")
    a = d(i)
    b = d(layers.Dense(3, name="pre")(i))
    return keras.Model(i, [a, b])


def hist(h):
    return {k: [float(v) for v in vs] for k, vs in h.history.items()}


out = {"x": X.tolist(), "y": Y.tolist(), "sample_weight": SW.tolist(), "runs": {}}
for name, loss in [
    ("sum", keras.losses.MeanSquaredError(reduction="sum")),
    ("mean_sw", keras.losses.Huber(reduction="mean_with_sample_weight")),
    ("none", keras.losses.MeanAbsoluteError(reduction=None)),
    ("log_cosh", keras.losses.LogCosh()),
    ("squared_hinge_sum", keras.losses.SquaredHinge(reduction="sum")),
]:
    path = os.path.join(DIR, name + ".keras")
    m = model()
    m.compile(keras.optimizers.SGD(0.05), loss)
    m.save(path)
    run = {
        "evaluate": float(m.evaluate(X, Y, batch_size=4, verbose=0)),
        "weighted_evaluate": float(m.evaluate(X, Y, batch_size=4, sample_weight=SW, verbose=0)),
    }
    if name != "none":  # Keras cannot train on a loss without reduction (non-scalar gradient)
        for key, sw in [("history", None), ("weighted_history", SW)]:
            m = keras.saving.load_model(path)
            h = m.fit(X, Y, batch_size=4, epochs=2, shuffle=False, sample_weight=sw, verbose=0)
            run[key] = hist(h)
    if name in ("log_cosh", "squared_hinge_sum"):  # class weights: argmax of each target row
        m = keras.saving.load_model(path)
        h = m.fit(X, Y, batch_size=4, epochs=2, shuffle=False, class_weight=CLASS_WEIGHT, verbose=0)
        run["class_weighted_history"] = hist(h)
    out["runs"][name] = run

path = os.path.join(DIR, "shared.keras")
m = shared()
m.compile(keras.optimizers.SGD(0.05), ["mse", "mae"])
m.save(path)
m = keras.saving.load_model(path)
h = m.fit(X, [Y, Y], batch_size=4, epochs=2, shuffle=False, verbose=0)
out["shared"] = {"output_names": list(m.output_names), "history": hist(h)}
out["keras_version"] = keras.__version__
with open(os.path.join(DIR, "reduction_fit.json"), "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps(out["runs"], indent=1), out["shared"])
