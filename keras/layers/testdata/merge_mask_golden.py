"""Golden output masks of the merge layers and Concatenate (keras/layers/merge_mask_test.go).

Run from the repository root:

    KERAS_BACKEND=jax python3 keras/layers/testdata/merge_mask_golden.py

Each case feeds token ids through Embedding layers (with or without mask_zero=True), merges
the embeddings with one Keras 3 layer, and records the mask Keras attaches to the result
(keras.src.backend.get_keras_mask), or null when there is none. It writes
keras/layers/testdata/merge_mask_golden.json.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402
from keras.src import backend  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "merge_mask_golden.json")

# Two rows per input; 0 is the padding id.
A = [[0, 1, 0, 2], [3, 0, 0, 0]]  # KERAS.md §1.7: masked steps [F, T, F, T]
B = [[1, 1, 0, 0], [0, 4, 5, 0]]
C = [[2, 0, 3], [1, 2, 0]]  # three steps, for time-axis concatenation
D = [[0, 0, 0, 1], [1, 0, 1, 0]]


def inp(ids, mask_zero, dim=2):
    return {"ids": ids, "mask_zero": mask_zero, "dim": dim}


CASES = [
    # Concatenate on the time axis: the masks are concatenated, a missing one counts as ones.
    ("concat time, masked + unmasked (KERAS.md 1.7)", "Concatenate", 1,
     [inp(A, True), inp(A, False)]),
    ("concat time, both masked", "Concatenate", 1, [inp(A, True), inp(B, True)]),
    ("concat time, three inputs of different lengths", "Concatenate", 1,
     [inp(B, True), inp(C, False), inp(C, True)]),
    ("concat time, negative axis", "Concatenate", -2, [inp(C, False), inp(A, True)]),
    ("concat time, no masks", "Concatenate", 1, [inp(A, False), inp(B, False)]),
    # Concatenate on the feature axis: Keras 3 ORs the masks (any over the last axis).
    ("concat features, both masked", "Concatenate", -1,
     [inp(A, True, 2), inp(B, True, 3)]),
    ("concat features, three masked", "Concatenate", 2,
     [inp(A, True), inp(B, True), inp(D, True)]),
    ("concat features, masked + unmasked", "Concatenate", -1, [inp(A, True), inp(B, False)]),
    ("concat features, no masks", "Concatenate", -1, [inp(A, False), inp(B, False)]),
    # Element-wise merges: OR of the masks, no mask when any input has none.
    ("add, both masked", "Add", None, [inp(A, True), inp(B, True)]),
    ("add, masked + unmasked", "Add", None, [inp(A, True), inp(B, False)]),
    ("add, unmasked + masked", "Add", None, [inp(A, False), inp(B, True)]),
    ("add, three masked", "Add", None, [inp(A, True), inp(B, True), inp(D, True)]),
    ("subtract, both masked", "Subtract", None, [inp(A, True), inp(D, True)]),
    ("multiply, both masked", "Multiply", None, [inp(B, True), inp(D, True)]),
    ("average, both masked", "Average", None, [inp(A, True), inp(B, True)]),
    ("maximum, both masked", "Maximum", None, [inp(A, True), inp(D, True)]),
    ("minimum, masked + unmasked", "Minimum", None, [inp(A, True), inp(D, False)]),
]


def main():
    cases = []
    for name, cls, axis, inputs in CASES:
        xs = []
        for spec in inputs:
            emb = layers.Embedding(8, spec["dim"], mask_zero=spec["mask_zero"])
            xs.append(emb(np.array(spec["ids"], dtype="int32")))
        layer = getattr(layers, cls)(axis=axis) if cls == "Concatenate" else getattr(layers, cls)()
        out = layer(xs)
        mask = backend.get_keras_mask(out)
        cases.append({
            "name": name,
            "layer": cls,
            "axis": axis,
            "inputs": inputs,
            "output_shape": list(out.shape),
            "mask": None if mask is None else np.asarray(mask).astype(int).tolist(),
        })
    with open(OUT, "w") as f:
        json.dump({"keras": keras.__version__, "cases": cases}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
