"""Golden values of Keras 3's cross-entropies with from_logits and label_smoothing
(keras/losses/crossentropy_golden_test.go).

Run from the repository root:

    KERAS_BACKEND=jax python3 keras/losses/testdata/crossentropy_golden.py

Each case builds a Keras loss object from its class name and config, calls it on float32
targets and predictions, and records the loss object's serialised config (as compile configs
hold it) and the value. Logit rows lie hundreds apart, so a row that depends on its batch
shows. It writes keras/losses/testdata/crossentropy_golden.json.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "crossentropy_golden.json")

rng = np.random.default_rng(14)

# Four rows of five logits; the rows' offsets are far apart (the first row highest).
LOGITS = (rng.normal(size=(4, 5)) * 3 + np.array([[300.0], [0.0], [-250.0], [40.0]])).astype("float32")
ONE_HOT = np.eye(5, dtype="float32")[[1, 4, 0, 2]]
IDS = np.array([1, 4, 0, 2], dtype="int32")
SOFT = rng.dirichlet(np.ones(5), size=4).astype("float32")  # probability targets
PROBS = keras.ops.convert_to_numpy(keras.ops.softmax(rng.normal(size=(4, 5)).astype("float32")))
BIN_LOGITS = (rng.normal(size=(4, 3)) * 20).astype("float32")
BIN_Y = rng.integers(0, 2, size=(4, 3)).astype("float32")
BIN_P = rng.uniform(0.01, 0.99, size=(4, 3)).astype("float32")

CASES = [
    ("cce from logits", "CategoricalCrossentropy", dict(from_logits=True), ONE_HOT, LOGITS),
    ("cce from logits, probability targets", "CategoricalCrossentropy", dict(from_logits=True), SOFT, LOGITS),
    ("cce from logits, smoothing 0.1", "CategoricalCrossentropy", dict(from_logits=True, label_smoothing=0.1), ONE_HOT, LOGITS),
    ("cce from probabilities, smoothing 0.2", "CategoricalCrossentropy", dict(label_smoothing=0.2), ONE_HOT, PROBS),
    ("scce from logits", "SparseCategoricalCrossentropy", dict(from_logits=True), IDS, LOGITS),
    ("scce from probabilities", "SparseCategoricalCrossentropy", dict(), IDS, PROBS),
    ("bce from logits", "BinaryCrossentropy", dict(from_logits=True), BIN_Y, BIN_LOGITS),
    ("bce from logits, smoothing 0.3", "BinaryCrossentropy", dict(from_logits=True, label_smoothing=0.3), BIN_Y, BIN_LOGITS),
    ("bce from probabilities, smoothing 0.1", "BinaryCrossentropy", dict(label_smoothing=0.1), BIN_Y, BIN_P),
]


def main():
    cases = []
    for name, cls, kwargs, y, p in CASES:
        loss = getattr(keras.losses, cls)(**kwargs)
        value = float(keras.ops.convert_to_numpy(loss(y, p)))
        cases.append({
            "name": name,
            "loss": keras.saving.serialize_keras_object(loss),
            "y": np.asarray(y).tolist(),
            "pred": np.asarray(p).tolist(),
            "want": value,
        })
    with open(OUT, "w") as f:
        json.dump({"keras": keras.__version__, "backend": keras.backend.backend(), "cases": cases}, f, indent=1)
        f.write("\n")
    print("wrote", len(cases), "cases to", OUT)


if __name__ == "__main__":
    main()
