"""Keras 3 layer configs with non-default initializer arguments (keras/layers/initializer_option_test.go).

Run from the repository root:

    KERAS_BACKEND=jax python3 keras/layers/testdata/initializer_configs.py

Each case is a layer made with initializers whose arguments differ from Keras's defaults,
serialised as Keras saves it in a model's config (keras.saving.serialize_keras_object). It
writes keras/layers/testdata/initializer_configs.json.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
from keras import initializers as I  # noqa: E402
from keras import layers  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "initializer_configs.json")

CASES = [
    layers.Dense(2, kernel_initializer=I.RandomNormal(stddev=0.2), bias_initializer=I.Constant(0.5), name="dense"),
    layers.Conv1D(
        3, 2,
        kernel_initializer=I.VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform"),
        bias_initializer=I.RandomUniform(minval=-0.1, maxval=0.1),
        name="conv1d",
    ),
    layers.LSTM(
        2,
        kernel_initializer=I.TruncatedNormal(mean=0.1, stddev=0.3),
        recurrent_initializer=I.Orthogonal(gain=2.0),
        bias_initializer=I.Zeros(),
        name="lstm",
    ),
    layers.GRU(2, kernel_initializer=I.HeNormal(seed=7), name="gru"),
    layers.Embedding(5, 3, embeddings_initializer=I.RandomUniform(minval=-1.0, maxval=1.0), name="embedding"),
]


def main():
    out = [keras.saving.serialize_keras_object(layer) for layer in CASES]
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
