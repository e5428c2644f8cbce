"""Keras's float32 BatchNormalization training step against its float64 (KERAS_BACKEND=jax).

Usage: KERAS_BACKEND=jax python3 bn_float32.py

The data of TestBatchNormFloat32Accuracy (batchnorm_accuracy_test.go): x, gamma, beta and
the upstream gradient R built by the same formulas and rounded to float32. For each shape,
a BatchNormalization layer (epsilon 1e-3) is called in training mode in float32 and in
float64 on those same numbers, and JAX differentiates sum(y * R) with respect to x and gamma.
Prints, per shape, the float32 result's error against the float64 one for y, dx and dgamma,
relative to the tensor's largest value (the Go test's measure).

Keras 3 maps float64 to float32 in BatchNormalization and ops.mean/ops.var unless
BIT64_TO_BIT32_DTYPE["float64"] is "float64" (as apps.py's float64 mode): set here, with
jax_enable_x64, so the float64 run is float64 throughout.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras.src.backend.common import dtypes  # noqa: E402

dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64"


def data(shape):
    n, c = int(np.prod(shape)), shape[-1]
    i = np.arange(n, dtype="float64")
    x = (1.5 + np.sin(0.37 * i) + 0.5 * np.sin(0.0071 * i)).astype("float32")
    r = np.cos(0.59 * i + 0.2).astype("float32")
    j = np.arange(c, dtype="float64")
    gamma = (0.5 + 0.03 * (j % 40)).astype("float32")
    beta = (0.1 * np.sin(j)).astype("float32")
    return x.reshape(shape), gamma, beta, r.reshape(shape)


def step(shape, dtype):
    x, gamma, beta, r = (np.asarray(a, dtype=dtype) for a in data(shape))
    layer = keras.layers.BatchNormalization(epsilon=1e-3, dtype=dtype)
    layer.build(shape)
    non_trainable = [v.value for v in layer.non_trainable_variables]

    def loss(x, gamma):
        y, _ = layer.stateless_call([gamma, beta], non_trainable, x, training=True)
        return jax.numpy.sum(y * r), y

    (_, y), (dx, dgamma) = jax.value_and_grad(loss, argnums=(0, 1), has_aux=True)(x, gamma)
    return [np.asarray(v, dtype="float64") for v in (y, dx, dgamma)]


def rel(got, want):
    return float(np.max(np.abs(got - want)) / np.max(np.abs(want)))


def main():
    out = {}
    for shape in [(2, 56, 56, 32), (2, 1, 1, 1024)]:
        f32, f64 = step(shape, "float32"), step(shape, "float64")
        out[str(shape)] = {k: rel(a, b) for k, a, b in zip(("y", "dx", "dgamma"), f32, f64)}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
