"""One SGD step through training-mode BatchNormalization on 2x2 and 1x1 maps, in float64
and float32 (keras/batchnorm_step_test.go).

Run from the repository root:

    KERAS_BACKEND=jax python3 keras/testdata/bn_step.py

The model is a small ResNet-style stack on 4x4 images at batch 2: ZeroPadding2D, strided
Conv2D, BatchNormalization, relu, MaxPooling2D, a residual Add whose branches end in
BatchNormalization over 1x1 maps (2 values per channel), GlobalAveragePooling2D and a softmax
Dense, as in the last blocks of ResNet50 at a small input. BatchNormalization's gamma and beta
are drawn at random. Keras (made to compute in float64 throughout, see
F64) builds it in float64 (jax x64) and writes bn_step64.keras before
and bn_step64_after.keras after one SGD(0.01) categorical-crossentropy step; then the same
weights in float32 give bn_step32.keras and bn_step32_after.keras. bn_step.json holds the
batch and both losses.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402
from keras.src.backend.common import dtypes  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


# Keras 3.15's type promotion on JAX turns float64 into float32 ("to be aligned with JAX's
# default behavior", keras/src/backend/common/dtypes.py BIT64_TO_BIT32_DTYPE) whatever
# jax_enable_x64 says, and BatchNormalization (result_type(x, "float32")), ops.mean (so
# GlobalAveragePooling2D) and ops.var compute in result_type: a float64 model on JAX rounds
# there to float32 (measured: 1.4e-7 relative on this model's first BatchNormalization at
# inference). For a float64 reference the table keeps float64 while the float64 model runs.
F64 = "float64"


def build():
    keras.utils.set_random_seed(12)
    inp = keras.Input((4, 4, 3), name="x")
    h = layers.ZeroPadding2D(1, name="pad")(inp)
    h = layers.Conv2D(6, 3, strides=2, name="conv1")(h)  # 2x2
    h = layers.BatchNormalization(name="bn1")(h)
    h = layers.Activation("relu", name="relu1")(h)
    a = layers.Conv2D(6, 1, name="conv2")(h)  # 2x2, 8 values per channel
    a = layers.BatchNormalization(name="bn2")(a)
    a = layers.Activation("relu", name="relu2")(a)
    a = layers.Conv2D(5, 2, strides=2, name="conv3")(a)  # 1x1, 2 values per channel
    a = layers.BatchNormalization(name="bn3")(a)
    s = layers.MaxPooling2D(2, name="pool")(h)  # 1x1
    s = layers.Conv2D(5, 1, name="short")(s)
    s = layers.BatchNormalization(name="bn4")(s)
    h = layers.Add(name="add")([a, s])
    h = layers.Activation("relu", name="relu3")(h)
    h = layers.GlobalAveragePooling2D(name="gap")(h)
    out = layers.Dense(3, activation="softmax", name="probs")(h)
    return keras.Model(inp, out, name="bn_step")


def step(model, x, y):
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="categorical_crossentropy", run_eagerly=True)
    return float(model.train_on_batch(x, y))


def main():
    rng = np.random.default_rng(12)
    # Layers take the global dtype policy, which set_floatx alone does not change once read.
    keras.config.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    dtypes.BIT64_TO_BIT32_DTYPE[F64] = F64
    m64 = build()
    ws = []
    for w in m64.weights:
        v = np.asarray(w.numpy())
        if w.path.endswith("gamma"):
            v = rng.uniform(0.5, 1.5, size=v.shape)
        elif w.path.endswith("beta"):
            v = rng.normal(0, 0.5, size=v.shape)
        ws.append(v)
    m64.set_weights(ws)
    x = rng.normal(size=(2, 4, 4, 3))
    y = np.eye(3)[[0, 2]]
    m64.save(os.path.join(HERE, "bn_step64.keras"))
    pred64 = np.asarray(m64.predict(x, verbose=0)).ravel().tolist()
    loss64 = step(m64, x, y)
    m64.save(os.path.join(HERE, "bn_step64_after.keras"))

    dtypes.BIT64_TO_BIT32_DTYPE[F64] = "float32"
    keras.config.set_floatx("float32")
    keras.config.set_dtype_policy("float32")
    m32 = build()
    m32.set_weights([w.astype("float32") for w in ws])
    m32.save(os.path.join(HERE, "bn_step32.keras"))
    loss32 = step(m32, x.astype("float32"), y.astype("float32"))
    m32.save(os.path.join(HERE, "bn_step32_after.keras"))

    with open(os.path.join(HERE, "bn_step.json"), "w") as f:
        json.dump({"x": x.ravel().tolist(), "y": y.ravel().tolist(), "pred64": pred64, "loss64": loss64, "loss32": loss32}, f)
        f.write("\n")
    print("loss64", repr(loss64), "loss32", repr(loss32))


if __name__ == "__main__":
    main()
