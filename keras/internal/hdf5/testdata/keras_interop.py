"""Check that Keras reads the weight files the Go writer makes, and write Keras files for the Go reader.

Usage:
  python3 keras_interop.py load FILE...  load each FILE (.weights.h5 or legacy .h5) into the test model
  python3 keras_interop.py load_model FILE...
                                         load each whole model (.keras or legacy .h5) with keras.saving.load_model
  python3 keras_interop.py save DIR      train the test model one step and save DIR/model.weights.h5,
                                         DIR/legacy.h5 and DIR/model.keras
Each prints, as JSON, a list with one entry per model: the model's weights afterwards, as a list of
{"shape": [...], "value": [flat float32 values as repr strings]}.
The test model: Input((8,), name="x") -> Dense(16, name="d1") -> Dense(3, name="d2").
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402


def model():
    inp = keras.Input((8,), name="x")
    h = keras.layers.Dense(16, name="d1")(inp)
    out = keras.layers.Dense(3, name="d2")(h)
    return keras.Model(inp, out, name="mlp")


def dump(m):
    return [{"shape": list(w.shape), "value": [repr(float(x)) for x in w.ravel()]} for w in m.get_weights()]


def main():
    mode, paths = sys.argv[1], sys.argv[2:]
    out = []
    for path in paths:
        if mode == "load_model":
            # compile=False: Keras 3.15 cannot re-read the "mse" loss of its own legacy files.
            out.append(dump(keras.saving.load_model(path, compile=False)))
            continue
        m = model()
        if mode == "load":
            m.load_weights(path)
        else:
            m.compile(optimizer="adam", loss="mse")
            rng = np.random.default_rng(1)
            m.fit(rng.standard_normal((4, 8)), rng.standard_normal((4, 3)), epochs=1, verbose=0)
            m.save_weights(os.path.join(path, "model.weights.h5"))
            m.save(os.path.join(path, "legacy.h5"))
            m.save(os.path.join(path, "model.keras"))
        out.append(dump(m))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
