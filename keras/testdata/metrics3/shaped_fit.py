"""Writes shaped_fit.json, ctc.keras and circle.keras: two small models compiled with the
losses whose targets are not shaped like the output, keras.losses.CTC() and
keras.losses.Circle(gamma=16), saved before training, with Keras 3's evaluation before
training and its History over 2 epochs of SGD (batch 8, no shuffling), each without and with
sample weights.
keras/shaped_losses_test.go loads the files in Go, evaluates and trains them the same way.
Run: KERAS_BACKEND=jax python3 shaped_fit.py"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np
import keras

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(31)
keras.utils.set_random_seed(31)
out = {"keras": keras.__version__}

# CTC: 6 steps of 4 features to 5 classes (0 the blank); labels of 1 to 3 classes, 0-padded.
x = rng.normal(size=(16, 6, 4)).astype("float32")
y = rng.integers(1, 5, (16, 3)).astype("float32")
y[rng.random((16, 3)) < 0.3] = 0  # padding, moved to the right below
y = np.array([[v for v in r if v] + [0] * int((r == 0).sum()) for r in y], "float32")
inp = keras.Input((6, 4), name="frames")
model = keras.Model(inp, keras.layers.Dense(5, name="logits")(inp))
model.compile(keras.optimizers.SGD(0.1), keras.losses.CTC())
model.save(os.path.join(here, "ctc.keras"))
init = model.get_weights()
sw = (rng.random(16) * 2).astype("float32")
before = model.evaluate(x, y, batch_size=8, verbose=0)
weighted = model.evaluate(x, y, batch_size=8, verbose=0, sample_weight=sw)
hist = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
model.set_weights(init)
model.compile(keras.optimizers.SGD(0.1), keras.losses.CTC())  # a fresh optimizer
whist = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, sample_weight=sw)
out["ctc"] = {"x": x.reshape(16, 24).tolist(), "y": y.tolist(), "evaluate": float(before),
              "history": [float(v) for v in hist.history["loss"]], "sample_weight": sw.tolist(),
              "weighted_evaluate": float(weighted), "weighted_history": [float(v) for v in whist.history["loss"]]}

# Circle: 5 features to unit-normalised 3-d embeddings of 3 classes.
x = rng.normal(size=(16, 5)).astype("float32")
y = rng.integers(0, 3, (16,)).astype("float32")
inp = keras.Input((5,), name="features")
h = keras.layers.Dense(3, name="embed")(inp)
model = keras.Model(inp, keras.layers.UnitNormalization(name="unit")(h))
model.compile(keras.optimizers.SGD(0.05), keras.losses.Circle(gamma=16))
model.save(os.path.join(here, "circle.keras"))
init = model.get_weights()
sw = (rng.random(16) * 2).astype("float32")
before = model.evaluate(x, y, batch_size=8, verbose=0)
weighted = model.evaluate(x, y, batch_size=8, verbose=0, sample_weight=sw)
hist = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
model.set_weights(init)
model.compile(keras.optimizers.SGD(0.05), keras.losses.Circle(gamma=16))
whist = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, sample_weight=sw)
out["circle"] = {"x": x.tolist(), "y": y.tolist(), "evaluate": float(before),
                 "history": [float(v) for v in hist.history["loss"]], "sample_weight": sw.tolist(),
                 "weighted_evaluate": float(weighted), "weighted_history": [float(v) for v in whist.history["loss"]]}

with open(os.path.join(here, "shaped_fit.json"), "w") as f:
    json.dump(out, f)
print({k: (v["evaluate"], v["history"], v["weighted_evaluate"], v["weighted_history"]) for k, v in out.items() if k != "keras"})
