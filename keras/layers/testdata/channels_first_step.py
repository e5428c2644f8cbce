"""Generates channels_first_step.keras and channels_first_step.json for
keras/layers/channels_first_step_test.go: a small CNN with data_format="channels_first"
everywhere (1-D and 2-D convolutions of every kind, poolings, padding, cropping, upsampling,
Flatten) and BatchNormalization(axis=1), with Keras 3's predictions, and its loss and weights
after one SGD step.

Run from this directory (needs `pip install keras jax`):

    KERAS_BACKEND=jax python3 channels_first_step.py
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402

L = keras.layers
cf = "channels_first"
keras.utils.set_random_seed(5)
xi = keras.Input((3, 8, 8))
a = L.Conv2D(4, 3, padding="same", data_format=cf)(xi)
a = L.BatchNormalization(axis=1)(a)
a = L.Activation("relu")(a)
a = L.MaxPooling2D(2, data_format=cf)(a)
a = L.DepthwiseConv2D(3, padding="same", depth_multiplier=2, activation="tanh", data_format=cf)(a)
a = L.SeparableConv2D(4, 3, data_format=cf)(a)
a = L.Conv2DTranspose(3, 2, strides=2, data_format=cf)(a)
a = L.ZeroPadding2D(((1, 0), (0, 2)), data_format=cf)(a)
a = L.Cropping2D(((0, 1), (1, 0)), data_format=cf)(a)
a = L.UpSampling2D((1, 2), data_format=cf)(a)
a = L.AveragePooling2D(2, padding="same", data_format=cf)(a)
g = L.GlobalAveragePooling2D(data_format=cf)(a)
m2 = L.GlobalMaxPooling2D(data_format=cf)(a)
f = L.Flatten(data_format=cf)(a)
s = L.Reshape((3, 10))(a)
s = L.ZeroPadding1D(1, data_format=cf)(s)
s = L.Conv1D(4, 3, strides=2, activation="tanh", data_format=cf)(s)
s = L.DepthwiseConv1D(3, padding="same", data_format=cf)(s)
s = L.SeparableConv1D(3, 3, data_format=cf)(s)
s = L.Conv1DTranspose(2, 3, strides=2, data_format=cf)(s)
s = L.MaxPooling1D(2, data_format=cf)(s)
s = L.AveragePooling1D(2, padding="same", data_format=cf)(s)
p = L.GlobalAveragePooling1D(data_format=cf)(s)
q = L.GlobalMaxPooling1D(data_format=cf)(s)
h = L.Concatenate()([g, m2, f, p, q, L.Flatten(data_format=cf)(s)])
m = keras.Model(xi, L.Dense(1)(h))
rng = np.random.default_rng(6)
for v in m.weights:  # biases and statistics off their initial values, so that every weight counts
    v.assign((np.asarray(v.numpy()) + np.abs(rng.normal(0, 0.1, v.shape))).astype("float32"))
m.save("channels_first_step.keras")
x = rng.uniform(-1, 1, (4, 3, 8, 8)).astype("float32")
y = rng.uniform(-1, 1, (4, 1)).astype("float32")
pred = m.predict(x, verbose=0)
m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
loss = float(m.train_on_batch(x, y))


def arr(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "data": a.astype(np.float64).ravel().tolist()}


with open("channels_first_step.json", "w") as f:
    json.dump({"keras": keras.__version__, "x": arr(x), "y": arr(y), "predictions": arr(pred), "loss": loss,
               "weights": [arr(w) for w in m.get_weights()],
               "shapes": {l.name: [d if d is not None else -1 for d in l.output.shape] for l in m.layers}}, f)
m.summary(line_length=100)
