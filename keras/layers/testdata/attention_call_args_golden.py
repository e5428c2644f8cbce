"""The attention layers' call arguments, written by Keras 3
(keras/layers/attention_call_args_test.go).

Run from the repository root:

    KERAS_BACKEND=jax python3 keras/layers/testdata/attention_call_args_golden.py

writes attention_call_args_golden.keras and, in attention_call_args_golden.json, the inputs
and Keras's predictions. With two arguments, a .keras file (kerago's re-save of the model)
and that JSON file, it loads the file in Keras instead, predicts on the JSON's inputs and
prints the outputs as JSON on its last line.

The model has seven outputs. "masked" and "masked_scores": token ids (0 pads) through
Embedding(mask_zero=True) into a causal self-attention given an explicit attention mask, a
bool input (batch, T, S) (Keras's attention_mask call argument, a tensor keyword in the saved
call), combined with the query's and value's masks, with return_attention_scores=True; the
output is pooled over the query's mask. "grid" and "grid_scores": attention_axes=(1,) on
(batch, rows, columns, features) images, attending along the rows of each column, the value
and key given as keyword arguments. "dot" and "dot_scores": Attention on masked embeddings
with return_attention_scores=True. "keyed": MultiHeadAttention(query, value, key) whose key
alone is masked (Keras's key_mask).
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def arr(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": a.astype(np.float64).ravel().tolist()}


def build():
    keras.utils.set_random_seed(7)
    rng = np.random.default_rng(7)
    tokens = keras.Input((5,), dtype="int32", name="tokens")
    pairs = keras.Input((5, 5), dtype="bool", name="pairs")
    grid = keras.Input((3, 4, 6), name="image")
    grid_v = keras.Input((5, 4, 2), name="image_v")
    e = layers.Embedding(10, 8, mask_zero=True)(tokens)
    out, scores = layers.MultiHeadAttention(2, 4, name="masked_mha")(
        e, e, attention_mask=pairs, use_causal_mask=True, return_attention_scores=True)
    masked = layers.GlobalAveragePooling1D(name="masked")(out)
    masked_scores = layers.Identity(name="masked_scores")(scores)
    g, gs = layers.MultiHeadAttention(2, 3, attention_axes=(1,), name="grid_mha")(
        grid, value=grid_v, key=grid_v, return_attention_scores=True)
    grid_out = layers.Identity(name="grid")(g)
    grid_scores = layers.Identity(name="grid_scores")(gs)
    e6 = layers.Embedding(10, 6, mask_zero=True)(tokens)
    d, ds = layers.Attention(use_scale=True, name="att")([e6, e, e6], return_attention_scores=True)
    dot = layers.Identity(name="dot")(d)
    dot_scores = layers.Identity(name="dot_scores")(ds)
    keys = keras.Input((5,), dtype="int32", name="keys")
    kq = layers.Embedding(10, 4)(tokens)
    kv = layers.Embedding(10, 3)(tokens)
    kk = layers.Embedding(10, 5, mask_zero=True)(keys)
    keyed = layers.Identity(name="keyed")(layers.MultiHeadAttention(2, 3, name="key_mha")(kq, kv, kk))
    m = keras.Model([tokens, pairs, grid, grid_v, keys],
                    [masked, masked_scores, grid_out, grid_scores, dot, dot_scores, keyed])
    m.set_weights([w + rng.normal(scale=0.2, size=w.shape).astype("float32") for w in m.get_weights()])
    t = np.array([[3, 4, 5, 0, 0], [0, 2, 7, 1, 9], [1, 0, 2, 3, 4], [5, 6, 7, 8, 9]], "int32")
    p = rng.random((4, 5, 5)) > 0.3
    p[2, 3, :] = False  # a query step masked whole by the explicit mask
    k = np.array([[1, 0, 2, 0, 3], [4, 5, 6, 0, 0], [0, 0, 0, 0, 7], [8, 9, 1, 2, 3]], "int32")
    xs = [t, p, rng.normal(size=(4, 3, 4, 6)).astype("float32"), rng.normal(size=(4, 5, 4, 2)).astype("float32"), k]
    return m, xs


def main():
    if len(sys.argv) == 3:
        d = json.load(open(sys.argv[2]))
        xs = [np.array(x["data"]).reshape(x["shape"]).astype(x["dtype"]) for x in d["inputs"]]
        m = keras.saving.load_model(sys.argv[1])
        ys = m.predict(xs, verbose=0)
        print(json.dumps({"keras": keras.__version__, "outputs": [arr(y) for y in ys]}))
        return
    m, xs = build()
    ys = m.predict(xs, verbose=0)
    m.save(os.path.join(HERE, "attention_call_args_golden.keras"))
    with open(os.path.join(HERE, "attention_call_args_golden.json"), "w") as f:
        json.dump({"keras": keras.__version__, "inputs": [arr(x) for x in xs],
                   "outputs": [arr(y) for y in ys]}, f, indent=1)


if __name__ == "__main__":
    main()
