"""A Transformer encoder block written by Keras 3 (keras/transformer_keras_test.go).

Run from the repository root:

    KERAS_BACKEND=jax python3 keras/testdata/transformer/transformer.py write
        builds the Keras guide's encoder block (token and position embeddings, added;
        MultiHeadAttention with 2 heads of key_dim 16; Dropout; Add; LayerNormalization; a
        feed-forward Dense pair; Add; LayerNormalization; GlobalAveragePooling1D; a softmax
        Dense) with seeded weights, compiles it with SGD and sparse categorical
        cross-entropy, and writes transformer.keras beside this file and, in
        transformer.json, the inputs, the labels, Keras's predictions, and Keras's weights
        and loss after one SGD step (train_on_batch) on the whole batch.

The Dropout layers have rate 0: a training step is compared number for number, and the
masks Keras and kerago draw differ.
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB, MAXLEN, EMBED, HEADS, KEY_DIM, FF, CLASSES, BATCH = 20, 8, 32, 2, 16, 32, 3, 6


def model():
    tokens = keras.Input((MAXLEN,), dtype="int32", name="tokens")
    positions = keras.Input((MAXLEN,), dtype="int32", name="positions")
    x = layers.Add()([layers.Embedding(VOCAB, EMBED)(tokens), layers.Embedding(MAXLEN, EMBED)(positions)])
    attn = layers.MultiHeadAttention(num_heads=HEADS, key_dim=KEY_DIM)(x, x)
    attn = layers.Dropout(0.0)(attn)
    x1 = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, attn]))
    ff = layers.Dense(FF, activation="relu")(x1)
    ff = layers.Dense(EMBED)(ff)
    ff = layers.Dropout(0.0)(ff)
    x2 = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x1, ff]))
    y = layers.Dense(CLASSES, activation="softmax")(layers.GlobalAveragePooling1D()(x2))
    return keras.Model([tokens, positions], y, name="transformer")


def arr(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": a.astype(np.float64).ravel().tolist()}


def write():
    keras.utils.set_random_seed(12)
    rng = np.random.default_rng(12)
    m = model()
    # Keras's initial embeddings and zero biases make a dull block: perturb every weight so
    # each path carries signal.
    m.set_weights([w + rng.normal(scale=0.1, size=w.shape).astype("float32") for w in m.get_weights()])
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="sparse_categorical_crossentropy")
    tokens = rng.integers(0, VOCAB, size=(BATCH, MAXLEN)).astype("int32")
    positions = np.tile(np.arange(MAXLEN, dtype="int32"), (BATCH, 1))
    labels = rng.integers(0, CLASSES, size=(BATCH,)).astype("int32")
    before = m.predict([tokens, positions], verbose=0)
    m.save(os.path.join(HERE, "transformer.keras"))
    loss = m.train_on_batch([tokens, positions], labels)
    with open(os.path.join(HERE, "transformer.json"), "w") as f:
        json.dump({
            "keras": keras.__version__,
            "backend": keras.backend.backend(),
            "inputs": [arr(tokens), arr(positions)],
            "labels": arr(labels),
            "predictions": arr(before),
            "loss": float(loss),
            "weights_after_step": [arr(w) for w in m.get_weights()],
        }, f)


if __name__ == "__main__":
    {"write": write}[sys.argv[1]](*sys.argv[2:])
