"""Writes keras.applications models (weights=None) as .keras files for applications_test.go.

usage: applications.py DIR NAME[,NAME...]

Each model's weights are moved off their initial values (BatchNormalization statistics
included), since freshly initialised MobileNets predict exactly uniform probabilities, which
would compare equal whatever the convolutions computed. The classifier returns logits. DIR/
apps.json holds, per model, an input batch and Keras's predictions.
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402

A = keras.applications
SPECS = {
    "MobileNetV2": lambda: A.MobileNetV2(weights=None, input_shape=(32, 32, 3), classes=10, classifier_activation=None),
    "MobileNet": lambda: A.MobileNet(weights=None, input_shape=(32, 32, 3), classes=10, classifier_activation=None),
    "Xception": lambda: A.Xception(weights=None, input_shape=(71, 71, 3), classes=10, classifier_activation=None),
}


def perturb(m, rng):
    for v in m.weights:
        w = np.asarray(v.numpy(), np.float64)
        if "moving_variance" in v.path:
            w = rng.uniform(0.5, 1.5, w.shape)
        elif "moving_mean" in v.path:
            w = rng.normal(0, 0.1, w.shape)
        else:
            w = w + rng.normal(0, 0.05, w.shape)
        v.assign(w.astype(v.dtype))


def main(d, names):
    out = {}
    for n in names.split(","):
        keras.utils.set_random_seed(0)
        m = SPECS[n]()
        rng = np.random.default_rng(1)
        perturb(m, rng)
        x = rng.uniform(-1, 1, size=(2,) + m.input_shape[1:]).astype("float32")
        y = m.predict(x, verbose=0)
        m.save(os.path.join(d, n + ".keras"))
        out[n] = {"input": {"shape": list(x.shape), "data": x.ravel().tolist()},
                  "output": {"shape": list(y.shape), "data": np.asarray(y, np.float64).ravel().tolist()}}
    with open(os.path.join(d, "apps.json"), "w") as f:
        json.dump(out, f)
    print(json.dumps({"keras": keras.__version__}))


if __name__ == "__main__":
    main(*sys.argv[1:])
