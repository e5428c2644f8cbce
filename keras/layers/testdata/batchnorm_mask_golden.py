"""Generates batchnorm_mask_golden.json for keras/layers/batchnorm_mask_test.go: Keras 3's
BatchNormalization under the mask of Embedding(mask_zero=True), in training, with padding in
the batch (trailing zeros and one in the middle of a row):

    ids (3, 6) -> Embedding(10, 4, mask_zero=True) -> BatchNormalization(momentum=0.8)
        -> Dense(3, tanh) -> GlobalAveragePooling1D (masked) -> Dense(1), mse, SGD(0.1)

For float32 and float64 (jax_enable_x64): the initial weights, the BatchNormalization layer's
training-mode output and its masked batch statistics, the loss and the gradient of every
trainable weight at the initial weights (jax.grad of stateless_call), then the loss of three
train_on_batch steps and the weights after each (the moving statistics included).

Keras 3.15's type promotion on JAX maps float64 to float32 (BIT64_TO_BIT32_DTYPE in
keras/src/backend/common/dtypes.py) whatever jax_enable_x64 says, and BatchNormalization
computes in result_type(x, "float32"), as do ops.mean (so the masked GlobalAveragePooling1D);
a float64 model would round there to float32 (measured: 4.9e-7 on this layer's output). For a
float64 reference the table keeps float64 while the float64 model runs, as
keras/testdata/bn_step.py does (docs/applications.md).

Run from this directory (needs `pip install keras jax`):

    KERAS_BACKEND=jax python3 batchnorm_mask_golden.py
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras.src.backend.common import dtypes  # noqa: E402

L = keras.layers
IDS = np.array([[3, 1, 4, 0, 0, 0], [5, 9, 2, 6, 5, 3], [7, 0, 8, 0, 0, 0]], dtype="int32")
Y = np.array([[0.5], [-0.3], [0.8]])


def arr(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "data": a.astype(np.float64).ravel().tolist()}


def case(dtype):
    dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64" if dtype == "float64" else "float32"
    keras.config.set_floatx(dtype)
    keras.config.set_dtype_policy(dtype)  # the global policy, once made, ignores set_floatx
    keras.utils.set_random_seed(3)
    inp = keras.Input((IDS.shape[1],), dtype="int32")
    emb = L.Embedding(10, 4, mask_zero=True, name="emb")
    bn = L.BatchNormalization(momentum=0.8, epsilon=1e-3, name="bn")
    h = bn(emb(inp))
    d = L.Dense(3, activation="tanh", name="dense")(h)
    p = L.GlobalAveragePooling1D(name="pool")(d)
    out = L.Dense(1, name="out")(p)
    m = keras.Model(inp, out)
    rng = np.random.default_rng(12)
    for v in m.weights:  # off their initial values, so that every weight counts
        v.assign((np.asarray(v.numpy()) + rng.normal(0, 0.5, v.shape) * (0.2 if "moving" in v.path else 1)).astype(dtype))
    m.get_layer("bn").moving_variance.assign(np.abs(m.get_layer("bn").moving_variance.numpy()) + 0.5)
    w0 = [np.asarray(w) for w in m.get_weights()]
    y = Y.astype(dtype)

    # The layer's training-mode output, from the model's own training-mode graph, and its
    # masked statistics.
    feat = keras.Model(inp, h)
    bn_out, _ = feat.stateless_call([v.value for v in feat.trainable_variables],
                                    [v.value for v in feat.non_trainable_variables], IDS, training=True)
    mean, var = bn._moments(emb(IDS), emb.compute_mask(IDS))
    m.set_weights(w0)

    tv = [v.value for v in m.trainable_variables]
    ntv = [v.value for v in m.non_trainable_variables]

    def loss_fn(tv):
        pred, _ = m.stateless_call(tv, ntv, IDS, training=True)
        return keras.ops.mean(keras.losses.mean_squared_error(y, pred))

    loss0, grads = jax.value_and_grad(loss_fn)(tv)
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    steps = []
    for _ in range(3):
        loss = float(m.train_on_batch(IDS, y))
        steps.append({"loss": loss, "weights": [arr(w) for w in m.get_weights()]})
    return {
        "weights": [arr(w) for w in w0],
        "trainable": [v.path for v in m.trainable_variables],
        "all": [v.path for v in m.weights],
        "bn_output": arr(bn_out), "batch_mean": arr(mean), "batch_variance": arr(var),
        "loss": float(loss0), "grads": [arr(g) for g in grads],
        "steps": steps,
    }


golden = {"keras": keras.__version__, "jax": jax.__version__, "ids": arr(IDS), "y": arr(Y)}
for dt in ("float32", "float64"):
    golden[dt] = case(dt)
with open("batchnorm_mask_golden.json", "w") as f:
    json.dump(golden, f)
for dt in ("float32", "float64"):
    print(dt, "loss", golden[dt]["loss"], [s["loss"] for s in golden[dt]["steps"]], golden[dt]["all"], golden[dt]["trainable"])
