"""Writes and checks the models of saving_ops_test.go.

usage: ops_apps.py write DIR NAME[,NAME...]
       ops_apps.py check DIR NAME[,NAME...]

write: builds each model (keras.applications families at their smallest practical input,
weights=None, or "OpsGuide", a small model of raw keras.ops calls on symbolic tensors), moves
its weights off their initial values (BatchNormalization statistics included, since freshly
initialised models can predict near-constant logits), saves DIR/NAME.keras and writes an
input batch of 2 and Keras's predictions to DIR/keras.json.
check: loads DIR/NAME.go.keras (written by kerago) and writes Keras's predictions on the
same inputs to DIR/go.json.
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402

A = keras.applications
K = keras.ops


def ops_guide():
    """Raw keras.ops calls as guide code writes them: numbers on either side, unary
    minus, maximum/minimum with a number and with a tensor, true division and a
    broadcast product of a (N, 1, C) gate and a (N, H, C) tensor."""
    x = keras.Input((4, 3))
    d = keras.layers.Dense(3)(x)
    g = keras.layers.GlobalAveragePooling1D(keepdims=True)(d)
    y = d * 2.0 + 3.0
    z = 1.0 - y
    w = K.maximum(z, -0.5)
    v = -w / 4.0
    u = K.minimum(v, y)
    t = K.multiply(u, g)
    s = K.subtract(t, d)
    r = K.true_divide(s, 1.5)
    out = keras.layers.Dense(2)(r)
    return keras.Model(x, out, name="ops_guide")


SPECS = {
    "OpsGuide": ops_guide,
    "MobileNetV3Small": lambda: A.MobileNetV3Small(weights=None, input_shape=(32, 32, 3), classes=10, classifier_activation=None),
    "MobileNetV3Large": lambda: A.MobileNetV3Large(weights=None, input_shape=(32, 32, 3), classes=10, classifier_activation=None),
    "EfficientNetB0": lambda: A.EfficientNetB0(weights=None, input_shape=(32, 32, 3), classes=10, classifier_activation=None),
    "EfficientNetV2B0": lambda: A.EfficientNetV2B0(weights=None, input_shape=(32, 32, 3), classes=10, classifier_activation=None),
    "ConvNeXtTiny": lambda: A.ConvNeXtTiny(weights=None, input_shape=(32, 32, 3), classes=10, classifier_activation=None),
    "InceptionResNetV2": lambda: A.InceptionResNetV2(weights=None, input_shape=(75, 75, 3), classes=10, classifier_activation=None),
}


# EfficientNetV2B0's logits reach ~2000 with noise 0.05, where float32 rounding alone differs
# by more than 1e-4 relative; smaller noise keeps them in a range where the check is fair.
NOISE = {"EfficientNetV2B0": 0.02}


def perturb(m, rng, noise):
    for v in m.weights:
        w = np.asarray(v.numpy(), np.float64)
        if "moving_variance" in v.path:
            w = rng.uniform(0.5, 1.5, w.shape)
        elif "moving_mean" in v.path:
            w = rng.normal(0, 0.1, w.shape)
        else:
            w = w + rng.normal(0, noise, w.shape)
        v.assign(w.astype(v.dtype))


def array(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "data": a.astype(np.float64).ravel().tolist()}


def write(d, names):
    out = {}
    for n in names:
        keras.utils.set_random_seed(0)
        m = SPECS[n]()
        rng = np.random.default_rng(1)
        perturb(m, rng, NOISE.get(n, 0.05))
        x = rng.uniform(-1, 1, size=(2,) + m.input_shape[1:]).astype("float32")
        m.save(os.path.join(d, n + ".keras"))
        out[n] = {"input": array(x), "output": array(m.predict(x, verbose=0))}
    with open(os.path.join(d, "keras.json"), "w") as f:
        json.dump(out, f)


def check(d, names):
    with open(os.path.join(d, "keras.json")) as f:
        ref = json.load(f)
    out = {}
    for n in names:
        m = keras.saving.load_model(os.path.join(d, n + ".go.keras"))
        i = ref[n]["input"]
        x = np.asarray(i["data"], np.float32).reshape(i["shape"])
        out[n] = {"output": array(m.predict(x, verbose=0))}
    with open(os.path.join(d, "go.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    mode, d, names = sys.argv[1:4]
    {"write": write, "check": check}[mode](d, names.split(","))
    print(json.dumps({"keras": keras.__version__}))
