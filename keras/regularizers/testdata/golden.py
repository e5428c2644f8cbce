"""Golden values of Keras 3's regularizers and constraints (keras/regularizers/golden_test.go).

Run from the repository root:

    KERAS_BACKEND=jax python3 keras/regularizers/testdata/golden.py

Each case applies a Keras regularizer (its penalty) or constraint (the projected weight) to a
float32 weight and records the object as Keras serialises it. It writes
keras/regularizers/testdata/golden.json.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import constraints as C  # noqa: E402
from keras import regularizers as R  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")

rng = np.random.default_rng(5)
W2 = (rng.normal(size=(4, 3)) * 0.8).astype("float32")
W4 = (rng.normal(size=(2, 3, 2, 3)) * 0.6).astype("float32")
W2Z = W2.copy()
W2Z[1] = 0  # a zero row: normalize floors its norm

CASES = [
    ("l1 by name", "l1", W2),
    ("l2 by name", "l2", W2),
    ("L1 0.3", R.L1(0.3), W2),
    ("L2 0.05", R.L2(0.05), W4),
    ("L1L2 default", R.L1L2(), W2),
    ("L1L2 0.01 0.02", R.L1L2(l1=0.01, l2=0.02), W4),
    ("max_norm by name", "max_norm", W2 * 3),
    ("MaxNorm 0.5", C.MaxNorm(0.5), W2),
    ("MaxNorm 1 over 3 axes", C.MaxNorm(1.0, axis=[0, 1, 2]), W4),
    ("MinMaxNorm", C.MinMaxNorm(0.4, 0.9, rate=0.7, axis=1), W2),
    ("MinMaxNorm default", "min_max_norm", W4),
    ("NonNeg", C.NonNeg(), W4),
    ("UnitNorm", C.UnitNorm(), W2),
    ("UnitNorm axis -1", C.UnitNorm(axis=-1), W4),
    ("orthogonal_regularizer by name", "orthogonal_regularizer", W2),
    ("OrthogonalRegularizer 0.3 columns", R.OrthogonalRegularizer(0.3, mode="columns"), W2),
    ("OrthogonalRegularizer 0.05 rows, a zero row", R.OrthogonalRegularizer(0.05), W2Z),
]


def main():
    cases = []
    for name, obj, w in CASES:
        is_reg = isinstance(obj, R.Regularizer) or obj in ("l1", "l2", "orthogonal_regularizer")
        o = R.get(obj) if is_reg else C.get(obj)
        # A backend tensor, as a layer's weight is: OrthogonalRegularizer normalises a NumPy
        # array by another path (numerical_utils.normalize) than a tensor (ops.normalize).
        out = keras.ops.convert_to_numpy(o(keras.ops.convert_to_tensor(w)))
        cases.append({
            "name": name,
            "by_name": obj if isinstance(obj, str) else None,
            "object": keras.saving.serialize_keras_object(o),
            "shape": list(w.shape),
            "w": w.ravel().tolist(),
            "want": np.asarray(out, dtype="float64").ravel().tolist(),
        })
    with open(OUT, "w") as f:
        json.dump({"keras": keras.__version__, "backend": keras.backend.backend(), "cases": cases}, f, indent=1)
        f.write("\n")
    print("wrote", len(cases), "cases to", OUT)


if __name__ == "__main__":
    main()
