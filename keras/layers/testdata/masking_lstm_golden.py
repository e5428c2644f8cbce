"""Golden outputs of Masking followed by LSTM on padded sequences (keras/layers/masking_test.go).

Run from the repository root:

    KERAS_BACKEND=jax python3 keras/layers/testdata/masking_lstm_golden.py

The LSTM's weights are 0.3·sin(0.7·i + k) over the flattened weight (k = 0, 1, 2 for the
kernel, recurrent kernel and bias), which the Go test computes the same way. Row 0 of the
input is padded after its three steps, row 1 before them, with the mask value 0.5. It writes
keras/layers/testdata/masking_lstm_golden.json.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "masking_lstm_golden.json")
MASK_VALUE = 0.5
STEPS, FEATURES, UNITS = 5, 3, 4


def pattern(shape, k):
    n = int(np.prod(shape))
    return (0.3 * np.sin(0.7 * np.arange(n) + k)).reshape(shape).astype("float32")


def main():
    real = (np.cos(np.arange(2 * 3 * FEATURES) * 1.3) * 0.9).reshape(2, 3, FEATURES).astype("float32")
    x = np.full((2, STEPS, FEATURES), MASK_VALUE, dtype="float32")
    x[0, :3] = real[0]  # padded after
    x[1, 2:] = real[1]  # padded before
    out = {"keras": keras.__version__, "mask_value": MASK_VALUE, "units": UNITS,
           "x": x.tolist(), "unpadded": real.tolist()}
    for seqs in (False, True):
        inp = keras.Input((STEPS, FEATURES))
        masked = keras.layers.Masking(MASK_VALUE)(inp)
        lstm = keras.layers.LSTM(UNITS, return_sequences=seqs)
        model = keras.Model(inp, lstm(masked))
        lstm.set_weights([pattern(w.shape, k) for k, w in enumerate(lstm.get_weights())])
        out["sequences" if seqs else "last"] = np.asarray(model.predict(x, verbose=0)).tolist()
    out["masked_input"] = np.asarray(keras.layers.Masking(MASK_VALUE)(x)).tolist()
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
