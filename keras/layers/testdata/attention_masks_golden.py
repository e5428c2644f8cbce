"""The attention layers on masked embeddings, written by Keras 3
(keras/layers/attention_masks_test.go).

Run from the repository root:

    KERAS_BACKEND=jax python3 keras/layers/testdata/attention_masks_golden.py

The model has four outputs. "self": token ids (0 pads) through Embedding(mask_zero=True)
into a causal self-attention (use_causal_mask=True, a call argument Keras records in the
saved model), then GlobalAveragePooling1D, which averages over the query's mask that the
attention passes on. "cross": a query of 4 ids and a value of 6 ids, each through its own
masked Embedding, into a cross-attention with 3 heads, then the same pooling. "dot": the
query's embedding and another of the value into Attention(use_scale=True). "additive": the
tokens' embedding into a causal AdditiveAttention. Weights are
seeded and perturbed. It writes attention_masks_golden.keras and, in attention_masks_golden.json, the
inputs and Keras's predictions.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    keras.utils.set_random_seed(5)
    rng = np.random.default_rng(5)
    tokens = keras.Input((6,), dtype="int32", name="tokens")
    query = keras.Input((4,), dtype="int32", name="query")
    value = keras.Input((6,), dtype="int32", name="value")
    e = layers.Embedding(10, 8, mask_zero=True)(tokens)
    self_out = layers.GlobalAveragePooling1D(name="self")(
        layers.MultiHeadAttention(2, 4)(e, e, use_causal_mask=True))
    q = layers.Embedding(10, 6, mask_zero=True)(query)
    v = layers.Embedding(10, 5, mask_zero=True)(value)
    cross_out = layers.GlobalAveragePooling1D(name="cross")(
        layers.MultiHeadAttention(3, 2)(q, v))
    # Attention and AdditiveAttention on the same masked inputs: dot scores with a learned
    # scale (the value's mask keeps padded value steps out, the query's zeroes padded query
    # steps), and additive causal self-attention.
    v6 = layers.Embedding(10, 6, mask_zero=True)(value)
    dot_out = layers.GlobalAveragePooling1D(name="dot")(layers.Attention(use_scale=True)([q, v6]))
    add_out = layers.GlobalAveragePooling1D(name="additive")(
        layers.AdditiveAttention()([e, e], use_causal_mask=True))
    m = keras.Model([tokens, query, value], [self_out, cross_out, dot_out, add_out])
    m.set_weights([w + rng.normal(scale=0.2, size=w.shape).astype("float32") for w in m.get_weights()])
    # padding at the end, at the start, in the middle and none
    t = np.array([[3, 4, 5, 0, 0, 0], [0, 0, 2, 7, 1, 9], [1, 0, 2, 0, 3, 4], [5, 6, 7, 8, 9, 1]], "int32")
    qi = np.array([[1, 2, 0, 0], [0, 3, 4, 5], [6, 7, 8, 9], [0, 0, 0, 2]], "int32")
    vi = np.array([[2, 3, 4, 0, 0, 0], [1, 0, 0, 0, 0, 0], [0, 5, 6, 7, 8, 9], [4, 4, 4, 4, 0, 0]], "int32")
    ys = m.predict([t, qi, vi], verbose=0)
    m.save(os.path.join(HERE, "attention_masks_golden.keras"))

    def arr(a):
        a = np.asarray(a)
        return {"shape": list(a.shape), "dtype": str(a.dtype), "data": a.astype(np.float64).ravel().tolist()}

    with open(os.path.join(HERE, "attention_masks_golden.json"), "w") as f:
        json.dump({"keras": keras.__version__, "inputs": [arr(t), arr(qi), arr(vi)],
                   "outputs": [arr(y) for y in ys]}, f, indent=1)


if __name__ == "__main__":
    main()
