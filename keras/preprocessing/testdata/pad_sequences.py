"""Golden values of keras.utils.pad_sequences for package preprocessing's tests.

Writes pad_sequences.json beside this script (or to the path given as the first argument):

    KERAS_BACKEND=jax python3 keras/preprocessing/testdata/pad_sequences.py

or, from keras/preprocessing, `go test -run TestPadSequencesKeras -update`. Each case is a
list of integer sequences, a maxlen (0 standing for None: the longest sequence), padding and
truncating; the result is Keras's int32 array, its shape and flat values.
"""

import json
import os
import random
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402


def case(name, seqs, maxlen, padding, truncating):
    x = keras.utils.pad_sequences(
        seqs, maxlen=maxlen or None, padding=padding, truncating=truncating
    )
    assert x.dtype == np.int32, x.dtype
    return {
        "name": name,
        "seqs": seqs,
        "maxlen": maxlen,
        "padding": padding,
        "truncating": truncating,
        "shape": list(x.shape),
        "values": [int(v) for v in x.reshape(-1)],
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "pad_sequences.json")
    rng = random.Random(7)
    sides = ["pre", "post"]
    cases = []
    fixed = {
        "docstring": [[1], [2, 3], [4, 5, 6]],
        "mixed": [[1, 2, 3], [4, 5, 6, 7, 8], [9], []],
        "one_long": [[11, 12, 13, 14, 15, 16, 17]],
        "extremes": [[2**31 - 1, -(2**31)], [-1, 0, 1]],
    }
    for name, seqs in fixed.items():
        for maxlen in [0, 1, 2, 4, 9]:
            for p in sides:
                for t in sides:
                    cases.append(case(f"{name}/maxlen={maxlen}/{p}/{t}", seqs, maxlen, p, t))
    for i in range(24):
        n = rng.randint(1, 6)
        seqs = [[rng.randint(-5, 5000) for _ in range(rng.randint(0, 10))] for _ in range(n)]
        if all(len(s) == 0 for s in seqs):
            seqs[0].append(42)
        maxlen = rng.choice([0, 1, 3, 5, 8, 12])
        cases.append(case(f"random{i}/maxlen={maxlen}", seqs, maxlen, rng.choice(sides), rng.choice(sides)))
    with open(out, "w") as f:
        json.dump({"keras": keras.__version__, "cases": cases}, f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
