"""Golden values for the recurrent layers and Embedding (keras/layers/rnn_golden_test.go).

Run from the repository root:

    KERAS_BACKEND=jax python3 keras/layers/testdata/rnn_golden.py

It builds small Keras 3 models in float64 with random weights, runs them, and writes
keras/layers/testdata/rnn_golden.json: per case the inputs, the weights in get_weights()
order, and every output. The Go test builds the same model, sets the weights and compares.
"""

import json
import zlib
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax

jax.config.update("jax_enable_x64", True)

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

keras.config.set_floatx("float64")
keras.config.set_dtype_policy("float64")

# Keras 3.15's jax tanh computes float64 inputs in float32 (result_type(float64, float) is
# float32 there); use jax's own tanh so that the references are float64 throughout.
import jax.numpy as jnp  # noqa: E402
import keras.src.backend.jax.numpy as _kjn  # noqa: E402

_kjn.tanh = lambda x: jnp.tanh(jnp.asarray(x))
assert keras.activations.tanh(np.ones((1,), "float64")).dtype == np.float64


def rnn(kind, units, **kw):
    # dtype given explicitly: SimpleRNN's cell ignores the float64 policy otherwise.
    return {"LSTM": layers.LSTM, "GRU": layers.GRU, "SimpleRNN": layers.SimpleRNN}[kind](units, dtype="float64", **kw)


def case(name, kind, units, kw, batch=3, steps=5, features=4, ids=None, vocab=7, bidirectional=None):
    """ids: None for float inputs (batch, steps, features); else a (batch, steps) int array fed
    through Embedding(vocab, features, mask_zero=True)."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    if ids is None:
        inp = keras.Input((None, features), dtype="float64")
        x_in = rng.uniform(-1, 1, (batch, steps, features))
        h = inp
    else:
        inp = keras.Input((None,), dtype="int32")
        x_in = np.array(ids, dtype="int32")
        h = layers.Embedding(vocab, features, mask_zero=True)(inp)
    layer = rnn(kind, units, **kw)
    if bidirectional is not None:
        layer = layers.Bidirectional(layer, merge_mode=None if bidirectional == "none" else bidirectional)
    out = layer(h)
    outs = out if isinstance(out, (list, tuple)) else [out]
    model = keras.Model(inp, list(outs))
    weights = [rng.uniform(-0.8, 0.8, w.shape) for w in model.get_weights()]
    model.set_weights(weights)
    ys = model(x_in)
    ys = ys if isinstance(ys, (list, tuple)) else [ys]
    return {
        "name": name,
        "layer": kind,
        "units": units,
        "options": {k: v for k, v in kw.items()},
        "bidirectional": bidirectional,
        "ids": ids is not None,
        "vocab": vocab,
        "features": features,
        "x": {"shape": list(x_in.shape), "data": x_in.ravel().tolist()},
        "weights": [{"shape": list(w.shape), "data": w.ravel().tolist()} for w in weights],
        "outputs": [{"shape": list(np.shape(y)), "data": np.asarray(y).ravel().tolist()} for y in ys],
        "config": layer.get_config(),
    }


# Padded ids: 0 is padding, at the end, at the start and in the middle.
IDS = [[3, 1, 4, 1, 5, 0, 0], [0, 0, 2, 6, 5, 3, 5], [6, 0, 2, 0, 0, 1, 0]]

cases = []
for kind in ["LSTM", "GRU", "SimpleRNN"]:
    for act in ["tanh"] + (["relu"] if kind == "SimpleRNN" else []):
        extra = {} if act == "tanh" else {"activation": act}
        cases.append(case(f"{kind} default {act}", kind, 3, dict(extra)))
    cases.append(case(f"{kind} sequences and state", kind, 3, dict(return_sequences=True, return_state=True)))
    cases.append(case(f"{kind} go backwards", kind, 2, dict(go_backwards=True, return_sequences=True, return_state=True)))
    cases.append(case(f"{kind} no bias", kind, 3, dict(use_bias=False)))
    cases.append(case(f"{kind} masked", kind, 3, dict(return_sequences=True, return_state=True), ids=IDS))
    cases.append(case(f"{kind} masked backwards", kind, 3, dict(go_backwards=True, return_state=True), ids=IDS))
    cases.append(case(f"{kind} one step", kind, 2, dict(return_state=True), steps=1))
    cases.append(case(f"{kind} bidirectional concat", kind, 2, dict(return_sequences=True), bidirectional="concat"))
    cases.append(case(f"{kind} bidirectional masked", kind, 2, dict(return_sequences=True), ids=IDS, bidirectional="concat"))
    cases.append(case(f"{kind} bidirectional state", kind, 2, dict(return_state=True), bidirectional="sum"))
cases.append(case("GRU reset before", "GRU", 3, dict(reset_after=False, return_sequences=True)))
cases.append(case("GRU reset before masked", "GRU", 3, dict(reset_after=False, return_state=True), ids=IDS))
cases.append(case("GRU reset before no bias", "GRU", 3, dict(reset_after=False, use_bias=False)))
cases.append(case("LSTM hard sigmoid", "LSTM", 3, dict(recurrent_activation="hard_sigmoid", activation="softsign")))
cases.append(case("LSTM bidirectional ave", "LSTM", 2, dict(return_sequences=True), bidirectional="ave"))
cases.append(case("LSTM bidirectional mul", "LSTM", 2, dict(), bidirectional="mul"))
cases.append(case("LSTM bidirectional none", "LSTM", 2, dict(return_sequences=True), bidirectional="none"))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rnn_golden.json")
with open(out, "w") as f:
    json.dump({"keras": keras.__version__, "cases": cases}, f, indent=None, separators=(",", ":"))
print(f"wrote {len(cases)} cases to {out}")
