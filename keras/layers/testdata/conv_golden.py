"""Generates conv_golden.json: forward values and configs of Keras 3's convolution, pooling
and padding layers on small inputs with fixed weights, for
keras/layers/conv_util_golden_test.go.

Run from this directory (needs `pip install keras jax`):

    KERAS_BACKEND=jax python3 conv_golden.py

Everything runs in float64 (jax_enable_x64). Inputs are sin-based (no ties, so max pooling
has one winner per window); kernels are arange-based, shifted and scaled so that signs mix.
"""

import json

import jax

jax.config.update("jax_enable_x64", True)

import keras  # noqa: E402
import numpy as np  # noqa: E402

CASES = [
    # name, layer class, kwargs, input shape (batch included)
    ("conv1d_valid", "Conv1D", dict(filters=4, kernel_size=3), (2, 7, 3)),
    ("conv1d_same_even_kernel", "Conv1D", dict(filters=3, kernel_size=4, padding="same"), (2, 7, 2)),
    ("conv1d_causal", "Conv1D", dict(filters=3, kernel_size=3, padding="causal"), (2, 6, 2)),
    ("conv1d_strides2_valid", "Conv1D", dict(filters=2, kernel_size=3, strides=2), (2, 8, 3)),
    ("conv1d_strides2_same", "Conv1D", dict(filters=2, kernel_size=4, strides=2, padding="same"), (2, 7, 3)),
    ("conv1d_strides3_causal", "Conv1D", dict(filters=2, kernel_size=2, strides=3, padding="causal"), (1, 8, 2)),
    ("conv1d_dilation2_valid", "Conv1D", dict(filters=2, kernel_size=3, dilation_rate=2), (2, 9, 2)),
    ("conv1d_dilation2_same", "Conv1D", dict(filters=2, kernel_size=3, dilation_rate=2, padding="same"), (2, 8, 2)),
    ("conv1d_dilation2_causal", "Conv1D", dict(filters=2, kernel_size=3, dilation_rate=2, padding="causal"), (2, 7, 2)),
    ("conv1d_relu_no_bias", "Conv1D", dict(filters=3, kernel_size=2, activation="relu", use_bias=False), (2, 5, 2)),
    ("conv2d_valid", "Conv2D", dict(filters=3, kernel_size=3), (2, 5, 6, 2)),
    ("conv2d_same_stride2", "Conv2D", dict(filters=3, kernel_size=3, strides=2, padding="same"), (2, 7, 6, 2)),
    ("conv2d_same_even_kernel", "Conv2D", dict(filters=2, kernel_size=2, padding="same"), (1, 5, 4, 3)),
    ("conv2d_rect_kernel_strides", "Conv2D", dict(filters=2, kernel_size=(2, 3), strides=(2, 1), padding="same"), (2, 5, 6, 2)),
    ("conv2d_dilation2_same", "Conv2D", dict(filters=2, kernel_size=3, dilation_rate=2, padding="same"), (1, 7, 8, 2)),
    ("conv2d_1x1_stride2", "Conv2D", dict(filters=3, kernel_size=1, strides=2, activation="tanh"), (2, 5, 6, 2)),
    ("maxpool1d_valid", "MaxPooling1D", dict(pool_size=2), (2, 7, 3)),
    ("maxpool1d_same_pool3_stride2_odd", "MaxPooling1D", dict(pool_size=3, strides=2, padding="same"), (2, 7, 3)),
    ("maxpool1d_same_pool3_stride2_even", "MaxPooling1D", dict(pool_size=3, strides=2, padding="same"), (2, 8, 3)),
    ("maxpool1d_same_pool2_stride1", "MaxPooling1D", dict(pool_size=2, strides=1, padding="same"), (2, 5, 2)),
    ("avgpool1d_valid", "AveragePooling1D", dict(pool_size=3), (2, 8, 2)),
    ("avgpool1d_same_pool3_stride2", "AveragePooling1D", dict(pool_size=3, strides=2, padding="same"), (2, 7, 2)),
    ("avgpool1d_same_pool4_stride1", "AveragePooling1D", dict(pool_size=4, strides=1, padding="same"), (1, 6, 2)),
    ("maxpool2d_valid", "MaxPooling2D", dict(pool_size=2), (2, 5, 4, 2)),
    ("maxpool2d_same_pool3_stride2", "MaxPooling2D", dict(pool_size=3, strides=2, padding="same"), (2, 7, 8, 2)),
    ("avgpool2d_valid", "AveragePooling2D", dict(pool_size=2, strides=1), (1, 4, 5, 2)),
    ("avgpool2d_same_pool3_stride2", "AveragePooling2D", dict(pool_size=3, strides=2, padding="same"), (2, 7, 8, 2)),
    ("avgpool2d_same_pool2_stride1", "AveragePooling2D", dict(pool_size=2, strides=1, padding="same"), (1, 3, 4, 2)),
    ("globalmax1d", "GlobalMaxPooling1D", dict(), (2, 5, 3)),
    ("globalavg1d_keepdims", "GlobalAveragePooling1D", dict(keepdims=True), (2, 5, 3)),
    ("globalmax2d_keepdims", "GlobalMaxPooling2D", dict(keepdims=True), (2, 3, 4, 2)),
    ("globalavg2d", "GlobalAveragePooling2D", dict(), (2, 3, 4, 2)),
    ("zeropad2d_sides", "ZeroPadding2D", dict(padding=((1, 2), (0, 3))), (1, 2, 3, 2)),
    ("zeropad2d_int", "ZeroPadding2D", dict(padding=1), (2, 2, 2, 1)),
]


def inputs(shape):
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.float64)
    return (np.sin(0.7 * i + 0.3) * 2 + 0.05 * np.cos(3.1 * i)).reshape(shape)


def weight(shape, offset):
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.float64)
    return ((i + offset) % 11 - 5) * 0.1 + 0.003 * i


def jsonable(v):
    if isinstance(v, tuple):
        return [jsonable(e) for e in v]
    return v


def main():
    out = {"keras_version": keras.__version__, "backend": keras.backend.backend(), "cases": []}
    for name, cls, kwargs, shape in CASES:
        layer = getattr(keras.layers, cls)(dtype="float64", **kwargs)
        x = inputs(shape)
        layer.build(shape)
        weights = []
        for k, w in enumerate(layer.get_weights()):
            v = weight(w.shape, 3 * k + 1).reshape(w.shape)
            weights.append(v)
        layer.set_weights(weights)
        y = np.asarray(layer(x))
        config = {k: v for k, v in layer.get_config().items() if k not in ("name", "trainable", "dtype")}
        out["cases"].append(
            {
                "name": name,
                "layer": cls,
                "kwargs": {k: jsonable(v) for k, v in kwargs.items()},
                "input_shape": list(shape),
                "input": x.ravel().tolist(),
                "weights": [{"shape": list(w.shape), "values": w.ravel().tolist()} for w in weights],
                "output_shape": list(y.shape),
                "output": y.ravel().tolist(),
                "config": json.loads(json.dumps(config)),
            }
        )
    with open("conv_golden.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
