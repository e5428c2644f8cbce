"""Writes the Keras 3 goldens of keras/weighting_test.go: a small classifier (model.keras,
saved untrained: its weights are the common starting point) trained 3 epochs with
sample_weight, class_weight and validation_freq, and the log names of a two-output model
(two_outputs.keras) for several metrics arguments. Run from this folder:
KERAS_BACKEND=jax python3 weighting.py"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np
import keras

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(3)
keras.utils.set_random_seed(3)

x = rng.normal(size=(40, 4)).astype("float32")
labels = rng.integers(0, 3, 40)
y = np.eye(3, dtype="float32")[labels]
sw = (rng.random(40) * 2).astype("float32")

inp = keras.Input((4,), name="x")
h = keras.layers.Dense(6, activation="tanh", name="hidden")(inp)
out = keras.layers.Dense(3, activation="softmax", name="probs")(h)
model = keras.Model(inp, out)
model.save(os.path.join(here, "model.keras"))
init = model.get_weights()

runs = {
    "sample_weight": dict(metrics=["acc", "mse"], weighted_metrics=["acc", "auc", "categorical_crossentropy"],
                          fit=dict(sample_weight=sw, validation_split=0.25, validation_freq=2)),
    "class_weight": dict(metrics=["accuracy"], weighted_metrics=["accuracy", "precision"],
                         fit=dict(class_weight={0: 1.0, 1: 2.5, 2: 0.5}, validation_split=0.25)),
    "plain": dict(metrics=["top_k_categorical_accuracy", "bce", "kl_divergence"], weighted_metrics=None,
                  fit=dict(validation_split=0.25, validation_freq=3)),
}
results = {}
for name, r in runs.items():
    model.set_weights(init)
    model.compile(keras.optimizers.SGD(0.2), "categorical_crossentropy", metrics=r["metrics"],
                  weighted_metrics=r["weighted_metrics"])
    hist = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0, **r["fit"])
    ev = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True,
                        **({"sample_weight": sw} if name == "sample_weight" else {}))
    results[name] = {"history": {k: [float(v) for v in vs] for k, vs in hist.history.items()},
                     "evaluate": {k: float(v) for k, v in ev.items()}}

# Two outputs: the log names Keras gives for each metrics argument.
inp = keras.Input((4,), name="x")
a = keras.layers.Dense(1, activation="sigmoid", name="out_a")(inp)
b = keras.layers.Dense(3, activation="softmax", name="out_b")(inp)
two = keras.Model(inp, [a, b])
two.save(os.path.join(here, "two_outputs.keras"))
ya = rng.integers(0, 2, (40, 1)).astype("float32")
names = {}
for label, kw in {
    "flat": dict(metrics=["acc", "mse"]),
    "flat_nested": dict(metrics=[["acc", "mae"], ["accuracy", "acc"]]),
    "dict": dict(metrics={"out_b": ["acc", "top_k_categorical_accuracy"]}),
    "weighted_flat": dict(metrics=["accuracy", "accuracy"], weighted_metrics=["accuracy", "mse"]),
    "weighted_dict": dict(metrics={"out_b": ["accuracy"]}, weighted_metrics={"out_b": ["accuracy"], "out_a": ["bce"]}),
}.items():
    two.compile("sgd", ["binary_crossentropy", "categorical_crossentropy"], **kw)
    hist = two.fit(x, [ya, y], batch_size=8, epochs=1, shuffle=False, verbose=0, sample_weight=sw)
    names[label] = sorted(hist.history)
errors = {}
for label, kw in {"flat_short": dict(metrics=["acc"]), "flat_long": dict(metrics=["acc", "mse", "mae"])}.items():
    two.compile("sgd", ["binary_crossentropy", "categorical_crossentropy"], **kw)
    try:
        two.fit(x, [ya, y], batch_size=8, epochs=1, verbose=0)
        errors[label] = None
    except ValueError as e:
        errors[label] = str(e).splitlines()[0]

# A compiled model whose compile_config holds metric objects and weighted metrics: Go loads
# it, compiles from that config and evaluates as Keras does.
model.set_weights(init)
model.compile(keras.optimizers.SGD(0.2), "categorical_crossentropy",
              metrics=[keras.metrics.AUC(num_thresholds=50, name="auc50"), "acc"],
              weighted_metrics=[keras.metrics.Precision(thresholds=0.3), keras.metrics.F1Score(average="macro")])
model.save(os.path.join(here, "compiled.keras"))
loaded = keras.saving.load_model(os.path.join(here, "compiled.keras"))
compiled_eval = {k: float(v) for k, v in loaded.evaluate(x, y, batch_size=8, verbose=0, return_dict=True, sample_weight=sw).items()}
results["compiled"] = {"history": {}, "evaluate": compiled_eval}

# A sequence output with Keras's per-time-step weights (n, steps); the loss divides by
# batch × steps.
xs = rng.normal(size=(24, 5, 3)).astype("float32")
ys = np.eye(2, dtype="float32")[rng.integers(0, 2, (24, 5))]
sws = (rng.random((24, 5)) * 2).astype("float32")
inp = keras.Input((5, 3), name="steps")
seq = keras.Model(inp, keras.layers.Dense(2, activation="softmax", name="tags")(inp))
seq.save(os.path.join(here, "sequence.keras"))
seq.compile(keras.optimizers.SGD(0.3), "categorical_crossentropy", metrics=["acc"],
            weighted_metrics=["acc", "mse", keras.metrics.Precision()])
hist = seq.fit(xs, ys, batch_size=8, epochs=2, shuffle=False, verbose=0, sample_weight=sws)
sequence = {"x": xs.reshape(24, 15).tolist(), "y": ys.reshape(24, 10).tolist(), "sample_weight": sws.tolist(),
            "history": {k: [float(v) for v in vs] for k, vs in hist.history.items()}}

with open(os.path.join(here, "weighting.json"), "w") as f:
    json.dump({"keras": keras.__version__, "x": x.tolist(), "y": y.tolist(), "y_a": ya.tolist(),
               "sample_weight": sw.tolist(), "runs": results, "names": names, "errors": errors, "sequence": sequence}, f, indent=1)
print("ok")
