"""Generates conv_variants_step.keras and conv_variants_step.json for
keras/layers/conv_variants_step_test.go: a model of the depthwise, separable and transposed
convolutions (2-D and 1-D), and Keras 3's loss and weights after one SGD step on it.

Run from this directory (needs `pip install keras jax`):

    KERAS_BACKEND=jax python3 conv_variants_step.py
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402

L = keras.layers
keras.utils.set_random_seed(3)
xi = keras.Input((6, 6, 3))
a = L.DepthwiseConv2D(3, padding="same", depth_multiplier=2, activation="tanh")(xi)
a = L.SeparableConv2D(4, 3, strides=2, padding="same", activation="tanh")(a)
a = L.Conv2DTranspose(3, 3, strides=2, padding="same", output_padding=1)(a)
s = L.Reshape((36, 3))(a)
s = L.DepthwiseConv1D(3, strides=2)(s)
s = L.SeparableConv1D(4, 3, depth_multiplier=2, activation="tanh")(s)
s = L.Conv1DTranspose(2, 3, strides=2, output_padding=1)(s)
m = keras.Model(xi, L.Dense(1)(L.Flatten()(s)))
rng = np.random.default_rng(4)
for v in m.weights:  # biases off zero, so that every weight counts
    v.assign((np.asarray(v.numpy()) + rng.normal(0, 0.1, v.shape)).astype("float32"))
m.save("conv_variants_step.keras")
x = rng.uniform(-1, 1, (4, 6, 6, 3)).astype("float32")
y = rng.uniform(-1, 1, (4, 1)).astype("float32")
m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
loss = float(m.train_on_batch(x, y))


def arr(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "data": a.astype(np.float64).ravel().tolist()}


with open("conv_variants_step.json", "w") as f:
    json.dump({"keras": keras.__version__, "x": arr(x), "y": arr(y), "loss": loss,
               "weights": [arr(w) for w in m.get_weights()]}, f)
