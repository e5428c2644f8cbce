"""Golden values and gradients of Keras 3's losses whose targets are not shaped like the
predictions, CTC and Circle (keras/losses/shaped_golden_test.go).

Run from the repository root:

    KERAS_BACKEND=jax python3 keras/losses/testdata/shaped_losses_golden.py

Each case builds a Keras loss object, calls it on float32 targets and predictions, and
records the object's config as Keras serialises it, the value, and the gradient of the value
with respect to the predictions (jax.grad). It writes
keras/losses/testdata/shaped_losses_golden.json.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras.src.losses.losses import LossFunctionWrapper  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shaped_losses_golden.json")

rng = np.random.default_rng(21)


def f32(x):
    return np.asarray(x, dtype="float32")


def unit(n, d):
    e = rng.normal(size=(n, d))
    return f32(e / np.linalg.norm(e, axis=1, keepdims=True))


CASES = [
    ("CTC repeats and padding", keras.losses.CTC(),
     f32([[1, 2, 2, 0], [3, 1, 4, 2], [4, 0, 0, 0]]), f32(rng.normal(size=(3, 6, 5)) * 2)),
    ("CTC labels as long as the steps", keras.losses.CTC(),
     f32([[1, 1, 2], [2, 3, 0]]), f32(rng.normal(size=(2, 3, 4)))),
    ("CTC padding wider than the steps", keras.losses.CTC(),
     f32([[2, 1, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0]]), f32(rng.normal(size=(2, 4, 3)) * 3)),
    ("ctc by name", "ctc", f32([[1, 2], [2, 2]]), f32(rng.normal(size=(2, 5, 3)))),
    ("Circle default, a class of one", keras.losses.Circle(),
     f32([0, 1, 0, 2, 1, 0]), unit(6, 4)),
    ("Circle gamma 32 margin 0.25 keep diagonal", keras.losses.Circle(gamma=32, margin=0.25, remove_diagonal=False),
     f32([1, 1, 0, 0, 2, 2, 1]), unit(7, 3)),
    ("Circle every class alone", keras.losses.Circle(gamma=16),
     f32([0, 1, 2]), unit(3, 2)),
    ("circle by name, labels (batch, 1)", "circle", f32([[3], [3], [5], [5], [3]]), unit(5, 3)),
]


def main():
    cases = []
    for name, obj, y, p in CASES:
        if isinstance(obj, str):
            # compile wraps a loss function as this does (mean over the batch, Circle's mask)
            loss = LossFunctionWrapper(keras.losses.get(obj), name=obj)
            cls = {"ctc": keras.losses.CTC, "circle": keras.losses.Circle}[obj]()
        else:
            loss = cls = obj
        value, grad = jax.value_and_grad(lambda q: loss(y, q))(p)
        cases.append({
            "name": name,
            "by_name": obj if isinstance(obj, str) else None,
            "class_name": type(cls).__name__,
            "config": keras.saving.serialize_keras_object(cls)["config"],
            "y_shape": list(y.shape), "y": y.ravel().tolist(),
            "pred_shape": list(p.shape), "pred": p.ravel().tolist(),
            "want": float(value),
            "grad": np.asarray(grad, dtype="float64").ravel().tolist(),
        })
    with open(OUT, "w") as f:
        json.dump({"keras": keras.__version__, "backend": keras.backend.backend(), "cases": cases}, f, indent=1)
        f.write("\n")
    print("wrote", len(cases), "cases to", OUT)
    for c in cases:
        print(c["name"], c["want"])


if __name__ == "__main__":
    main()
